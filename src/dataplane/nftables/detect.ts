/**
 * Does an nft.json hold kube-proxy's table? Detection runs before load() parses the dump, so it
 * must not parse all of it (19 MB for 5,000 services): it finds the table object by its text and
 * checks the JSON structure only up to there.
 */

/** A table object naming kube-proxy, as nft writes it: `{"table": {"family": "ip", "name": "kube-proxy", ...}}`. */
const NAMED_TABLE = /"table"\s*:\s*\{[^{}]*"name"\s*:\s*"kube-proxy"/;

/**
 * True for a dump with a top-level `table` item named kube-proxy. A damaged dump that still names
 * the table counts, so that load() reports what is wrong with it.
 */
export function hasKubeProxyTable(text: string): boolean {
  if (!text.includes('kube-proxy')) return false;
  let scan: ItemScan | null = new ItemScan(text);
  for (const m of text.matchAll(new RegExp(NAMED_TABLE, 'g'))) {
    if (scan?.isItemKey(m.index)) return true;
    // Structure not understood up to here: the full parse below decides.
    if (scan?.lost) scan = null;
  }
  return parsedHasKubeProxyTable(text);
}

/** The exact answer: parse the dump, or for text that is not JSON, any mention of the table object. */
function parsedHasKubeProxyTable(text: string): boolean {
  try {
    const items = (JSON.parse(text) as { nftables?: unknown }).nftables;
    return Array.isArray(items) && items.some((i) => (i as { table?: { name?: unknown } } | null)?.table?.name === 'kube-proxy');
  } catch {
    return NAMED_TABLE.test(text);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Walks the JSON text forwards (positions only increase) tracking nesting, so a position can be
 * placed: is it a key of an item of the top-level `"nftables": [...]` array?
 */
class ItemScan {
  readonly #text: string;
  #pos = 0;
  /** Open containers, outermost first. */
  readonly #stack: number[] = [];
  /** The key of the open member of the top-level object. */
  #rootKey: string | null = null;
  #lastString: string | null = null;
  /** The last character outside strings that is not whitespace. */
  #last = 0;
  /** Something that is not JSON was seen (a stray quote or bracket): positions past it cannot be placed. */
  lost = false;

  constructor(text: string) {
    this.#text = text;
  }

  isItemKey(at: number): boolean {
    if (this.lost || at < this.#pos) return false;
    this.#advance(at);
    const s = this.#stack;
    return (
      !this.lost &&
      s.length === 3 &&
      s[0] === OPEN_OBJECT &&
      s[1] === OPEN_ARRAY &&
      s[2] === OPEN_OBJECT &&
      this.#rootKey === 'nftables' &&
      (this.#last === OPEN_OBJECT || this.#last === COMMA)
    );
  }

  #advance(to: number): void {
    const t = this.#text;
    let i = this.#pos;
    while (i < to) {
      const c = t.charCodeAt(i);
      if (c === QUOTE) {
        const start = i + 1;
        i = start;
        while (i < t.length && t.charCodeAt(i) !== QUOTE) i += t.charCodeAt(i) === BACKSLASH ? 2 : 1;
        if (i >= to) {
          // The position is inside a string.
          this.lost = true;
          return;
        }
        this.#lastString = t.slice(start, i);
        this.#last = QUOTE;
        i++;
        continue;
      }
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.#stack.push(c);
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (this.#stack.pop() !== (c === CLOSE_OBJECT ? OPEN_OBJECT : OPEN_ARRAY)) {
          this.lost = true;
          return;
        }
      } else if (c === COLON && this.#stack.length === 1) this.#rootKey = this.#lastString;
      if (!isSpace(c)) this.#last = c;
      i++;
    }
    this.#pos = i;
  }
}
