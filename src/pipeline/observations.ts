import { nodeHealth } from '../analyzers/node-health.ts';
import type { NodeHealth } from '../analyzers/node-health.ts';
import type { NodeObservation } from '../analyzers/observed-shares.ts';
import { NODE_FILES } from '../cluster/bundle-layout.ts';
import type { NodeDump } from '../cluster/source.ts';
import { parseIptablesDump } from '../dataplane/iptables/parse.ts';
import { parseNftJson } from '../dataplane/nftables/parse-json.ts';
import type { ClusterState } from '../model/cluster.ts';
import { parseIpvsadmConnections, parseIpvsadmStats } from '../dataplane/ipvs/parse-ipvsadm-listing.ts';
import { readNodeState } from '../dataplane/node-state/node-state.ts';
import type { NodeState } from '../dataplane/node-state/node-state.ts';
import type { IptablesDump } from '../dataplane/iptables/model.ts';

/**
 * A dump's node state and iptables model, parsed once: explain-svc asks for both twice (observed
 * shares, then node health), and a busy node's conntrack table or rules run to tens of MB.
 */
const parsed = new WeakMap<NodeDump, { state: NodeState; iptables?: IptablesDump | null }>();
function parsedOf(dump: NodeDump): { state: NodeState; iptables?: IptablesDump | null } {
  let p = parsed.get(dump);
  if (!p) parsed.set(dump, (p = { state: readNodeState(dump) }));
  return p;
}
function iptablesOf(dump: NodeDump): IptablesDump | null {
  const p = parsedOf(dump);
  if (p.iptables === undefined) {
    const ipt = dump.files.get(NODE_FILES.iptablesSave);
    p.iptables = ipt === undefined ? null : parseIptablesDump(ipt, `${dump.location}/${NODE_FILES.iptablesSave}`);
  }
  return p.iptables;
}

/** A dump saved with `-c`: rule lines start with their [packets:bytes]. */
const COUNTED = /^\[\d+:\d+\]\s+-A /m;

/** What a node read can show of the present: its conntrack entries, its rule counters, its IPVS listings (none: empty). */
export function nodeObservations(dump: NodeDump): NodeObservation[] {
  const conntrack = parsedOf(dump).state.conntrack;
  const ipt = dump.files.get(NODE_FILES.iptablesSave);
  const counted = ipt !== undefined && COUNTED.test(ipt);
  const read = <T>(name: string, parse: (text: string, file: string) => T): T | null => {
    const text = dump.files.get(name);
    return text === undefined ? null : parse(text, `${dump.location}/${name}`);
  };
  const stats = read(NODE_FILES.ipvsadmStats, parseIpvsadmStats);
  const connections = read(NODE_FILES.ipvsadmConnections, parseIpvsadmConnections);
  const ipvs = stats || connections ? { stats, connections } : null;
  if (!conntrack && !counted && !ipvs) return [];
  return [{ node: dump.node, conntrack, iptables: counted ? iptablesOf(dump) : null, ...(ipvs ? { ipvs } : {}) }];
}

/** kube-proxy's default syncPeriod (KubeProxyConfiguration iptables/nftables/ipvs.syncPeriod). */
const DEFAULT_SYNC_PERIOD_S = 30;

/**
 * One node's dataplane health from its dump: `now` is the time of a live reading; null judges a
 * bundle (or any reading) at the moment kube-proxy answered its healthz during the read.
 */
export function nodeHealthOf(dump: NodeDump, state: ClusterState, now: number | null): NodeHealth {
  const nodeState = parsedOf(dump).state;
  const ipt = dump.files.get(NODE_FILES.iptablesSave);
  const nft = dump.files.get(NODE_FILES.nftJson);
  const mode = dump.proxyMode ?? (nft !== undefined ? 'nftables' : dump.files.has(NODE_FILES.ipvsadm) ? 'ipvs' : ipt !== undefined ? 'iptables' : null);
  const config = state.kubeProxyConfig;
  return nodeHealth({
    node: dump.node,
    mode,
    state: nodeState,
    iptables: iptablesOf(dump),
    nft: nft === undefined ? null : parseNftJson(nft, `${dump.location}/${NODE_FILES.nftJson}`),
    syncPeriod: config?.syncPeriodSeconds !== undefined
      ? { seconds: config.syncPeriodSeconds, source: config.source }
      : { seconds: DEFAULT_SYNC_PERIOD_S, source: 'kube-proxy default (no syncPeriod in its configuration)' },
    // A bundle is judged at the moment kube-proxy answered its healthz during the capture.
    now: now ?? nodeState.healthz?.currentTime ?? null,
  });
}
