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

/** A dump saved with `-c`: rule lines start with their [packets:bytes]. */
const COUNTED = /^\[\d+:\d+\]\s+-A /m;

/** What each node read can show of the present: its conntrack entries, its rule counters, its IPVS listings. */
export function nodeObservations(dumps: ReadonlyMap<string, NodeDump>): NodeObservation[] {
  const out: NodeObservation[] = [];
  for (const dump of dumps.values()) {
    const conntrack = readNodeState(dump).conntrack;
    const ipt = dump.files.get(NODE_FILES.iptablesSave);
    const counted = ipt !== undefined && COUNTED.test(ipt);
    const read = <T>(name: string, parse: (text: string, file: string) => T): T | null => {
      const text = dump.files.get(name);
      return text === undefined ? null : parse(text, `${dump.location}/${name}`);
    };
    const stats = read(NODE_FILES.ipvsadmStats, parseIpvsadmStats);
    const connections = read(NODE_FILES.ipvsadmConnections, parseIpvsadmConnections);
    const ipvs = stats || connections ? { stats, connections } : null;
    if (!conntrack && !counted && !ipvs) continue;
    out.push({
      node: dump.node,
      conntrack,
      iptables: counted ? parseIptablesDump(ipt, `${dump.location}/${NODE_FILES.iptablesSave}`) : null,
      ...(ipvs ? { ipvs } : {}),
    });
  }
  return out;
}

/** kube-proxy's default syncPeriod (KubeProxyConfiguration iptables/nftables/ipvs.syncPeriod). */
const DEFAULT_SYNC_PERIOD_S = 30;

/**
 * One node's dataplane health from its dump: `now` is the time of a live reading; null judges a
 * bundle (or any reading) at the moment kube-proxy answered its healthz during the read.
 */
export function nodeHealthOf(dump: NodeDump, state: ClusterState, now: number | null): NodeHealth {
  const nodeState = readNodeState(dump);
  const ipt = dump.files.get(NODE_FILES.iptablesSave);
  const nft = dump.files.get(NODE_FILES.nftJson);
  const mode = dump.proxyMode ?? (nft !== undefined ? 'nftables' : dump.files.has(NODE_FILES.ipvsadm) ? 'ipvs' : ipt !== undefined ? 'iptables' : null);
  const config = state.kubeProxyConfig;
  return nodeHealth({
    node: dump.node,
    mode,
    state: nodeState,
    iptables: ipt === undefined ? null : parseIptablesDump(ipt, `${dump.location}/${NODE_FILES.iptablesSave}`),
    nft: nft === undefined ? null : parseNftJson(nft, `${dump.location}/${NODE_FILES.nftJson}`),
    syncPeriod: config?.syncPeriodSeconds !== undefined
      ? { seconds: config.syncPeriodSeconds, source: config.source }
      : { seconds: DEFAULT_SYNC_PERIOD_S, source: 'kube-proxy default (no syncPeriod in its configuration)' },
    // A bundle is judged at the moment kube-proxy answered its healthz during the capture.
    now: now ?? nodeState.healthz?.currentTime ?? null,
  });
}
