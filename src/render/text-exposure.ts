import type { ExposureRow, ExposureWay } from '../model/exposure.ts';
import type { ServiceExplanation } from '../model/results.ts';
import { formatShare } from './format.ts';
import { indent, inner, wrap } from './sections.ts';
import type { TextContext } from './sections.ts';
import { renderTable } from './tables.ts';

const HEADS: Record<ExposureWay, string> = {
  ClusterIP: 'CLUSTERIP',
  NodePort: 'NODEPORT',
  'LoadBalancer-instance-Cluster': 'LB CLUSTER',
  'LoadBalancer-instance-Local': 'LB LOCAL',
  'LoadBalancer-ip': 'LB IP',
  headless: 'HEADLESS',
};

const NAMES: Record<ExposureWay, string> = {
  ClusterIP: 'ClusterIP from a pod',
  NodePort: 'NodePort',
  'LoadBalancer-instance-Cluster': 'LoadBalancer, instance targets, externalTrafficPolicy Cluster',
  'LoadBalancer-instance-Local': 'LoadBalancer, instance targets, externalTrafficPolicy Local',
  'LoadBalancer-ip': 'LoadBalancer, ip targets',
  headless: 'headless (DNS, client-side balancing)',
};

/**
 * --compare-exposure: one column per way of reaching the pods; rows are the pods' shares, then
 * what is dropped, the remote hop, SNAT and kube-proxy; then each way in words.
 */
export function exposureSection(result: ServiceExplanation, ctx: TextContext): string[] {
  const cmp = result.exposureComparison;
  if (!cmp) return [];
  const { style } = ctx;
  const rows = cmp.rows;
  const body = inner(ctx, 2);
  const head = ['POD', 'NODE', ...rows.map((r) => (r.current ? `${HEADS[r.way]}*` : HEADS[r.way]))];
  const pods = (rows[0]?.shares ?? []).map((s, i) => [
    s.endpoint.pod ?? `${s.endpoint.ip}:${s.endpoint.port}`,
    s.endpoint.node ?? '-',
    ...rows.map((r) => formatShare(r.shares[i]?.share ?? 0)),
  ]);
  const line = (label: string, cell: (r: ExposureRow) => string) => [label, '', ...rows.map(cell)];
  const table = renderTable({
    head,
    rows: [
      ...pods,
      line('dropped', (r) => formatShare(r.droppedShare)),
      line('remote hop', (r) => formatShare(r.remoteHopShare)),
      line('SNAT', (r) => (r.snatShare === null ? 'LB decides' : formatShare(r.snatShare))),
      line('kube-proxy', (r) => (r.kubeProxyOnPath ? 'on path' : 'no')),
      line('basis', (r) => r.basis),
    ],
    maxWidth: body.width,
    wrap: true,
    style,
  });
  const words = rows.flatMap((r) => [
    ...indent(wrap(`${NAMES[r.way]}${r.current ? ' (current)' : ''}`, body), 2).map((l) => style.bold(l)),
    ...indent(
      [
        `hops: ${r.hops}`,
        `pod sees: ${r.clientIPSeen}`,
        `balancing: ${r.balancingDetail}`,
        `health: ${r.healthCheck}`,
        ...r.notes.map((n) => `note: ${n}`),
      ].flatMap((t) => wrap(t, inner(ctx, 4))),
      4,
    ),
  ]);
  return [
    ...wrap(`Ways to reach these pods, port ${cmp.port} (* = how the service is exposed now)`, ctx).map((l) => style.heading(l)),
    ...indent(table, 2),
    ...words,
    ...indent(cmp.assumptions.flatMap((a) => wrap(`assumed: ${a}`, body)), 2),
  ];
}
