/** IPv4/IPv6 address and CIDR helpers shared by every parser and analyzer. */

export type Family = 4 | 6;

export interface ParsedIP {
  family: Family;
  value: bigint;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIP(text: string): ParsedIP | null {
  const s = text.trim();
  const m = V4.exec(s);
  if (m) {
    let v = 0n;
    for (const part of m.slice(1)) {
      const n = Number(part);
      if (n > 255) return null;
      v = (v << 8n) | BigInt(n);
    }
    return { family: 4, value: v };
  }
  return parseIPv6(s);
}

function parseIPv6(s: string): ParsedIP | null {
  if (!s.includes(':')) return null;
  let head = s;
  let tailV4: bigint | null = null;
  const lastColon = s.lastIndexOf(':');
  const maybeV4 = s.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIP(maybeV4);
    if (!v4 || v4.family !== 4) return null;
    tailV4 = v4.value;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== null) v = (v & ~0xffffffffn) | tailV4;
  return { family: 6, value: v };
}

export interface Cidr {
  family: Family;
  base: bigint;
  prefix: number;
  text: string;
}

/** Parses `10.0.0.0/8`, `1.2.3.4` (a /32) or IPv6 forms. Returns null when malformed. */
export function parseCidr(text: string): Cidr | null {
  const s = text.trim();
  const slash = s.indexOf('/');
  const ip = parseIP(slash === -1 ? s : s.slice(0, slash));
  if (!ip) return null;
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = slash === -1 ? bits : Number(s.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return null;
  return { family: ip.family, base: ip.value & prefixMask(ip.family, prefix), prefix, text: s };
}

export function cidrContains(cidr: Cidr | string, ip: string): boolean {
  const c = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const a = parseIP(ip);
  return !!c && !!a && inCidr(c, a);
}

/** The netmask of a /prefix: `prefix` leading one bits of the family's width. */
export function prefixMask(family: Family, prefix: number): bigint {
  const bits = family === 4 ? 32 : 128;
  return prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
}

export const inCidr = (c: Cidr, ip: ParsedIP): boolean => c.family === ip.family && (ip.value & prefixMask(c.family, c.prefix)) === c.base;

/** Same key for every spelling of an address (`::1`, `0::1`). */
export const ipKey = (ip: ParsedIP): string => `${ip.family}/${ip.value}`;

export function sameIP(a: string, b: string): boolean {
  const x = parseIP(a);
  const y = parseIP(b);
  return !!x && !!y && x.family === y.family && x.value === y.value;
}

/**
 * 127.0.0.0/8 or ::1: every host's own loopback, reachable only from that host. The kernel's
 * local table holds `local 127.0.0.0/8 dev lo` (the whole /8) but only `local ::1 dev lo`.
 */
export function isLoopbackIP(ip: ParsedIP): boolean {
  return ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n;
}

export function isLoopback(ip: string): boolean {
  const p = parseIP(ip);
  return p !== null && isLoopbackIP(p);
}

export function isIPv6(text: string): boolean {
  return parseIP(text)?.family === 6;
}

/** `IP:port`, with brackets for IPv6, as kube-proxy writes endpoint strings. */
export function hostPort(ip: string, port: number): string {
  return isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Inverse of parseIP: dotted quad, or compressed IPv6 (RFC 5952). */
export function formatIP(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start === -1) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.len).join(':')}`;
}

/** The n-th address of a CIDR counted from its end (1 = last address); null if the CIDR is too small. */
export function addressFromEnd(cidr: Cidr, n: number): string | null {
  const bits = cidr.family === 4 ? 32 : 128;
  const size = 1n << BigInt(bits - cidr.prefix);
  if (size <= BigInt(n) + 1n) return null;
  return formatIP(cidr.family, cidr.base + size - 1n - BigInt(n));
}
