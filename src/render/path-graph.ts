import type { Outcome, Step } from '../model/outcome.ts';
import type { EntryKind, PathReport, ServiceExplanation, TraceReport } from '../model/results.ts';
import { escapeStrings } from './escape.ts';
import { formatAddress, formatLocation, formatShare } from './format.ts';

/**
 * The path graph behind -o dot, -o mermaid and -o tree: client -> load balancer -> nodes ->
 * the rule that decides on each node -> endpoints (or dropped/rejected). One entry of the
 * service is drawn, the most external one (LoadBalancer, ExternalIP, NodePort, then ClusterIP).
 */
export type GraphNodeKind = 'client' | 'balancer' | 'node' | 'rule' | 'endpoint' | 'sink';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  /** Lines of the label, plain text. */
  label: string[];
}

export interface GraphEdge {
  from: string;
  to: string;
  label: string;
}

export interface PathGraph {
  title: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const DRAW_ORDER: readonly EntryKind[] = ['LoadBalancer', 'ExternalIP', 'NodePort', 'ClusterIP'];

const SINKS = {
  DROP: { id: 'dropped', label: 'dropped' },
  REJECT: { id: 'rejected', label: 'rejected (connection refused)' },
  ACCEPT: { id: 'accepted', label: 'accepted by the node itself' },
  'NO-MATCH': { id: 'unchanged', label: 'no kube-proxy rule: passes unchanged' },
} as const;

class GraphBuilder {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, GraphEdge>();
  private readonly endpointShares = new Map<string, number>();

  /** `totals`: shares are of all client traffic (behind a load balancer), so an endpoint's add up. */
  private readonly totals: boolean;

  constructor(totals: boolean) {
    this.totals = totals;
  }

  node(id: string, kind: GraphNodeKind, label: string[]): string {
    if (!this.nodes.has(id)) this.nodes.set(id, { id, kind, label });
    return id;
  }

  /** An edge once per (from, to); callers add up shares before drawing. */
  edge(from: string, to: string, label: string): void {
    const key = `${from}\u0000${to}`;
    if (!this.edges.has(key)) this.edges.set(key, { from, to, label });
  }

  /**
   * What each node does with the traffic it gets: `share` is the node's part of the client
   * traffic (1 when the drawing follows one node). Shares past a node are of the client traffic.
   */
  outcomes(node: string, outcomes: Outcome[], share: number): void {
    const nodeId = `node/${node}`;
    const ruleShares = new Map<string, number>();
    const targets: { rule: string; target: string; label: string }[] = [];
    for (const o of outcomes) {
      const rule = this.rule(node, o);
      const overall = share * o.probability;
      ruleShares.set(rule, (ruleShares.get(rule) ?? 0) + overall);
      if (o.verdict === 'DNAT' && o.endpoint !== null) {
        const address = formatAddress(o.endpoint.ip, o.endpoint.port);
        const id = o.endpoint.pod === null ? `endpoint/${address}` : `pod/${o.endpoint.pod}`;
        this.node(id, 'endpoint', [o.endpoint.pod ?? address, ...(o.endpoint.pod === null ? [] : [address]), `on ${o.endpoint.node ?? 'unknown node'}`]);
        this.endpointShares.set(id, (this.endpointShares.get(id) ?? 0) + overall);
        targets.push({ rule, target: id, label: `DNAT ${formatShare(overall)}` });
      } else {
        const sink = SINKS[o.verdict === 'DNAT' ? 'NO-MATCH' : o.verdict];
        this.node(sink.id, 'sink', [sink.label]);
        targets.push({ rule, target: sink.id, label: overall > 0 ? `${o.verdict} ${formatShare(overall)}` : o.verdict });
      }
    }
    for (const [rule, s] of ruleShares) this.edge(nodeId, rule, formatShare(s));
    for (const t of targets) this.edge(t.rule, t.target, t.label);
  }

  /** The node's rule that decides an outcome (see decidingStep); one graph node per node and chain. */
  private rule(node: string, o: Outcome): string {
    const step = decidingStep(o);
    const chain = step === undefined ? 'kube-proxy' : `${step.table}/${step.chain}`;
    const id = `rule/${node}/${chain}`;
    return this.node(id, 'rule', [chain, ...(step === undefined ? [] : [`${formatLocation(step)} on ${node}`])]);
  }

  build(title: string): PathGraph {
    const nodes = [...this.nodes.values()].map((n) => {
      const total = this.endpointShares.get(n.id);
      return total === undefined || !this.totals ? n : { ...n, label: [...n.label, `${formatShare(total)} of the traffic`] };
    });
    return { title, nodes, edges: [...this.edges.values()] };
  }
}

/**
 * For a DNAT, the rule that chose the endpoint: the step before the endpoint's own rules (the
 * last run of steps in one chain that name the endpoint's address: iptables KUBE-SEP-*,
 * nftables endpoint-*, an IPVS real server), i.e. the statistic rule, the numgen map or the
 * IPVS virtual server. For DROP, REJECT, ACCEPT and NO-MATCH, the last rule taken.
 */
export function decidingStep(o: Outcome): Step | undefined {
  const steps = o.steps;
  if (o.verdict !== 'DNAT' || o.endpoint === null) return steps[steps.length - 1];
  const ip = o.endpoint.ip;
  const names = (s: Step) => s.rule.includes(ip) || s.chain.includes(ip);
  let i = steps.findLastIndex(names);
  if (i < 0) return steps[steps.length - 1];
  while (i > 0 && steps[i - 1]!.chain === steps[i]!.chain && names(steps[i - 1]!)) i--;
  return steps[i > 0 ? i - 1 : i];
}

function explainGraph(result: ServiceExplanation): PathGraph {
  const svc = `${result.service.namespace}/${result.service.name}`;
  const entry = DRAW_ORDER.find((e) => result.paths.some((p) => p.entry === e));
  const g = new GraphBuilder(entry === 'LoadBalancer');
  if (entry === undefined) return g.build(`${svc}: no paths (kube-proxy programs no rules for this service)`);
  const first = result.paths.find((p) => p.entry === entry)!;
  const paths = result.paths.filter((p) => p.entry === entry && p.port === first.port && p.protocol === first.protocol);
  const client = g.node('client', 'client', [entry === 'ClusterIP' ? 'a pod on each node' : first.from]);
  const address = `${formatAddress(first.address, first.port)}/${first.protocol}`;
  if (entry === 'LoadBalancer') {
    const lb = g.node('lb', 'balancer', ['load balancer', address]);
    g.edge(client, lb, 'LoadBalancer');
    for (const [path, share, label] of balancerShares(paths, result)) {
      g.edge(lb, g.node(`node/${path.node}`, 'node', [path.node]), label);
      g.outcomes(path.node, path.outcomes, share);
    }
    return g.build(`${svc}: ${entry} ${address}, shares of the load balancer's connections`);
  }
  for (const path of paths) {
    g.edge(client, g.node(`node/${path.node}`, 'node', [path.node]), `${entry} ${formatAddress(path.address, path.port)}`);
    g.outcomes(path.node, path.outcomes, 1);
  }
  return g.build(`${svc}: ${entry} port ${first.port}/${first.protocol}, shares of the connections each node receives`);
}

/**
 * The load balancer spreads connections evenly over the nodes that pass its health check
 * (all nodes when the service has no healthCheckNodePort), as loadBalancerShares assumes.
 */
function balancerShares(paths: PathReport[], result: ServiceExplanation): [PathReport, number, string][] {
  const status = (node: string) => result.nodes.find((n) => n.name === node)?.healthCheck.status ?? null;
  const checked = result.service.healthCheckNodePort !== null;
  const healthy = paths.filter((p) => !checked || status(p.node) === 200);
  return paths.map((p) => {
    const share = healthy.includes(p) ? 1 / healthy.length : 0;
    return [p, share, `${formatShare(share)}${checked ? ` (health ${status(p.node) ?? '-'})` : ''}`];
  });
}

function traceGraph(result: TraceReport): PathGraph {
  const p = result.packet;
  const g = new GraphBuilder(false);
  const client = g.node('client', 'client', [p.src, p.from]);
  const address = `${formatAddress(p.dst, p.port)}/${p.protocol}`;
  g.edge(client, g.node(`node/${p.entryNode}`, 'node', [p.entryNode]), address);
  g.outcomes(p.entryNode, result.outcomes, 1);
  const service = result.service === null ? 'no service' : `${result.service.namespace}/${result.service.name} ${result.service.entry}`;
  return g.build(`trace ${p.src} -> ${address} (${service}), entering ${p.entryNode}`);
}

/** The graph of a result, with every string from the API or dumps escaped (see escape.ts). */
export function buildPathGraph(result: ServiceExplanation | TraceReport): PathGraph {
  return result.kind === 'Trace' ? traceGraph(escapeStrings(result)) : explainGraph(escapeStrings(result));
}
