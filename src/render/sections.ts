import type { Finding } from '../model/finding.ts';
import type { Outcome, Step } from '../model/outcome.ts';
import { makeStyle, type Style } from './colors.ts';
import {
  formatAddress,
  formatEvidence,
  formatLocation,
  formatShare,
  formatSnat,
  truncate,
  visibleWidth,
  wrapText,
} from './format.ts';
import { DEFAULT_WIDTH, type RenderOptions } from './options.ts';
import { renderTable, type Row } from './tables.ts';

/** Text pieces shared by explain-svc and trace. Each returns lines for the caller to indent. */
export interface TextContext {
  style: Style;
  wide: boolean;
  /** Columns available to the lines being built; null in wide mode (nothing is cut). */
  width: number | null;
}

export function textContext(options: RenderOptions): TextContext {
  const wide = options.format === 'wide';
  return { style: makeStyle(options.color), wide, width: wide ? null : (options.width ?? DEFAULT_WIDTH) };
}

/** The same context for lines that the caller will indent by `by` columns. */
export function inner(ctx: TextContext, by: number): TextContext {
  return { ...ctx, width: ctx.width === null ? null : Math.max(ctx.width - by, 10) };
}

export function indent(lines: string[], by: number): string[] {
  const pad = ' '.repeat(by);
  return lines.map((line) => (line === '' ? line : pad + line));
}

/** Plain text cut to the available width (default mode only). */
export function fit(text: string, ctx: TextContext): string {
  return ctx.width === null ? text : truncate(text, ctx.width);
}

/** Plain text wrapped to the available width (default mode only). */
export function wrap(text: string, ctx: TextContext): string[] {
  return ctx.width === null ? [text] : wrapText(text, ctx.width);
}

export const MODEL_NOTE = 'basis model: kube-proxy semantics applied to the API objects; the rules were not read';

export const DYNAMIC_NOTE = '* depends on run-time state (session affinity, scheduler): steady-state share shown';

/**
 * Verdict, share, endpoint, hop and SNAT of each outcome; `#` numbers match outcomeSteps.
 * The default mode names the endpoint by its pod (its address when it has none) so that a
 * full pod name fits in 100 columns; wide mode adds address and node. Conditions go on a
 * line of their own under their outcome, for the same reason.
 */
export function outcomeTable(outcomes: Outcome[], ctx: TextContext, numbered: boolean): string[] {
  const { style, wide } = ctx;
  const address = (o: Outcome) => (o.endpoint === null ? '-' : formatAddress(o.endpoint.ip, o.endpoint.port));
  const head = [
    ...(numbered ? ['#'] : []),
    'VERDICT', 'SHARE',
    ...(wide ? ['POD', 'ADDRESS', 'NODE'] : ['ENDPOINT']),
    'HOP', 'SNAT',
  ];
  const rows: Row[] = outcomes.flatMap((o, i) => [
    [
      ...(numbered ? [String(i + 1)] : []),
      style.verdict(o.verdict),
      formatShare(o.probability) + (o.dynamic ? '*' : ''),
      ...(wide ? [o.endpoint?.pod ?? '-', address(o), o.endpoint?.node ?? '-'] : [o.endpoint === null ? decidedBy(o) : (o.endpoint.pod ?? address(o))]),
      o.hop ?? '-',
      formatSnat(o.sourceIPPreserved),
    ],
    ...(o.conditions.length === 0 ? [] : [{ note: `when ${o.conditions.join('; ')}` }]),
  ]);
  const lines = renderTable({ head, rows, maxWidth: ctx.width, wrap: true, style });
  if (outcomes.some((o) => o.dynamic)) lines.push(style.dim(fit(DYNAMIC_NOTE, ctx)));
  return lines;
}

/** For a DROP, REJECT or ACCEPT: the rule that decided it, `CHAIN file:line` (NO-MATCH has none). */
function decidedBy(o: Outcome): string {
  const last = o.steps[o.steps.length - 1];
  return o.verdict !== 'NO-MATCH' && last?.file ? `by ${last.chain} ${formatLocation(last)}` : '-';
}

/** An outcome's heading (`#1 DNAT 33.3% (1/3)  pod`) and where it goes, for its steps. */
export function outcomeHeading(outcome: Outcome, index: number, ctx: TextContext): string[] {
  const { style } = ctx;
  const prefix = `#${index + 1} `;
  const share = ` ${formatShare(outcome.probability)}${outcome.dynamic ? '*' : ''}`;
  const pod = outcome.endpoint?.pod ?? null;
  const rest = share + (pod === null ? '' : `  ${pod}`);
  const room = ctx.width === null ? null : ctx.width - prefix.length - outcome.verdict.length;
  const heading = style.bold(prefix) + style.verdict(outcome.verdict) + (room === null ? rest : truncate(rest, room));
  const endpoint = outcome.endpoint;
  const where = [
    ...(endpoint === null ? [] : [`${formatAddress(endpoint.ip, endpoint.port)} on ${endpoint.node ?? 'unknown node'}`]),
    ...(outcome.hop === null ? [] : [`hop ${outcome.hop}`]),
    ...(outcome.sourceIPPreserved === null ? [] : [outcome.sourceIPPreserved ? 'source IP kept' : 'SNAT (source IP lost)']),
  ];
  const body = inner(ctx, prefix.length);
  return [heading, ...indent(where.length === 0 ? [] : wrap(where.join(', '), body), prefix.length)];
}

/**
 * The rules a packet took: `table/chain  file:line`, then the rule text below it, cut to the
 * width in default mode and whole in wide mode. Steps on another node than `node` say so.
 */
export function stepLines(steps: Step[], node: string, ctx: TextContext, decided: boolean): string[] {
  const { style } = ctx;
  const lines: string[] = [];
  steps.forEach((step, i) => {
    const number = `${i + 1}. `;
    const pad = ' '.repeat(number.length);
    const where = formatLocation(step) + (step.node === node ? '' : ` on ${step.node}`);
    const ruleCtx = inner(ctx, number.length);
    const head = `${step.table}/${step.chain}  ${where}`;
    const headLines = ruleCtx.width === null || visibleWidth(head) <= ruleCtx.width ? [head] : wrap(head, ruleCtx);
    lines.push(...headLines.map((l, j) => (j === 0 ? number : pad) + l));
    // The rule that decided a DROP/REJECT/ACCEPT is the answer: whole, wrapped; others are cut.
    const rule = decided && i === steps.length - 1 ? wrap(step.rule, ruleCtx) : [fit(step.rule, ruleCtx)];
    lines.push(...rule.map((l) => pad + style.dim(l)));
  });
  return lines;
}

/** Each outcome's heading, its conditions and its steps. */
export function outcomeSteps(outcomes: Outcome[], node: string, ctx: TextContext): string[] {
  const lines: string[] = [];
  outcomes.forEach((outcome, i) => {
    if (i > 0) lines.push('');
    lines.push(...outcomeHeading(outcome, i, ctx));
    const body = inner(ctx, 3);
    const when = outcome.conditions.flatMap((c) => wrap(`when ${c}`, body));
    const decided = outcome.verdict !== 'DNAT' && outcome.verdict !== 'NO-MATCH';
    const steps = outcome.steps.length === 0 ? ['(no steps recorded)'] : stepLines(outcome.steps, node, body, decided);
    lines.push(...indent([...when, ...steps], 3));
  });
  return lines;
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;
const SEVERITY_COLUMN = 9;

/**
 * Findings as blocks (severity and id, then message and remediation wrapped, never cut): a
 * finding is what an on-call engineer acts on. Wide mode adds every evidence item.
 */
export function findingsSection(findings: Finding[], ctx: TextContext): string[] {
  if (findings.length === 0) return [];
  const { style } = ctx;
  const body = inner(ctx, 2 + SEVERITY_COLUMN);
  const sorted = [...findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  const lines = [style.heading('Findings')];
  for (const f of sorted) {
    const label = f.severity.padEnd(SEVERITY_COLUMN);
    lines.push('  ' + style.severity(f.severity, label) + style.bold(fit(f.id, body)));
    const text = [...wrap(f.message, body), ...wrap(`fix: ${f.remediation}`, body)];
    if (ctx.wide) text.push(...f.evidence.map((e) => `- ${formatEvidence(e)}`));
    lines.push(...indent(text, 2 + SEVERITY_COLUMN));
  }
  return lines;
}

/** Defaults netpath assumed: dimmed, wrapped in default mode. */
export function assumptionsSection(assumptions: string[], ctx: TextContext): string[] {
  if (assumptions.length === 0) return [];
  const body = inner(ctx, 4);
  return [ctx.style.heading('Assumptions'), ...assumptions.flatMap((a) => wrap(a, body).map((l, i) => ctx.style.dim(`${i === 0 ? '  - ' : '    '}${l}`)))];
}

/** The verdict lines, wrapped: the traffic sentence in bold, the finding line by severity. */
export function verdictSection(sentences: string[], findings: Finding[], ctx: TextContext): string[] {
  const { style } = ctx;
  const [traffic = '', finding = ''] = sentences;
  const worst = findings.find((f) => f.severity === 'error') ?? findings.find((f) => f.severity === 'warning');
  const paintFinding = (l: string) => (worst === undefined ? l : style.severity(worst.severity, l));
  return [...wrap(traffic, ctx).map((l) => style.bold(l)), ...wrap(finding, ctx).map(paintFinding)];
}

/** Sections separated by one blank line, ending with a newline. */
export function joinSections(sections: string[][]): string {
  return sections.filter((s) => s.length > 0).map((s) => s.join('\n')).join('\n\n') + '\n';
}
