import type { Cluster } from './cluster.ts';
import { recordedProcess, stopRecorded } from './processes.ts';
import type { RecordedProcess } from './processes.ts';

/** The kube-proxy process of a node, by the PID scripts/cluster/up recorded; throws when it no longer runs. */
export async function kubeProxyProcess(c: Cluster, node: string): Promise<RecordedProcess> {
  return recordedProcess(c, `kube-proxy-${node}`);
}

/**
 * Stops kube-proxy on one node (SIGTERM to its recorded PID) and waits until it is gone. Its
 * rules stay in the node's netns as they were: the dataplane goes stale from here on. There is
 * no restart: use it last in a cluster's life.
 */
export async function stopKubeProxy(c: Cluster, node: string): Promise<void> {
  await stopRecorded(await kubeProxyProcess(c, node));
}
