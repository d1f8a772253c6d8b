import { allNodeNames } from '../analyzers/node-scope.ts';
import { nodeHealth } from '../analyzers/node-health.ts';
import type { NodeHealth } from '../analyzers/node-health.ts';
import { NODE_FILES } from '../cluster/bundle-layout.ts';
import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import type { NodeDump } from '../cluster/source.ts';
import { parseIptablesDump } from '../dataplane/iptables/parse.ts';
import { parseNftJson } from '../dataplane/nftables/parse-json.ts';
import { readNodeState } from '../dataplane/node-state/node-state.ts';
import { notFound } from '../errors.ts';
import type { ClusterState } from '../model/cluster.ts';
import { renderNodeHealth } from '../render/node-health.ts';
import type { GlobalOptions } from './global-options.ts';
import { openSource } from './open-source.ts';

/** kube-proxy's default syncPeriod (KubeProxyConfiguration iptables/nftables/ipvs.syncPeriod). */
const DEFAULT_SYNC_PERIOD_S = 30;

export type NodeFlags = GlobalOptions & NodeAccessFlags & { output: 'text' | 'json' | 'yaml' };

export interface NodeHealthReport {
  apiVersion: 'netpath/v1alpha1';
  kind: 'NodeHealthReport';
  nodes: (NodeHealth & { read: boolean })[];
}

/** Run: node with its parsed flags; prints the report. */
export async function runNode(names: string[], opts: NodeFlags): Promise<void> {
  const report = await nodeReport(names, opts);
  process.stdout.write(await renderNodeHealth(report, opts.output, opts.color));
}

async function nodeReport(names: string[], opts: NodeFlags): Promise<NodeHealthReport> {
  const { source } = await openSource(opts);
  try {
    const state = await source.readState({ kind: 'all-services' });
    const known = allNodeNames(state);
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length > 0) throw notFound(`node ${unknown.join(', ')} not found (nodes: ${known.join(', ') || 'none'})`);
    const nodes = names.length > 0 ? names : known;
    const dumps = await source.readNodes({ nodes, healthCheckPorts: [] });
    const live = !opts.snapshot;
    return {
      apiVersion: 'netpath/v1alpha1',
      kind: 'NodeHealthReport',
      nodes: nodes.map((node) => {
        const dump = dumps.get(node);
        return dump ? { ...healthOf(dump, state, live ? Date.now() : null), read: true } : { ...unread(node), read: false };
      }),
    };
  } finally {
    await source.close();
  }
}

function healthOf(dump: NodeDump, state: ClusterState, now: number | null): NodeHealth {
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

function unread(node: string): NodeHealth {
  return {
    node, proxyMode: null, kubeProxyVersion: null, healthy: null, sync: [], pendingChanges: null,
    iptablesBackend: null, rules: null, conntrack: null, findings: [],
  };
}
