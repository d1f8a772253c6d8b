import { parseIP } from '../../net/ip.ts';
import type { PacketValue } from './eval-expr.ts';
import { protocolNumber } from '../../net/protocols.ts';
import { literalInt, literalMatches, numgenCount } from './eval-expr.ts';
import type { NftElement, NftExpr, NftSet } from './model.ts';

/** Set and map lookups: which element a packet value hits, and numgen shares of a vmap. */

type Lookup = { kind: 'hit'; element: NftElement } | { kind: 'miss' } | { kind: 'unknown'; reason: string };

export function lookup(elements: readonly NftElement[], pv: PacketValue): Lookup {
  const index = exactIndex(elements, pv);
  if (index) {
    const element = index.get(valueKey(pv) as string);
    return element ? { kind: 'hit', element } : { kind: 'miss' };
  }
  let unreadable: NftElement | null = null;
  for (const el of elements) {
    const m = literalMatches(el.key, pv);
    if (m === true) return { kind: 'hit', element: el };
    if (m === null) unreadable ??= el;
  }
  return unreadable ? { kind: 'unknown', reason: 'an element key cannot be compared with the packet' } : { kind: 'miss' };
}

/**
 * Share of the numgen draws (uniform over `offset .. offset+mod-1`) each element takes:
 * 1/N for `i : verdict`, (b-a+1)/N for `a-b : verdict`. null when a key is not a number.
 */
export function numgenShares(elements: readonly NftElement[], mod: number, offset: number): { element: NftElement; share: number }[] | null {
  const out: { element: NftElement; share: number }[] = [];
  for (const element of elements) {
    const n = numgenCount(element.key, mod, offset);
    if (n === null) return null;
    if (n > 0) out.push({ element, share: n / mod });
  }
  return out;
}

/** Sets filled by the packet path at run time (session affinity): the dump is only a snapshot. */
export function isRuntimeSet(set: NftSet): boolean {
  return set.flags.includes('dynamic') || set.flags.includes('timeout');
}

/**
 * Maps such as service-ips hold one element per service port: when every key is a plain value
 * (no prefix or range), index them once per packet-value shape instead of scanning per lookup.
 */
const indexes = new WeakMap<readonly NftElement[], Map<string, Map<string, NftElement> | null>>();

function exactIndex(elements: readonly NftElement[], pv: PacketValue): Map<string, NftElement> | null {
  const shape = valueKey(pv, true);
  if (shape === null) return null;
  let byShape = indexes.get(elements);
  if (!byShape) indexes.set(elements, (byShape = new Map()));
  let index = byShape.get(shape);
  if (index === undefined) {
    index = new Map();
    for (const el of elements) {
      const k = literalKey(el.key, pv);
      if (k === null) {
        index = null;
        break;
      }
      if (!index.has(k)) index.set(k, el);
    }
    byShape.set(shape, index);
  }
  return index;
}

/** Canonical text of a packet value (or, with `shapeOnly`, of its types); null for flag sets. */
function valueKey(pv: PacketValue, shapeOnly = false): string | null {
  switch (pv.t) {
    case 'addr':
      return shapeOnly ? `a${pv.ip.family}` : `a${pv.ip.family}/${pv.ip.value}`;
    case 'int':
      return shapeOnly ? 'i' : `i${pv.v}`;
    case 'proto':
      return shapeOnly ? 'p' : `p${pv.v}`;
    case 'sym':
      return shapeOnly ? 's' : `s${pv.v}`;
    case 'flags':
      return null;
    case 'tuple': {
      const parts = pv.items.map((x) => valueKey(x, shapeOnly));
      return parts.includes(null) ? null : parts.join('|');
    }
  }
}

/** The same canonical text for a literal read as the type of `like`; null when it is not a plain value. */
function literalKey(lit: NftExpr, like: PacketValue): string | null {
  if (like.t === 'tuple') {
    if (lit.kind !== 'concat' || lit.items.length !== like.items.length) return null;
    const parts = lit.items.map((x, i) => literalKey(x, like.items[i] as PacketValue));
    return parts.includes(null) ? null : parts.join('|');
  }
  if (lit.kind !== 'value') return null;
  switch (like.t) {
    case 'addr': {
      const ip = typeof lit.value === 'string' ? parseIP(lit.value) : null;
      return ip ? `a${ip.family}/${ip.value}` : null;
    }
    case 'int': {
      const n = literalInt(lit);
      return n === null ? null : `i${n}`;
    }
    case 'proto': {
      const n = protocolNumber(lit.value);
      return n === null ? null : `p${n}`;
    }
    case 'sym':
      return typeof lit.value === 'string' ? `s${lit.value}` : null;
    case 'flags':
      return null;
  }
}
