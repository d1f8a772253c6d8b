import { nodeHealth } from '../analyzers/node-health.ts';
import type { NodeHealth } from '../analyzers/node-health.ts';
import type { NodeObservation } from '../analyzers/observed-shares.ts';
import { NODE_FILES } from '../cluster/bundle-layout.ts';
import type { NodeDump } from '../cluster/source.ts';
import { DumpParseError } from '../dataplane/errors.ts';
import { IPTABLES_SAVE } from '../dataplane/iptables/index.ts';
import { parsedDump } from '../dataplane/parsed-dump.ts';
import { NFT_JSON } from '../dataplane/nftables/index.ts';
import type { ClusterState } from '../model/cluster.ts';
import { parseIpvsadmConnections, parseIpvsadmStats } from '../dataplane/ipvs/parse-ipvsadm-listing.ts';
import { readNodeState } from '../dataplane/node-state/node-state.ts';
import type { NodeState } from '../dataplane/node-state/node-state.ts';

/**
 * A dump's node state, parsed once: explain-svc asks for it twice (observed shares, then node
 * health), and a busy node's conntrack table runs to tens of MB.
 */
const parsed = new WeakMap<NodeDump, { state: NodeState }>();
function parsedOf(dump: NodeDump): { state: NodeState } {
  let p = parsed.get(dump);
  if (!p) parsed.set(dump, (p = { state: readNodeState(dump) }));
  return p;
}

/** The node's rules as its walker parsed them (parsedDump: once per read), errors naming the bundle path. */
function modelOf<T>(dump: NodeDump, file: { name: string; parse(text: string, file: string): T }): T | null {
  try {
    return parsedDump(dump.files, file) ?? null;
  } catch (e) {
    throw e instanceof DumpParseError ? new DumpParseError(`${dump.location}/${e.file}`, e.line, e.detail) : e;
  }
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
  return [{ node: dump.node, conntrack, iptables: counted ? modelOf(dump, IPTABLES_SAVE) : null, ...(ipvs ? { ipvs } : {}) }];
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
    iptables: modelOf(dump, IPTABLES_SAVE),
    nft: modelOf(dump, NFT_JSON),
    syncPeriod: config?.syncPeriodSeconds !== undefined
      ? { seconds: config.syncPeriodSeconds, source: config.source }
      : { seconds: DEFAULT_SYNC_PERIOD_S, source: 'kube-proxy default (no syncPeriod in its configuration)' },
    // A bundle is judged at the moment kube-proxy answered its healthz during the capture.
    now: now ?? nodeState.healthz?.currentTime ?? null,
  });
}
