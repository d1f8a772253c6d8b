import type { ClusterState } from '../model/cluster.ts';

const names = (state: ClusterState) => state.nodes.map((n) => n.metadata?.name ?? '').filter((n) => n !== '').sort();

/** Every node in the state, sorted: explain-svc shows a path for each. */
export const allNodeNames = names;
