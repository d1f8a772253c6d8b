/** Splits a rule line into words the way iptables-restore does (xshared.c add_param_to_argv). */

export interface Token {
  value: string;
  /** True when any part of the word was inside double quotes. */
  quoted: boolean;
  /** The word exactly as written. */
  raw: string;
  /** Whitespace before the word. */
  gap: string;
}

export interface Tokenized {
  tokens: Token[];
  trailing: string;
}

export class UnterminatedQuoteError extends Error {
  readonly column: number;
  constructor(column: number) {
    super(`unterminated quote: the " opened at column ${column} is never closed`);
    this.name = 'UnterminatedQuoteError';
    this.column = column;
  }
}

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;
/** charCodeAt, not line[i]: a dump has tens of millions of characters. NaN past the end is no space. */
const isSpace = (c: number): boolean => c === SPACE || c === TAB;

/**
 * Inside quotes a backslash takes the next character literally; outside quotes it is an
 * ordinary character. A closing quote ends the word. Without `layout`, `raw` and `gap` are left
 * empty (only the formatter reads them; slicing them was two strings per word of a whole dump).
 */
export function tokenize(line: string, layout = true): Tokenized {
  const tokens: Token[] = [];
  let i = 0;
  while (true) {
    const gapStart = i;
    while (isSpace(line.charCodeAt(i))) i++;
    if (i >= line.length) return { tokens, trailing: line.slice(gapStart) };
    const start = i;
    while (i < line.length && !isSpace(line.charCodeAt(i)) && line.charCodeAt(i) !== QUOTE) i++;
    let value = line.slice(start, i);
    let quoted = false;
    if (line.charCodeAt(i) === QUOTE) {
      quoted = true;
      const open = i;
      i++;
      // The value is added in runs between escapes, not character by character: a string built
      // by one += per character is a chain of pieces, several times the size of its text.
      let run = i;
      while (i < line.length && line.charCodeAt(i) !== QUOTE) {
        if (line.charCodeAt(i) === BACKSLASH && i + 1 < line.length) {
          value += line.slice(run, i);
          i++;
          run = i;
        }
        i++;
      }
      if (i >= line.length) throw new UnterminatedQuoteError(open + 1);
      value += line.slice(run, i);
      i++;
    }
    tokens.push(layout ? { value, quoted, raw: line.slice(start, i), gap: line.slice(gapStart, start) } : { value, quoted, raw: '', gap: '' });
  }
}

/** How iptables-save prints a quoted value: backslash before `"` and `\`. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function renderWord(value: string, quoted: boolean): string {
  return quoted ? quote(value) : value;
}
