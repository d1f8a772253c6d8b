import { parseCidr, parseIP, prefixMask } from '../../net/ip.ts';
import { protocolNumber } from '../../net/protocols.ts';
import type { Family, ParsedIP } from '../../net/ip.ts';
import type { NftExpr } from './model.ts';
import { renderExpr } from './render.ts';

/**
 * Values of packet fields and how literals of the dump compare with them. Every function
 * answers null (or an `unknown` result) rather than guessing when it cannot tell.
 */

/** The packet as one rule sees it: addresses after any DNAT so far, the mark so far. */
export interface PacketView {
  family: Family;
  saddr: string;
  daddr: string;
  dport: number;
  /** IP protocol number: 6 tcp, 17 udp, 132 sctp. */
  protocol: number;
  mark: bigint;
  /** The connection was DNATed earlier in this walk (`ct status dnat`). */
  dnatted: boolean;
  isLocal(ip: string): boolean;
}

export type PacketValue =
  | { t: 'addr'; ip: ParsedIP }
  | { t: 'int'; v: bigint }
  /** An IP protocol number; literals may name it (`tcp`). */
  | { t: 'proto'; v: number }
  | { t: 'sym'; v: string }
  /** Bitmask types such as `ct state`: the flags that are set. */
  | { t: 'flags'; v: ReadonlySet<string> }
  | { t: 'tuple'; items: PacketValue[] };

type EvalResult =
  | { kind: 'value'; value: PacketValue }
  /** The header is not there (`tcp dport` on UDP, `ip daddr` on IPv6): nft's implicit dependency fails. */
  | { kind: 'absent' }
  | { kind: 'numgen'; mode: string; mod: number; offset: number }
  | { kind: 'unknown'; reason: string };

const L4_WITH_PORTS = new Set([6, 17, 132, 136]);


const unknown = (e: NftExpr, why: string): EvalResult => ({ kind: 'unknown', reason: `${renderExpr(e)}: ${why}` });
const value = (v: PacketValue): EvalResult => ({ kind: 'value', value: v });

/** Evaluates the left-hand side of a match, a map key or a mangle value against the packet. */
export function evalExpr(e: NftExpr, p: PacketView): EvalResult {
  switch (e.kind) {
    case 'payload':
      return payload(e.protocol, e.field, p, e);
    case 'meta':
      if (e.key === 'l4proto') return value({ t: 'proto', v: p.protocol });
      if (e.key === 'mark') return value({ t: 'int', v: p.mark });
      if (e.key === 'nfproto') return value({ t: 'sym', v: p.family === 4 ? 'ipv4' : 'ipv6' });
      if (e.key === 'protocol') return value({ t: 'sym', v: p.family === 4 ? 'ip' : 'ip6' });
      return unknown(e, 'the packet does not say (no interface, socket or device data)');
    case 'ct':
      // The walk follows the first packet of a new connection.
      if (e.key === 'state') return value({ t: 'flags', v: new Set(['new']) });
      if (e.key === 'direction') return value({ t: 'sym', v: 'original' });
      if (e.key === 'status') return value({ t: 'flags', v: new Set(p.dnatted ? ['dnat'] : []) });
      return unknown(e, 'conntrack field not modelled');
    case 'fib': {
      const flags = e.flags.filter((f) => f !== 'saddr' && f !== 'daddr');
      if (e.result !== 'type' || flags.length || e.flags.length !== 1) return unknown(e, 'only `fib saddr|daddr type` is evaluated');
      const addr = e.flags[0] === 'saddr' ? p.saddr : p.daddr;
      return value({ t: 'sym', v: addressType(addr, p) });
    }
    case 'numgen':
      // The kernel's modulus and offset are u32; anything else is a damaged dump, not a draw.
      if (!isU32(e.mod) || e.mod === 0) return unknown(e, 'modulus must be an integer from 1 to 2^32-1');
      if (!isU32(e.offset) || e.offset + e.mod - 1 > 0xffffffff) return unknown(e, 'offset must be an integer with offset+mod within 2^32');
      return { kind: 'numgen', mode: e.mode, mod: e.mod, offset: e.offset };
    case 'concat': {
      const items: PacketValue[] = [];
      for (const x of e.items) {
        const r = evalExpr(x, p);
        if (r.kind !== 'value') return r.kind === 'numgen' ? unknown(e, 'numgen inside a concatenation') : r;
        items.push(r.value);
      }
      return value({ t: 'tuple', items });
    }
    case 'binop': {
      const l = evalExpr(e.left, p);
      if (l.kind !== 'value') return l.kind === 'numgen' ? unknown(e, 'arithmetic on numgen') : l;
      const r = literalInt(e.right);
      if (l.value.t !== 'int' || r === null) return unknown(e, 'not an integer operation');
      return value({ t: 'int', v: binop(e.op, l.value.v, r) });
    }
    case 'value':
    case 'prefix':
    case 'range':
    case 'list':
    case 'set':
    case 'setref':
    case 'map':
    case 'unknown':
      return unknown(e, 'not a packet field');
  }
}

function payload(protocol: string, field: string, p: PacketView, e: NftExpr): EvalResult {
  if (protocol === 'ip' || protocol === 'ip6') {
    if ((protocol === 'ip') !== (p.family === 4)) return { kind: 'absent' };
    if (field === 'saddr' || field === 'daddr') {
      const ip = parseIP(field === 'saddr' ? p.saddr : p.daddr);
      return ip ? value({ t: 'addr', ip }) : unknown(e, 'address not parsable');
    }
    if (field === 'protocol' || field === 'nexthdr') return value({ t: 'proto', v: p.protocol });
    return unknown(e, 'header field not modelled');
  }
  const proto = protocol === 'th' ? null : protocolNumber(protocol);
  if (protocol !== 'th' && proto === null) return unknown(e, 'header not modelled');
  if (proto !== null && proto !== p.protocol) return { kind: 'absent' };
  if (!L4_WITH_PORTS.has(p.protocol)) return { kind: 'absent' };
  if (field === 'dport') return value({ t: 'int', v: BigInt(p.dport) });
  if (field === 'sport') return unknown(e, 'the source port of the client is not known');
  return unknown(e, 'header field not modelled');
}

function addressType(addr: string, p: PacketView): string {
  if (p.isLocal(addr)) return 'local';
  const ip = parseIP(addr);
  const multicast = ip?.family === 4 ? parseCidr('224.0.0.0/4') : parseCidr('ff00::/8');
  if (ip && multicast && (ip.value & prefixMask(ip.family, multicast.prefix)) === multicast.base) return 'multicast';
  return 'unicast';
}


const isU32 = (n: number) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

function binop(op: string, a: bigint, b: bigint): bigint {
  const mask32 = 0xffffffffn;
  // Registers are 32 bits wide: a shift by 32 or more leaves nothing (and a huge BigInt shift throws).
  if ((op === '<<' || op === '>>') && (b < 0n || b >= 32n)) return 0n;
  switch (op) {
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '<<':
      return (a << b) & mask32;
    default:
      return a >> b;
  }
}

/** A literal as an integer: 16384, "0x00004000", "80". */
export function literalInt(e: NftExpr): bigint | null {
  if (e.kind !== 'value') return null;
  if (typeof e.value === 'number') return Number.isInteger(e.value) ? BigInt(e.value) : null;
  return /^(\d+|0x[0-9a-f]+)$/i.test(e.value) ? BigInt(e.value) : null;
}

/**
 * Does the literal `lit` (a value, prefix, range, flag list, anonymous set or concatenation)
 * match the packet value? null when the literal cannot be read as that type.
 */
export function literalMatches(lit: NftExpr, pv: PacketValue): boolean | null {
  switch (lit.kind) {
    case 'value':
      return scalarEquals(lit.value, pv);
    case 'prefix': {
      if (pv.t !== 'addr') return null;
      const c = parseCidr(`${lit.addr}/${lit.len}`);
      if (!c) return null;
      return c.family === pv.ip.family && (pv.ip.value & prefixMask(c.family, c.prefix)) === c.base;
    }
    case 'range': {
      const lo = ordinal(lit.from, pv);
      const hi = ordinal(lit.to, pv);
      const v = ordinalOf(pv);
      if (lo === null || hi === null || v === null) return null;
      return lo <= v && v <= hi;
    }
    case 'list':
    case 'set': {
      const items = lit.kind === 'list' ? lit.items : lit.elements.map((x) => x.key);
      let sawUnknown = false;
      for (const it of items) {
        const m = literalMatches(it, pv);
        if (m === true) return true;
        if (m === null) sawUnknown = true;
      }
      return sawUnknown ? null : false;
    }
    case 'concat': {
      if (pv.t !== 'tuple' || pv.items.length !== lit.items.length) return null;
      const parts = lit.items.map((x, i) => literalMatches(x, pv.items[i] as PacketValue));
      return parts.includes(false) ? false : parts.includes(null) ? null : true;
    }
    default:
      return null;
  }
}

function scalarEquals(lit: string | number, pv: PacketValue): boolean | null {
  switch (pv.t) {
    case 'addr': {
      const ip = typeof lit === 'string' ? parseIP(lit) : null;
      return ip ? ip.family === pv.ip.family && ip.value === pv.ip.value : null;
    }
    case 'int': {
      const n = literalInt({ kind: 'value', value: lit });
      return n === null ? null : n === pv.v;
    }
    case 'proto': {
      const n = protocolNumber(lit);
      return n === null ? null : n === pv.v;
    }
    case 'sym':
      return typeof lit === 'string' ? lit === pv.v : null;
    case 'flags':
      return typeof lit === 'string' ? pv.v.has(lit) : null;
    case 'tuple':
      return null;
  }
}

function ordinalOf(pv: PacketValue): bigint | null {
  if (pv.t === 'addr') return pv.ip.value;
  if (pv.t === 'int') return pv.v;
  if (pv.t === 'proto') return BigInt(pv.v);
  return null;
}

function ordinal(lit: NftExpr, like: PacketValue): bigint | null {
  if (lit.kind !== 'value') return null;
  if (like.t === 'addr') {
    const ip = typeof lit.value === 'string' ? parseIP(lit.value) : null;
    return ip && ip.family === like.ip.family ? ip.value : null;
  }
  if (like.t === 'proto') {
    const n = protocolNumber(lit.value);
    return n === null ? null : BigInt(n);
  }
  return literalInt(lit);
}

/**
 * How many of the values `offset .. offset+mod-1` that `numgen` draws fall into the literal
 * (a number, a range, or a set/list of them). null when the literal is not numeric.
 */
export function numgenCount(lit: NftExpr, mod: number, offset: number): number | null {
  const lo = BigInt(offset);
  const hi = BigInt(offset + mod - 1);
  const span = (a: bigint, b: bigint) => {
    const from = a > lo ? a : lo;
    const to = b < hi ? b : hi;
    return to >= from ? Number(to - from + 1n) : 0;
  };
  if (lit.kind === 'value') {
    const v = literalInt(lit);
    return v === null ? null : span(v, v);
  }
  if (lit.kind === 'range') {
    const a = literalInt(lit.from);
    const b = literalInt(lit.to);
    return a === null || b === null ? null : span(a, b);
  }
  if (lit.kind === 'set' || lit.kind === 'list') {
    let total = 0;
    for (const it of lit.kind === 'set' ? lit.elements.map((x) => x.key) : lit.items) {
      const n = numgenCount(it, mod, offset);
      if (n === null) return null;
      total += n;
    }
    return Math.min(total, mod);
  }
  return null;
}
