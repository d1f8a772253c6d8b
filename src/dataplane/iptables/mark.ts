/** Packet mark arithmetic exactly as xt_mark / xt_MARK do it (32-bit unsigned). */

const ALL = 0xffffffff;

/** `0x4000`, `16384`, `0x4000/0x4000`; null when it is not a valid 32-bit value. */
export function parseMarkValue(text: string): { value: number; mask: number | null } | null {
  const [v, m, extra] = text.split('/');
  const num = (s: string | undefined): number | null => {
    if (s === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(s)) return null;
    const n = Number(s);
    return n <= ALL ? n : null;
  };
  const value = num(v);
  if (value === null || extra !== undefined) return null;
  if (m === undefined) return { value, mask: null };
  const mask = num(m);
  return mask === null ? null : { value, mask };
}

/** The kernel's one MARK operation: mark = (mark AND NOT mask) XOR value. */
export interface XMark {
  value: number;
  mask: number;
}

export function applyXMark(mark: number, x: XMark): number {
  return ((mark & ~x.mask) ^ x.value) >>> 0;
}

/** How libxt_MARK turns each option into an xmark (iptables/extensions/libxt_MARK.c, mark_tg_parse). */
export function xmarkFor(option: string, text: string): XMark | null {
  const parsed = parseMarkValue(text);
  if (!parsed) return null;
  const { value, mask } = parsed;
  switch (option) {
    case '--set-xmark':
      return { value, mask: mask ?? ALL };
    case '--set-mark':
      return { value, mask: (value | (mask ?? ALL)) >>> 0 };
    case '--and-mark':
      return mask === null ? { value: 0, mask: ~value >>> 0 } : null;
    case '--or-mark':
      return mask === null ? { value, mask: value } : null;
    case '--xor-mark':
      return mask === null ? { value, mask: 0 } : null;
    default:
      return null;
  }
}

/** `-m mark --mark value[/mask]`: (mark AND mask) == value. */
export function markMatches(mark: number, text: string): boolean | null {
  const parsed = parseMarkValue(text);
  if (!parsed) return null;
  return ((mark & (parsed.mask ?? ALL)) >>> 0) === parsed.value;
}

export function formatMark(mark: number): string {
  return `0x${mark.toString(16)}`;
}
