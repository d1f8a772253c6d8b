/** Named base-chain priorities (nft(8), "PRIORITY"): `dstnat - 10` is -110 in the ip families. */
const IP_FAMILIES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
const BRIDGE: Record<string, number> = { dstnat: -300, filter: -200, out: 100, srcnat: 300 };

/** `-110`, `filter`, `dstnat - 10`, `srcnat+5` -> number; null when not a priority. */
export function parsePriority(family: string, text: string): number | null {
  const s = text.replace(/\s+/g, '');
  if (/^-?\d+$/.test(s)) return Number(s);
  const m = /^([a-z]+)(?:([+-])(\d+))?$/.exec(s);
  if (!m) return null;
  const names = family === 'bridge' ? BRIDGE : IP_FAMILIES;
  const base = Object.hasOwn(names, m[1] as string) ? names[m[1] as string] : undefined;
  if (base === undefined) return null;
  const delta = m[3] === undefined ? 0 : Number(m[3]) * (m[2] === '-' ? -1 : 1);
  return base + delta;
}
