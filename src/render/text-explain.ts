import type { EntryKind, NodeReport, PathReport, ServiceExplanation, ServicePortSummary, ServiceSummary } from '../model/results.ts';
import { formatAddress, formatFactor, formatShare } from './format.ts';
import type { RenderOptions } from './options.ts';
import {
  assumptionsSection,
  findingsSection,
  fit,
  indent,
  inner,
  joinSections,
  MODEL_NOTE,
  outcomeSteps,
  outcomeTable,
  textContext,
  wrap,
  verdictSection,
  type TextContext,
} from './sections.ts';
import { renderTable } from './tables.ts';
import { escapeStrings } from './escape.ts';
import { nodeHealthRows, nodeHealthTitle } from './node-health.ts';
import { exposureSection } from './text-exposure.ts';
import { explainVerdict } from './verdict.ts';
import { loadBalancerSection } from './text-load-balancer.ts';
import { readsSection } from './reads-section.ts';

/** explain-svc for people: the verdict, service header, paths per entry, health checks, LB shares, findings. */
export function renderExplain(raw: ServiceExplanation, options: RenderOptions): string {
  const result = escapeStrings(raw);
  const ctx = textContext(options);
  return joinSections([
    verdictSection(explainVerdict(result), result.findings, ctx),
    header(result.service, result.nodes, ctx),
    pathsSection(result.paths, ctx),
    nodesSection(result, ctx),
    sharesSection(result, ctx),
    loadBalancerSection(result, ctx),
    observedSection(result, ctx),
    nodeHealthSection(result, ctx),
    findingsSection(result.findings, ctx),
    modesSection(result, ctx),
    exposureSection(result, ctx),
    readsSection(result.reads, ctx),
    assumptionsSection(result.assumptions, ctx),
  ]);
}

/** What the nodes' counters and conntrack show, per node and port, next to the prediction. */
function observedSection(result: ServiceExplanation, ctx: TextContext): string[] {
  if (!result.observed) return [];
  const { style } = ctx;
  const lines = [style.heading('Observed (rule counters: new connections; conntrack: alive now)')];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  for (const p of result.observed.ports) {
    const fit = (name: string, f: { statistic: number; degreesOfFreedom: number; pValue: number } | null) =>
      f ? `${name} chi-square ${f.statistic.toFixed(2)} (df ${f.degreesOfFreedom}, p ${f.pValue.toPrecision(2)})` : null;
    const fits = [fit('counters', p.counterFit), fit('conntrack', p.conntrackFit)].filter((x) => x !== null).join(', ');
    lines.push(`  ${style.bold(`${p.node} ${p.port}/${p.protocol}`)}${fits ? `: ${fits}` : ''}`);
    for (const e of p.endpoints) {
      const states = Object.entries(e.conntrack.states).map(([k, v]) => `${k} ${v}`).join(', ');
      lines.push(`    ${`${e.ip}:${e.port}`.padEnd(21)} ${(e.pod ?? '').padEnd(12)} predicted ${pct(e.predicted).padStart(6)}  counter ${String(e.ruleCounter ?? '-').padStart(5)}  conntrack ${String(e.conntrack.entries).padStart(5)}${states ? ` (${states})` : ''}`);
      // Its own line: the endpoint line is already near the width.
      if (e.ipvsConnections) lines.push(`      IPVS connections now: ${e.ipvsConnections.active} active, ${e.ipvsConnections.inactive} inactive`);
    }
    if (p.cause) lines.push(...indent(wrap(`likely cause: ${p.cause}`, inner(ctx, 4)), 4));
  }
  for (const s of result.observed.stale) {
    lines.push(`  ${style.warn(`stale on ${s.node}`)}: ${s.entries} ${s.protocol} entries ${s.address}:${s.port} -> ${s.endpoint}; clear with: ${s.command}`);
  }
  return lines;
}

/** Each node read with node-state files, as `node` shows it: are its rules current, is conntrack dropping. */
function nodeHealthSection(result: ServiceExplanation, ctx: TextContext): string[] {
  if (!result.nodeHealth) return [];
  const { style } = ctx;
  const lines = [style.heading('Nodes now (kube-proxy and conntrack at the reading)')];
  for (const n of result.nodeHealth) {
    lines.push(`  ${style.bold(n.node)}  ${nodeHealthTitle(n, style.warn)}`);
    const rows = nodeHealthRows(n);
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) {
      // The label column stays clear: wrapped text continues under the text, not the label.
      const [first = '', ...rest] = wrap(v, inner(ctx, 6 + width));
      lines.push(`    ${k.padEnd(width)}  ${first}`, ...indent(rest, 6 + width));
    }
  }
  return lines;
}

/** --compare-modes: per mode, the paths whose answer would differ (wrapped, never cut). */
function modesSection(result: ServiceExplanation, ctx: TextContext): string[] {
  if (!result.modeComparison) return [];
  const { style } = ctx;
  const body = inner(ctx, 4);
  const lines = [style.heading('In other kube-proxy modes (from the API objects)')];
  for (const m of result.modeComparison) {
    const factor = m.loadBalancerShares.length ? `, imbalance factor ${formatFactor(m.imbalanceFactor)}` : '';
    lines.push(`  ${style.bold(m.mode)}: ${m.differences.length === 0 ? 'same answers' : `${m.differences.length} path(s) differ`}${factor}`);
    for (const d of m.differences) lines.push(...indent(wrap(`- ${d}`, body), 4));
  }
  return lines;
}

function formatPort(p: ServicePortSummary): string {
  const name = p.name === '' ? '' : `${p.name} `;
  const target = p.targetPort === null ? '' : ` -> ${p.targetPort}`;
  const nodePort = p.nodePort === null ? '' : ` (nodePort ${p.nodePort})`;
  return `${name}${p.port}/${p.protocol}${target}${nodePort}`;
}

function modeSummary(nodes: NodeReport[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.proxyMode ?? 'mode unknown', (counts.get(n.proxyMode ?? 'mode unknown') ?? 0) + 1);
  const modes = [...counts].map(([mode, count]) => `${mode} ${count}`).join(', ');
  return `${nodes.length} (${modes || 'none'})`;
}

function header(svc: ServiceSummary, nodes: NodeReport[], ctx: TextContext): string[] {
  const { style } = ctx;
  const kind = [svc.type, ...(svc.headless ? ['headless'] : [])].join(', ');
  const external = svc.externalName === null ? '' : ` -> ${svc.externalName}`;
  const policies = [
    ...(svc.externalTrafficPolicy === null ? [] : [`external ${svc.externalTrafficPolicy}`]),
    ...(svc.internalTrafficPolicy === null ? [] : [`internal ${svc.internalTrafficPolicy}`]),
  ];
  const affinity = svc.sessionAffinity.timeoutSeconds === null
    ? svc.sessionAffinity.type
    : `${svc.sessionAffinity.type} (timeout ${svc.sessionAffinity.timeoutSeconds}s)`;
  const rows: [string, string[]][] = [
    ['Cluster IPs', [svc.clusterIPs.join(', ') || 'None']],
    ['Ports', svc.ports.length === 0 ? ['none'] : svc.ports.map(formatPort)],
    ...(svc.externalIPs.length === 0 ? [] : [['External IPs', [svc.externalIPs.join(', ')]] as [string, string[]]]),
    ...(svc.loadBalancerIPs.length === 0 ? [] : [['Load balancer IPs', [svc.loadBalancerIPs.join(', ')]] as [string, string[]]]),
    ...(svc.loadBalancerSourceRanges.length === 0 ? [] : [['Source ranges', [svc.loadBalancerSourceRanges.join(', ')]] as [string, string[]]]),
    ['Traffic policy', [policies.join(', ') || '-']],
    ...(svc.healthCheckNodePort === null ? [] : [['Health check port', [String(svc.healthCheckNodePort)]] as [string, string[]]]),
    ['Session affinity', [affinity]],
    ['Traffic distribution', [svc.trafficDistribution ?? '-']],
    ['Nodes', [modeSummary(nodes)]],
  ];
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 2;
  const valueCtx = inner(ctx, 2 + labelWidth);
  const lines = wrap(`Service ${svc.namespace}/${svc.name} (${kind})${external}`, ctx).map((l) => style.heading(l));
  for (const [label, values] of rows) {
    const valueLines = values.flatMap((v) => wrap(v, valueCtx));
    valueLines.forEach((v, i) => lines.push('  ' + (i === 0 ? label.padEnd(labelWidth) : ' '.repeat(labelWidth)) + v));
  }
  return lines;
}

const ENTRY_ORDER: readonly EntryKind[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalIP'];

/** Paths whose answer is the same on several nodes; members keep their own node and address. */
interface PathGroup {
  first: PathReport;
  members: PathReport[];
}

/**
 * Group paths that give the same answer (same entry, port, protocol, origin, basis and
 * outcomes; steps differ by node and are only shown in wide mode). A node whose answer differs
 * lands in its own group, so summarising never hides it. The rule a group's table cites for a
 * DROP or REJECT (file:line) is part of the answer: every node of a group has it at that line of
 * its own dump, so no node's evidence is cited for another.
 */
function groupPaths(paths: PathReport[]): PathGroup[] {
  const groups = new Map<string, PathGroup>();
  for (const path of paths) {
    const key = JSON.stringify([
      path.entry, path.port, path.protocol, path.from, path.basis,
      path.outcomes.map((o) => [o.verdict, o.probability, o.endpoint, o.hop, o.sourceIPPreserved, o.dynamic, o.conditions, citedRule(o)]),
    ]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { first: path, members: [path] });
    else group.members.push(path);
  }
  return [...groups.values()];
}

/** The rule the outcome table names for an outcome without an endpoint (see outcomeTable). */
function citedRule(o: PathReport['outcomes'][number]): string | null {
  const last = o.steps[o.steps.length - 1];
  return o.endpoint === null && last?.file ? `${last.chain} ${last.file}:${last.line ?? ''}:${last.handle ?? ''}` : null;
}

const MAX_MEMBER_LINES = 3;

/** `on 3 nodes: a, b, c`, wrapped; past three lines the rest (same answer) is counted. */
function memberLines(names: string[], ctx: TextContext): string[] {
  const label = (k: number) => `on ${names.length} nodes: ${names.slice(0, k).join(', ')}`;
  if (names.length === 1) return wrap(`on ${names[0]}`, ctx);
  const all = wrap(label(names.length), ctx);
  if (all.length <= MAX_MEMBER_LINES) return all;
  // Only nodes with this very answer are elided; -o wide prints every path on its own.
  let listed = 1;
  while (wrap(label(listed + 1), ctx).length <= MAX_MEMBER_LINES) listed++;
  return [
    ...wrap(label(listed), ctx),
    fit(`... and ${names.length - listed} more with the same answer (-o wide lists each)`, ctx),
  ];
}

function groupHeading({ first, members }: PathGroup, ctx: TextContext): string[] {
  const { style } = ctx;
  const sameAddress = members.every((m) => m.address === first.address);
  const address = sameAddress ? formatAddress(first.address, first.port) : `*:${first.port}`;
  const lines = wrap(`${first.entry} ${address}/${first.protocol} from ${first.from}`, ctx).map((l) => style.bold(l));
  if (first.basis === 'model') {
    lines.push(...wrap(MODEL_NOTE, ctx).map((line) => style.warn(line)));
  }
  const names = members.map((m) => (sameAddress ? m.node : `${m.node} ${m.address}`));
  return [...lines, ...memberLines(names, ctx)];
}

function pathsSection(paths: PathReport[], ctx: TextContext): string[] {
  const { style } = ctx;
  if (paths.length === 0) return [style.heading('Paths'), '  none: kube-proxy programs no rules for this service'];
  const body = inner(ctx, 2);
  const sorted = [...paths].sort((a, b) => ENTRY_ORDER.indexOf(a.entry) - ENTRY_ORDER.indexOf(b.entry));
  const blocks: string[][] = ctx.wide
    ? sorted.map((path) => pathBlockWide(path, body))
    : groupPaths(sorted).map((group) => [
        ...groupHeading(group, body),
        ...outcomeTable(group.first.outcomes, body, false),
      ]);
  return [style.heading('Paths'), ...blocks.flatMap((b, i) => [...(i > 0 ? [''] : []), ...indent(b, 2)])];
}

function pathBlockWide(path: PathReport, ctx: TextContext): string[] {
  const { style } = ctx;
  const address = formatAddress(path.address, path.port);
  return [
    style.bold(`${path.entry} ${address}/${path.protocol} from ${path.from} on ${path.node}`) + style.dim(`  basis ${path.basis}`),
    ...indent(outcomeTable(path.outcomes, ctx, true), 2),
    '',
    ...indent(outcomeSteps(path.outcomes, path.node, ctx), 2),
  ];
}

/** Health checks per node (predicted, observed, reason); in wide mode the node table always. */
function nodesSection(result: ServiceExplanation, ctx: TextContext): string[] {
  const port = result.service.healthCheckNodePort;
  if (result.nodes.length === 0 || (port === null && !ctx.wide)) return [];
  const { style } = ctx;
  const withObserved = result.nodes.some((n) => n.healthCheck.observed != null);
  const head = [
    'NODE', 'MODE', ...(ctx.wide ? ['MODE FROM'] : []), 'LOCAL',
    ...(port === null ? [] : ['PREDICTED', ...(withObserved ? ['OBSERVED'] : []), ...(withObserved && ctx.wide ? ['OBSERVED FROM'] : []), 'REASON']),
  ];
  const rows = result.nodes.map((n) => {
    const hc = n.healthCheck;
    const observed = hc.observed ?? null;
    const observedText = observed === null
      ? '-'
      : `${observed.status ?? 'no answer'}${observed.localEndpoints === null ? '' : ` (${observed.localEndpoints} local)`}`;
    return [
      n.name, n.proxyMode ?? '?', ...(ctx.wide ? [n.proxyModeSource ?? '-'] : []), String(n.readyLocalEndpoints),
      ...(port === null
        ? []
        : [
            style.status(hc.status, String(hc.status ?? '-')),
            ...(withObserved ? [observed === null ? '-' : style.status(observed.status, observedText)] : []),
            ...(withObserved && ctx.wide ? [observed?.source ?? '-'] : []),
            hc.reason,
          ]),
    ];
  });
  const title = port === null ? 'Nodes' : `Health checks (healthCheckNodePort ${port})`;
  const table = renderTable({ head, rows, maxWidth: inner(ctx, 2).width, wrap: true, shrinkFirst: [head.length - 1], style });
  return [...wrap(title, ctx).map((l) => style.heading(l)), ...indent(table, 2)];
}

function sharesSection(result: ServiceExplanation, ctx: TextContext): string[] {
  // A LoadBalancer Service's shares come from the load balancer actually detected (its hop section);
  // the even-spread table stays for NodePort Services only, where no load balancer is known.
  if (result.loadBalancerShares.length === 0 || result.loadBalancer) return [];
  const { style } = ctx;
  const body = inner(ctx, 2);
  const head = ['POD', 'ADDRESS', 'NODE', 'SHARE'];
  const rows = result.loadBalancerShares.map(({ endpoint, share }) => [
    endpoint.pod ?? '-',
    formatAddress(endpoint.ip, endpoint.port),
    endpoint.node ?? '-',
    share === 0 ? style.warn(formatShare(share)) : formatShare(share),
  ]);
  return [
    ...wrap('Load balancer shares (connections spread evenly over nodes passing the health check)', ctx).map((l) => style.heading(l)),
    ...indent(renderTable({ head, rows, maxWidth: body.width, wrap: true, style }), 2),
    ...indent(wrap(`imbalance factor ${formatFactor(result.imbalanceFactor)} (largest share / smallest non-zero share)`, body), 2),
  ];
}
