import type { FeatureGates } from './feature-gates.ts';
import type { ServiceEndpoint } from './endpoints.ts';
import { ZONE_LABEL } from './nodes.ts';
import type { ServicePortFlags } from './service-view.ts';

export type TopologyMode = '' | 'PreferSameZone' | 'PreferSameNode';

export interface CategorizedEndpoints {
  /** Endpoints for Cluster policy on this node (topology applied); empty when the port never uses them. */
  clusterEndpoints: ServiceEndpoint[];
  /** Endpoints for Local policy on this node; empty when none or never used. */
  localEndpoints: ServiceEndpoint[];
  /** Union of the two, sorted by endpoint string. */
  allReachable: ServiceEndpoint[];
  /** Some ready or serving-terminating endpoint exists anywhere in the cluster. */
  hasAnyEndpoints: boolean;
  topologyMode: TopologyMode;
  /** Why the cluster list is what it is, e.g. "topology hints: zone us-east-1a (2 of 3 ready endpoints)". */
  clusterReason: string | null;
  /** Why the local list is what it is, e.g. "no ready local endpoints: using 1 terminating one on node-a". */
  localReason: string | null;
  /** Both, as one line: "cluster: ...; local: ...". */
  reason: string;
}

const isLocal = (ep: ServiceEndpoint, nodeName: string) => ep.nodeName !== null && ep.nodeName === nodeName;
const servingTerminating = (ep: ServiceEndpoint) => ep.serving && ep.terminating;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * pkg/proxy/topology.go topologyModeFromHints, plus a sentence on why hints were used or not.
 * Node hints count only with PreferSameTrafficDistribution (EndpointSliceCache drops them otherwise).
 */
function topologyMode(
  endpoints: readonly ServiceEndpoint[],
  nodeName: string,
  zone: string,
  gates: FeatureGates,
): { mode: TopologyMode; note: string | null } {
  const ready = endpoints.filter((ep) => ep.ready);
  if (ready.length === 0) return { mode: '', note: null };
  const notes: string[] = [];
  if (gates.PreferSameTrafficDistribution) {
    const missing = ready.filter((ep) => ep.nodeHints.length === 0).length;
    if (missing === 0) {
      if (ready.some((ep) => ep.nodeHints.includes(nodeName))) return { mode: 'PreferSameNode', note: null };
      notes.push(`node hints ignored: none names ${nodeName}`);
    } else if (missing < ready.length) {
      notes.push(`node hints ignored: ${plural(missing, 'ready endpoint')} without one`);
    }
  }
  const missingZone = ready.filter((ep) => ep.zoneHints.length === 0).length;
  if (missingZone === 0) {
    if (ready.some((ep) => ep.zoneHints.includes(zone))) return { mode: 'PreferSameZone', note: null };
    notes.push(
      zone === ''
        ? `zone hints ignored: node ${nodeName} has no ${ZONE_LABEL} label`
        : `zone hints ignored: none names zone ${zone}`,
    );
  } else if (missingZone < ready.length) {
    notes.push(`zone hints ignored: ${plural(missingZone, 'ready endpoint')} without one`);
  }
  return { mode: '', note: notes.length ? notes.join('; ') : null };
}

function availableForTopology(ep: ServiceEndpoint, mode: TopologyMode, nodeName: string, zone: string): boolean {
  if (mode === 'PreferSameNode') return ep.nodeHints.includes(nodeName);
  if (mode === 'PreferSameZone') return ep.zoneHints.includes(zone);
  return true;
}

/**
 * kube-proxy's CategorizeEndpoints (pkg/proxy/topology.go) for one service port on one node.
 * `endpoints` must be the port's endpoints as endpointsForPort returns them (sorted).
 */
export function categorizeEndpoints(
  endpoints: readonly ServiceEndpoint[],
  flags: ServicePortFlags,
  nodeName: string,
  nodeLabels: Record<string, string>,
  gates: FeatureGates,
): CategorizedEndpoints {
  const result: CategorizedEndpoints = {
    clusterEndpoints: [],
    localEndpoints: [],
    allReachable: [],
    hasAnyEndpoints: false,
    topologyMode: '',
    clusterReason: null,
    localReason: null,
    reason: '',
  };
  if (endpoints.length === 0) {
    result.clusterReason = flags.usesClusterEndpoints ? 'no endpoints in any EndpointSlice' : null;
    result.localReason = flags.usesLocalEndpoints ? 'no endpoints in any EndpointSlice' : null;
    return withReason(result);
  }
  const zone = nodeLabels[ZONE_LABEL] ?? '';
  const readyCount = endpoints.filter((ep) => ep.ready).length;

  if (flags.usesClusterEndpoints) {
    const topo = topologyMode(endpoints, nodeName, zone, gates);
    result.topologyMode = topo.mode;
    result.clusterEndpoints = endpoints.filter((ep) => ep.ready && availableForTopology(ep, topo.mode, nodeName, zone));
    if (result.clusterEndpoints.length > 0) {
      const n = result.clusterEndpoints.length;
      if (topo.mode === 'PreferSameZone') {
        result.clusterReason = `topology hints: zone ${zone} (${n} of ${plural(readyCount, 'ready endpoint')})`;
      } else if (topo.mode === 'PreferSameNode') {
        result.clusterReason = `topology hints: node ${nodeName} (${n} of ${plural(readyCount, 'ready endpoint')})`;
      } else {
        result.clusterReason = `${plural(n, 'ready endpoint')}` + (topo.note ? ` (${topo.note})` : '');
      }
    } else {
      // No ready endpoint anywhere (topology is never chosen without one): fall back to terminating.
      result.clusterEndpoints = endpoints.filter(servingTerminating);
      const n = result.clusterEndpoints.length;
      result.clusterReason =
        n > 0
          ? `no ready endpoints: using ${n} terminating ${n === 1 ? 'one' : 'ones'}`
          : 'no ready or serving-terminating endpoints';
    }
    result.hasAnyEndpoints = result.clusterEndpoints.length > 0;
  }

  if (!flags.usesLocalEndpoints) {
    result.allReachable = result.clusterEndpoints;
    return withReason(result);
  }

  result.hasAnyEndpoints ||= endpoints.some((ep) => ep.ready || servingTerminating(ep));
  const localReady = endpoints.filter((ep) => isLocal(ep, nodeName) && ep.ready);
  const localTerminating = endpoints.filter((ep) => isLocal(ep, nodeName) && !ep.ready && servingTerminating(ep));
  if (localReady.length > 0) {
    result.localEndpoints = localReady;
    result.localReason = `${plural(localReady.length, 'ready local endpoint')} on ${nodeName}`;
  } else if (localTerminating.length > 0) {
    result.localEndpoints = localTerminating;
    const n = localTerminating.length;
    result.localReason = `no ready local endpoints: using ${n} terminating ${n === 1 ? 'one' : 'ones'} on ${nodeName}`;
  } else {
    result.localReason = `no local endpoints on ${nodeName}`;
  }

  const union = new Map<string, ServiceEndpoint>();
  for (const ep of [...result.clusterEndpoints, ...result.localEndpoints]) union.set(ep.key, ep);
  result.allReachable = [...union.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return withReason(result);
}

function withReason(c: CategorizedEndpoints): CategorizedEndpoints {
  c.reason = [c.clusterReason && `cluster: ${c.clusterReason}`, c.localReason && `local: ${c.localReason}`]
    .filter((s): s is string => !!s)
    .join('; ');
  return c;
}
