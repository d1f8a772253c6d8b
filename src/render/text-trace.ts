import type { TraceReport } from '../model/results.ts';
import { formatAddress } from './format.ts';
import type { RenderOptions } from './options.ts';
import {
  assumptionsSection,
  findingsSection,
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
import { escapeStrings } from './escape.ts';
import { traceVerdict } from './verdict.ts';

/** trace for people: the verdict, the packet, each outcome's rules step by step, the outcomes table. */
export function renderTrace(raw: TraceReport, options: RenderOptions): string {
  const result = escapeStrings(raw);
  const ctx = textContext(options);
  const body = inner(ctx, 2);
  const outcomes = result.outcomes.length === 0
    ? [ctx.style.heading('Outcomes'), '  none']
    : [ctx.style.heading('Outcomes'), ...indent(outcomeTable(result.outcomes, body, true), 2)];
  return joinSections([
    verdictSection(traceVerdict(result), result.findings, ctx),
    packetLines(result, ctx),
    result.outcomes.length === 0 ? [] : [ctx.style.heading('Steps'), ...indent(outcomeSteps(result.outcomes, result.packet.entryNode, body), 2)],
    outcomes,
    findingsSection(result.findings, ctx),
    assumptionsSection(result.assumptions, ctx),
  ]);
}

function packetLines(result: TraceReport, ctx: TextContext): string[] {
  const { style } = ctx;
  const p = result.packet;
  const packet = `Packet ${p.src} -> ${formatAddress(p.dst, p.port)}/${p.protocol} from ${p.from}, entering ${p.entryNode}`;
  const service = result.service === null
    ? 'no Service matches this destination'
    : `Service ${result.service.namespace}/${result.service.name} via ${result.service.entry}`;
  const context = `${service}; proxy mode ${result.proxyMode ?? 'unknown'}; basis ${result.basis}`;
  const lines = [...wrap(packet, ctx).map((l) => style.heading(l)), ...wrap(context, ctx)];
  if (result.basis === 'model') {
    lines.push(...wrap(MODEL_NOTE, ctx).map((l) => style.warn(l)));
  }
  return lines;
}
