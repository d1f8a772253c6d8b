import { Option } from 'commander';
import type { ServiceExplanation, TraceReport } from '../model/results.ts';

/** What every formatter receives besides the result; formats that do not colour or wrap ignore it. */
export interface FormatOptions {
  /** Decide with shouldUseColor(); formatters never look at the terminal themselves. */
  color: boolean;
  /** Columns to fit (see terminalWidth). */
  width: number;
}

/** A formatter only formats (as ESLint's do): a result in, the text to print out. */
export type Formatter = (result: ServiceExplanation | TraceReport, options: FormatOptions) => string;

/** text and wide: the same renderers, the essentials fitted to the width or everything. */
const textFormatter =
  (format: 'text' | 'wide') =>
  async (): Promise<Formatter> => {
    const [{ renderExplain }, { renderTrace }] = await Promise.all([import('./text-explain.ts'), import('./text-trace.ts')]);
    return (result, options) =>
      result.kind === 'ServiceExplanation' ? renderExplain(result, { ...options, format }) : renderTrace(result, { ...options, format });
  };

/**
 * Every `-o` format, name -> loader: each formatter is imported when chosen, so `--help` and the
 * flag's validation and completion, which read only the names, load none of them.
 */
export const FORMATTERS = {
  text: textFormatter('text'),
  wide: textFormatter('wide'),
  json: async (): Promise<Formatter> => (await import('./json.ts')).toJson,
  yaml: async (): Promise<Formatter> => (await import('./yaml.ts')).toYaml,
  tree: async (): Promise<Formatter> => (await import('./tree.ts')).toTree,
  dot: async (): Promise<Formatter> => (await import('./dot.ts')).toDot,
  mermaid: async (): Promise<Formatter> => (await import('./mermaid.ts')).toMermaid,
} as const satisfies Record<string, () => Promise<Formatter>>;

export type OutputFormat = keyof typeof FORMATTERS;

export const OUTPUT_FORMATS = Object.keys(FORMATTERS) as OutputFormat[];

/**
 * `-o, --output`: its choices (what commander validates and completion offers) are the map's
 * names. The flag lives beside the formatters as kubectl's PrintFlags beside its printers.
 */
export const outputOption = () =>
  new Option('-o, --output <format>', 'output format (tree, dot and mermaid draw the path graph)').choices(OUTPUT_FORMATS).default('text');
