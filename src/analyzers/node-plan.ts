import type { V1Node, V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../model/cluster.ts';
import type { ReadsSummary } from '../model/results.ts';
import { resolveProxyConfig, serviceEndpointSlices } from './kube-proxy/index.ts';
import { ZONE_LABEL } from './kube-proxy/nodes.ts';

/** Why a node's dataplane is read for a question about one service. */
export type ReadReason =
  | { kind: 'all' }
  | { kind: 'endpoints' }
  /** The first (by name) of `of` nodes without endpoints that kube-proxy treats alike. */
  | { kind: 'representative'; group: string; of: number };

/** Which nodes to read, and which to answer from kube-proxy's semantics (basis model). */
export interface NodePlan {
  read: { node: string; reason: ReadReason }[];
  model: string[];
}

/**
 * The nodes whose answer for `service` can differ, so whose rules are worth a node read: every
 * node hosting one of its endpoints (local endpoints decide Local policy, hairpin, the health
 * check), and one node without endpoints per group of nodes that kube-proxy programs alike. Within
 * a group, nodes without endpoints get the same rules for the service (no local endpoints: under
 * Local policy a failing health check and a drop for external traffic; the cluster endpoints
 * otherwise), so one read stands for all of them and the rest are answered from the model.
 * A group is one kube-proxy version and proxy mode, and, when the service's endpoints carry
 * topology hints, one zone (hints give each zone its own endpoint list).
 * `all` (--all-nodes, or a bundle, whose dumps cost nothing) reads every node.
 */
export function planNodeReads(state: ClusterState, service: V1Service, all: boolean): NodePlan {
  const nodes = [...state.nodes].filter((n) => n.metadata?.name).sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  if (all) return { read: nodes.map((n) => ({ node: nameOf(n), reason: { kind: 'all' } })), model: [] };

  const slices = serviceEndpointSlices(state, service);
  const hosting = new Set<string>();
  let hinted = false;
  for (const slice of slices) {
    for (const ep of slice.endpoints ?? []) {
      if (ep.nodeName) hosting.add(ep.nodeName);
      if (ep.hints?.forZones?.length || ep.hints?.forNodes?.length) hinted = true;
    }
  }
  const mode = resolveProxyConfig(state.kubeProxyConfig, state.nodes).mode;
  const groups = new Map<string, V1Node[]>();
  for (const n of nodes) {
    if (hosting.has(nameOf(n))) continue;
    const key = groupOf(n, mode, hinted);
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  const read: NodePlan['read'] = [];
  const model: string[] = [];
  for (const n of nodes) {
    const name = nameOf(n);
    if (hosting.has(name)) {
      read.push({ node: name, reason: { kind: 'endpoints' } });
      continue;
    }
    const key = groupOf(n, mode, hinted);
    const members = groups.get(key)!;
    if (members[0] === n) read.push({ node: name, reason: { kind: 'representative', group: key, of: members.length } });
    else model.push(name);
  }
  return { read, model };
}

const nameOf = (n: V1Node) => n.metadata?.name ?? '';

/**
 * kube-proxy's version as the node reports it: kubeProxyVersion is deprecated and empty on
 * recent kubelets (KEP-4004), where kube-proxy runs at the kubelet's version as a rule.
 */
function kubeProxyVersion(n: V1Node): string {
  const info = n.status?.nodeInfo;
  return info?.kubeProxyVersion || info?.kubeletVersion || 'version unknown';
}

function groupOf(n: V1Node, mode: string, hinted: boolean): string {
  const zone = hinted ? `, zone ${n.metadata?.labels?.[ZONE_LABEL] ?? 'none'}` : '';
  return `kube-proxy ${kubeProxyVersion(n)}, ${mode} mode${zone}`;
}

/** How a read node was chosen, for the text output and the JSON `reads` object. */
function describeReason(reason: ReadReason): string {
  switch (reason.kind) {
    case 'all':
      return 'every node';
    case 'endpoints':
      return 'endpoints';
    case 'representative':
      return `no endpoints, for ${reason.of} such node${reason.of === 1 ? '' : 's'} with ${reason.group}`;
  }
}

/**
 * The `reads` object of explain-svc's JSON: which nodes' rules were read (and why), which were
 * answered from the model, and what the reads cost live (null offline, where reads are free).
 */
export function readsSummary(plan: NodePlan, read: Iterable<string>, usage: { apiCalls: number; debugPods: number } | null): ReadsSummary {
  const got = new Set(read);
  const nodesRead = plan.read.filter((r) => got.has(r.node));
  return {
    nodesRead: nodesRead.map((r) => r.node),
    nodesModel: [...plan.read.filter((r) => !got.has(r.node)).map((r) => r.node), ...plan.model].sort(),
    reasons: Object.fromEntries(nodesRead.map((r) => [r.node, describeReason(r.reason)])),
    apiCalls: usage?.apiCalls ?? null,
    debugPods: usage?.debugPods ?? null,
  };
}
