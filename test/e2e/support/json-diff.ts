import { isDeepStrictEqual } from 'node:util';

export interface JsonDifference {
  /** e.g. `nodes[0].healthCheck.observed.source` */
  path: string;
  left: unknown;
  right: unknown;
}

/** Every leaf where two JSON documents differ (as JSON.stringify would write them). */
export function jsonDifferences(left: unknown, right: unknown): JsonDifference[] {
  const out: JsonDifference[] = [];
  walk(JSON.parse(JSON.stringify(left)) as unknown, JSON.parse(JSON.stringify(right)) as unknown, '', out);
  return out;
}

function walk(a: unknown, b: unknown, at: string, out: JsonDifference[]): void {
  if (isDeepStrictEqual(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${at}[${i}]`, out);
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) walk(ra[k], rb[k], at ? `${at}.${k}` : k, out);
    return;
  }
  out.push({ path: at, left: a, right: b });
}
