import { shouldUseColor } from '../render/colors.ts';
import { FORMATTERS, type OutputFormat } from '../render/index.ts';
import { terminalWidth } from '../render/options.ts';
import type { ServiceExplanation, TraceReport } from '../model/results.ts';

/** Writes a result to stdout in the chosen format; colour and width are decided once, here. */
export async function printResult(result: ServiceExplanation | TraceReport, format: OutputFormat, colorFlag: boolean): Promise<void> {
  const color = shouldUseColor({ isTTY: process.stdout.isTTY, env: process.env, flag: colorFlag });
  const width = terminalWidth({ isTTY: process.stdout.isTTY, columns: process.stdout.columns, env: process.env });
  const text = (await FORMATTERS[format]())(result, { color, width });
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
