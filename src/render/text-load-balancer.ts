import type { LoadBalancerReport } from '../analyzers/load-balancer/types.ts';
import type { ServiceExplanation } from '../model/results.ts';
import { formatAddress, formatShare } from './format.ts';
import { indent, inner, wrap, type TextContext } from './sections.ts';
import { renderTable } from './tables.ts';

/**
 * explain-svc's load-balancer hop: client -> load balancer -> (node -> kube-proxy ->) pod, the
 * LB's share per node next to its own health check and kube-proxy's answer there, then per pod;
 * the in-cluster path and the Ingresses routing to the service.
 */
export function loadBalancerSection(result: ServiceExplanation, ctx: TextContext): string[] {
  const lb = result.loadBalancer;
  const lines: string[] = [];
  if (lb) lines.push(...hopLines(lb, result, ctx));
  for (const ing of result.ingresses ?? []) {
    const { style } = ctx;
    lines.push(style.heading(`Ingress ${ing.namespace}/${ing.name}`) + ` (${ing.className ?? 'no class'}${ing.controller ? `, ${ing.controller}` : ''})`);
    const said = ing.hops.length ? ing.hops : ['path not modelled: controller not known to netpath'];
    lines.push(...indent(said.flatMap((h) => wrap(h, inner(ctx, 2))), 2));
  }
  return lines;
}

function hopLines(lb: LoadBalancerReport, result: ServiceExplanation, ctx: TextContext): string[] {
  const { style } = ctx;
  const body = inner(ctx, 2);
  const path = lb.kubeProxyOnPath
    ? 'client -> load balancer -> node -> kube-proxy -> pod'
    : 'client -> load balancer -> pod (no NodePort, no kube-proxy, no second hop)';
  const what = `${lb.implementation}${lb.assumed ? ' (assumed)' : ''}, ${lb.targetType === 'ip' ? 'pod (ip)' : 'node'} targets, entry ${lb.entry}`;
  const hc = lb.healthCheck;
  const probe = hc ? `${hc.protocol}${hc.port !== null ? ` port ${hc.port}` : ''}${hc.path ? ` ${hc.path}` : ''} on each ${hc.target}` : 'none (the load balancer probes nothing)';
  const lines = [
    style.heading('Load balancer hop'),
    ...indent(wrap(`${what}: ${path}`, body), 2),
    ...indent(wrap(`its health check${lb.assumed ? ' (assumed)' : ''}: ${probe}`, body), 2),
  ];
  // The source address the load balancer hands on, before kube-proxy's own SNAT (paths' SNAT column).
  const clientIP = lb.evidence.find((e) => e.kind === 'client-ip');
  if (clientIP) lines.push(...indent(wrap(`at the load balancer: ${clientIP.detail}`, body), 2));
  if (lb.kubeProxyOnPath) {
    const share = new Map(lb.nodeShares.map((n) => [n.node, n.share]));
    const rows = result.nodes.map((n) => [
      n.name,
      formatShare(share.get(n.name) ?? 0),
      kubeProxyAnswer(n),
    ]);
    lines.push(...indent(renderTable({ head: ['NODE', 'LB SHARE', 'KUBE-PROXY HEALTH'], rows, maxWidth: body.width, wrap: true, style }), 2));
  }
  const podRows = lb.shares.map((s) => [s.endpoint.pod ?? '-', formatAddress(s.endpoint.ip, s.endpoint.port), s.endpoint.node ?? '-', s.share === 0 ? style.warn(formatShare(0)) : formatShare(s.share)]);
  if (podRows.length) lines.push(...indent(renderTable({ head: ['POD', 'ADDRESS', 'NODE', 'LB SHARE'], rows: podRows, maxWidth: body.width, wrap: true, style }), 2));
  const hairpin = lb.inCluster.hairpinRisk ? style.warn(' (hairpin risk)') : '';
  lines.push(...indent(wrap(`pods to the load-balancer address: ${lb.inCluster.path}${hairpin}: ${lb.inCluster.reason}`, body), 2));
  const rest = lb.evidence.filter((e) => e !== clientIP);
  const shown = ctx.wide ? rest : rest.slice(0, 3);
  lines.push(...indent(shown.flatMap((e) => wrap(`${e.kind} ${e.ref}: ${e.detail}`, inner(ctx, 4))), 2));
  if (shown.length < rest.length) lines.push(`  ... ${rest.length - shown.length} more (-o wide)`);
  return lines;
}

/** kube-proxy's predicted answer on healthCheckNodePort, with the answer read from the node when there is one. */
function kubeProxyAnswer(n: ServiceExplanation['nodes'][number]): string {
  const predicted = n.healthCheck.status === null ? '-' : String(n.healthCheck.status);
  const observed = n.healthCheck.observed?.status;
  return observed === undefined || observed === null ? predicted : `${predicted} (read ${observed})`;
}
