import { renderExplain, renderTrace, shouldUseColor, terminalWidth, toDot, toJson, toMermaid, toTree, toYaml } from '../render/index.ts';
import type { ServiceExplanation, TraceReport } from '../model/results.ts';
import type { OutputFormat } from './output-format.ts';

/** Writes a result to stdout in the chosen format; colour and width are decided once, here. */
export function printResult(result: ServiceExplanation | TraceReport, format: OutputFormat, colorFlag: boolean): void {
  if (format === 'json') return void process.stdout.write(toJson(result));
  if (format === 'yaml') return void process.stdout.write(toYaml(result));
  if (format === 'dot') return void process.stdout.write(toDot(result));
  if (format === 'mermaid') return void process.stdout.write(toMermaid(result));
  const color = shouldUseColor({ isTTY: process.stdout.isTTY, env: process.env, flag: colorFlag });
  const width = terminalWidth({ isTTY: process.stdout.isTTY, columns: process.stdout.columns, env: process.env });
  if (format === 'tree') return void process.stdout.write(toTree(result, { color, width }));
  const options = { format, color, width };
  const text = result.kind === 'ServiceExplanation' ? renderExplain(result, options) : renderTrace(result, options);
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
