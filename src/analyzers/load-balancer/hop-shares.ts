import type { V1Node, V1Service } from '@kubernetes/client-node';
import type { EndpointRef } from '../../model/outcome.ts';
import type { LoadBalancerShare, NodeReport, PathReport } from '../../model/results.ts';
import { loadBalancerExclusion } from '../kube-proxy/index.ts';
import type { Detection } from './detection.ts';

export interface HopShares {
  nodeShares: { node: string; share: number }[];
  shares: LoadBalancerShare[];
  /** Nodes that receive traffic but whose path has no answer (not read and not modelled): traffic there is not counted. */
  unanswered: string[];
}

const key = (e: EndpointRef) => `${e.ip}:${e.port}`;

/**
 * The load balancer's split over nodes combined with each node's walked kube-proxy outcomes:
 * share(pod) = sum over nodes of share(node) x P(node sends to pod), exactly; with ip targets
 * the LB picks among ready pods itself and no node forwards anything.
 */
export function hopShares(
  d: Detection,
  service: V1Service,
  paths: readonly PathReport[],
  nodes: readonly NodeReport[],
  nodeObjects: readonly V1Node[],
  /** Ready endpoints of the first service port: the targets of ip mode, listed with 0 otherwise. */
  endpoints: readonly EndpointRef[],
): HopShares {
  const byEndpoint = new Map<string, LoadBalancerShare>(endpoints.map((e) => [key(e), { endpoint: e, share: 0 }]));
  if (d.delivery === 'pod') {
    // Every ready pod is a target of its own; the split over nodes is the pods' placement.
    const perNode = new Map<string, number>();
    for (const s of byEndpoint.values()) {
      s.share = 1 / endpoints.length;
      if (s.endpoint.node) perNode.set(s.endpoint.node, (perNode.get(s.endpoint.node) ?? 0) + s.share);
    }
    return { nodeShares: sortedNodes(perNode), shares: sortedShares(byEndpoint), unanswered: [] };
  }
  const weights = nodeWeights(d, service, nodes, nodeObjects);
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const nodeShare = new Map([...weights].filter(([, w]) => w > 0).map(([n, w]) => [n, w / total]));
  const port = service.spec?.ports?.[0];
  const entry = d.delivery === 'vip' && paths.some((p) => p.entry === 'LoadBalancer') ? 'LoadBalancer' : 'NodePort';
  const first = paths.find((p) => p.entry === entry && p.from.startsWith('an external client') && p.protocol === (port?.protocol ?? 'TCP'));
  const unanswered: string[] = [];
  for (const [node, share] of nodeShare) {
    const path = first && paths.find((p) => p.node === node && p.entry === entry && p.port === first.port && p.protocol === first.protocol && (entry === 'NodePort' || p.address === first.address));
    if (!path) {
      unanswered.push(node);
      continue;
    }
    for (const o of path.outcomes) {
      if (o.verdict !== 'DNAT' || !o.endpoint) continue;
      const prev = byEndpoint.get(key(o.endpoint)) ?? { endpoint: o.endpoint, share: 0 };
      byEndpoint.set(key(o.endpoint), { endpoint: prev.endpoint, share: prev.share + share * o.probability });
    }
  }
  return { nodeShares: sortedNodes(nodeShare), shares: sortedShares(byEndpoint), unanswered };
}

/**
 * Each entry node's weight: the nodes the implementation names (L2 announcer, BGP advertisers),
 * else every node a cloud controller registers whose health check passes; pods-per-node weighs
 * a node by its ready local endpoints, otherwise each counts once.
 */
function nodeWeights(d: Detection, service: V1Service, nodes: readonly NodeReport[], nodeObjects: readonly V1Node[]): Map<string, number> {
  const local = service.spec?.externalTrafficPolicy === 'Local';
  const report = new Map(nodes.map((n) => [n.name, n]));
  let names: string[];
  if (d.entryNodes) names = d.entryNodes;
  else {
    const excluded = new Set(nodeObjects.filter((n) => loadBalancerExclusion(n) !== null).map((n) => n.metadata?.name));
    names = nodes.map((n) => n.name).filter((n) => !excluded.has(n));
  }
  // The LB's probe of kube-proxy's healthCheckNodePort fails (503) where no local endpoint is ready.
  const probesKubeProxy = d.healthCheck?.target === 'node' && d.healthCheck.port !== null && d.healthCheck.port === service.spec?.healthCheckNodePort;
  if (probesKubeProxy) names = names.filter((n) => report.get(n)?.healthCheck.status !== 503);
  if (d.localAnnouncers && local && !d.entryNodes) names = names.filter((n) => (report.get(n)?.readyLocalEndpoints ?? 0) > 0);
  return new Map(names.map((n) => [n, d.weighting === 'pods-per-node' ? (report.get(n)?.readyLocalEndpoints ?? 0) : 1]));
}

const sortedNodes = (m: Map<string, number>) => [...m].map(([node, share]) => ({ node, share })).sort((a, b) => a.node.localeCompare(b.node));

const sortedShares = (m: Map<string, LoadBalancerShare>) =>
  [...m.values()].sort((a, b) => b.share - a.share || a.endpoint.ip.localeCompare(b.endpoint.ip) || a.endpoint.port - b.endpoint.port);
