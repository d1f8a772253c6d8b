import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import type { Evidence } from '../model/finding.ts';
import type { Step } from '../model/outcome.ts';

const ELLIPSIS = '…';

/** Columns a string takes on a terminal (ANSI escapes take none, wide characters two). */
export function visibleWidth(text: string): number {
  return stringWidth(text);
}

/** Cut plain text to `width` columns, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  for (const char of text) {
    if (stringWidth(out + char) > width - 1) break;
    out += char;
  }
  return out + ELLIPSIS;
}

/** Break text into lines of at most `width` columns, at spaces when possible; words longer than a line are split. */
export function wrapText(text: string, width: number): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '').join(' ');
  return wrapAnsi(words, Math.max(width, 1), { hard: true }).split('\n');
}

/** Share as a percentage with one decimal; never rounds a non-zero share to 0.0% or 100.0%. */
export function formatPercent(p: number): string {
  if (p > 0 && p < 0.0005) return '<0.1%';
  if (p < 1 && p > 0.9995) return '>99.9%';
  return `${(p * 100).toFixed(1)}%`;
}

const MAX_DENOMINATOR = 20;
// iptables stores probabilities as u32 fractions (steps of 2^-32 ≈ 2.3e-10), so a walked share
// is off by up to ~1e-8 after many rules; fractions with denominators <= 20 are >= 1/380 apart.
const FRACTION_TOLERANCE = 1e-7;

/** [numerator, denominator] in lowest terms when p is k/n with n <= 20 and 0 < p < 1, else null. */
export function exactFraction(p: number): [number, number] | null {
  for (let den = 2; den <= MAX_DENOMINATOR; den++) {
    const num = Math.round(p * den);
    if (num > 0 && num < den && Math.abs(p - num / den) < FRACTION_TOLERANCE) return [num, den];
  }
  return null;
}

/** `33.3% (1/3)`: the fraction only where the one-decimal percentage is not exact. */
export function formatShare(p: number): string {
  const percent = formatPercent(p);
  const fraction = exactFraction(p);
  if (fraction === null) return percent;
  const [num, den] = fraction;
  const exactInTenths = Number.isInteger((num * 1000) / den);
  return exactInTenths ? percent : `${percent} (${num}/${den})`;
}

/** `IP:port`, with IPv6 in brackets as in a URL. */
export function formatAddress(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function formatFactor(factor: number | null): string {
  return factor === null ? '-' : factor.toFixed(2);
}

/** SNAT column: the contract says whether the source IP survives; people ask "is it SNATed?". */
export function formatSnat(sourceIPPreserved: boolean | null): string {
  return sourceIPPreserved === null ? '-' : sourceIPPreserved ? 'no' : 'yes';
}

/** Where a step was read: `file:line`, `file handle N` for nft JSON, `model` for decisions. */
export function formatLocation(step: Pick<Step, 'file' | 'line' | 'handle'>): string {
  const file = step.file ?? null;
  if (step.line !== null) return file === null ? `line ${step.line}` : `${file}:${step.line}`;
  if (step.handle !== undefined) return `${file === null ? '' : `${file} `}handle ${step.handle}`;
  return file ?? 'model';
}

export function formatEvidence(evidence: Evidence): string {
  switch (evidence.kind) {
    case 'rule':
      return `${evidence.node} ${formatLocation(evidence)} ${evidence.table}/${evidence.chain}: ${evidence.rule}`;
    case 'endpointslice': {
      const endpoint = evidence.endpoint === undefined ? '' : ` endpoint ${evidence.endpoint}`;
      return `EndpointSlice ${evidence.namespace}/${evidence.name}${endpoint}: ${evidence.detail}`;
    }
    case 'service':
      return `Service ${evidence.namespace}/${evidence.name}: ${evidence.detail}`;
    case 'node':
      return `Node ${evidence.node}: ${evidence.detail}`;
    case 'pod':
      return `Pod ${evidence.namespace}/${evidence.name}: ${evidence.detail}`;
    case 'config':
      return `${evidence.source}: ${evidence.detail}`;
    case 'healthz':
      return `${evidence.node} healthz :${evidence.port}: ${evidence.detail}`;
  }
}
