import { renderExplain, renderTrace, shouldUseColor, toJson, toYaml } from '../render/index.ts';
import type { ServiceExplanation, TraceReport } from '../model/results.ts';
import type { OutputFormat } from './output-format.ts';

/** Writes a result to stdout in the chosen format; colour is decided once, here. */
export function printResult(result: ServiceExplanation | TraceReport, format: OutputFormat, colorFlag: boolean): void {
  if (format === 'json') return void process.stdout.write(toJson(result));
  if (format === 'yaml') return void process.stdout.write(toYaml(result));
  const color = shouldUseColor({ isTTY: process.stdout.isTTY, env: process.env, flag: colorFlag });
  const text = result.kind === 'ServiceExplanation' ? renderExplain(result, { format, color }) : renderTrace(result, { format, color });
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
