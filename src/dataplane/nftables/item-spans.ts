import { DumpParseError } from '../errors.ts';

/**
 * `nft -j` nests a rule a dozen levels deep; the parser, renderer and evaluator recurse on the
 * nesting, so a document far deeper is refused here, before it can overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

const WS = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Start and end offsets of the items of `{"nftables": [item, ...]}` (flat pairs), found in one
 * scan that skips strings; null for any other layout. The scan does not check the items: each is
 * JSON.parse'd. An item nested deeper than MAX_JSON_DEPTH throws.
 */
export function itemSpans(text: string, file: string): number[] | null {
  const head = /[ \t\r\n]*\{[ \t\r\n]*"nftables"[ \t\r\n]*:[ \t\r\n]*\[/y;
  if (!head.test(text)) return null;
  const n = text.length;
  let i = head.lastIndex;
  const skipWs = () => {
    while (i < n && WS(text.charCodeAt(i))) i++;
  };
  const spans: number[] = [];
  skipWs();
  if (text.charCodeAt(i) === 0x5d) i++;
  else {
    for (;;) {
      skipWs();
      if (text.charCodeAt(i) !== 0x7b) return null;
      const from = i;
      let depth = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x22) {
          for (i++; i < n && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
        } else if (c === 0x7b || c === 0x5b) {
          // The item itself sits at depth 2 of the document (object, array, item).
          if (++depth + 1 > MAX_JSON_DEPTH) throw new DumpParseError(file, null, `nftables[${spans.length / 2}]: nested deeper than ${MAX_JSON_DEPTH} levels`);
        } else if ((c === 0x7d || c === 0x5d) && --depth === 0) break;
      }
      if (i >= n) return null;
      spans.push(from, ++i);
      skipWs();
      const c = text.charCodeAt(i++);
      if (c === 0x5d) break;
      if (c !== 0x2c) return null;
    }
  }
  skipWs();
  if (text.charCodeAt(i++) !== 0x7d) return null;
  skipWs();
  return i === n ? spans : null;
}
