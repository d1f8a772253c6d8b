import { DumpParseError } from '../errors.ts';

/** One sample of the Prometheus text exposition format. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  line: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

/**
 * Parses the text format (version 0.0.4) kube-proxy serves on :10249/metrics. Written here rather
 * than taken from a package because a bad line must be reported with its line number.
 */
export function parsePrometheusText(text: string, file: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new DumpParseError(file, i + 1, 'not a Prometheus text-format sample');
    const value = parseValue(m[3]!);
    if (value === null) throw new DumpParseError(file, i + 1, `not a sample value: ${JSON.stringify(m[3])}`);
    samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? '', file, i + 1), value, line: i + 1 });
  }
  return samples;
}

function parseValue(v: string): number | null {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (v === 'NaN') return Number.NaN;
  // Any other spelling must be a float64: 1e309 is out of range (Go's ParseFloat refuses it), not +Inf.
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function parseLabels(text: string, file: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const at = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (!m) {
      if (text.slice(at).trim() === '') break;
      throw new DumpParseError(file, line, `bad label list near ${JSON.stringify(text.slice(at, at + 30))}`);
    }
    labels[m[1]!] = m[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}
