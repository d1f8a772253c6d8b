import { DumpParseError } from '../errors.ts';
import type { Token } from './text-tokens.ts';

/** A read position over tokens, with errors that carry the line. */
export class Cursor {
  readonly toks: Token[];
  readonly file: string;
  pos = 0;

  constructor(toks: Token[], file: string) {
    this.toks = toks;
    this.file = file;
  }

  peek(k = 0): Token | undefined {
    return this.toks[this.pos + k];
  }

  atEnd(): boolean {
    return this.pos >= this.toks.length;
  }

  next(what = 'more input'): Token {
    const t = this.toks[this.pos];
    if (!t) throw this.error(`expected ${what}, found end of input`);
    this.pos++;
    return t;
  }

  /** True when the next token is the word or punctuation `v`. */
  is(v: string, k = 0): boolean {
    const t = this.peek(k);
    return !!t && (t.type === 'word' || t.type === 'punct') && t.value === v;
  }

  accept(v: string): boolean {
    if (!this.is(v)) return false;
    this.pos++;
    return true;
  }

  expect(v: string): Token {
    if (!this.is(v)) throw this.error(`expected "${v}"${this.found()}`);
    return this.next();
  }

  /** A word or quoted string. */
  word(what: string): string {
    const t = this.peek();
    if (!t || (t.type !== 'word' && t.type !== 'string')) throw this.error(`expected ${what}${this.found()}`);
    this.pos++;
    return t.value;
  }

  string(what: string): string {
    const t = this.peek();
    if (!t || t.type !== 'string') throw this.error(`expected ${what} as a quoted string${this.found()}`);
    this.pos++;
    return t.value;
  }

  skipNewlines(): void {
    while (this.peek()?.type === 'nl' || this.is(';') || this.peek()?.type === 'handle') this.pos++;
  }

  line(): number | null {
    return (this.peek() ?? this.toks.at(-1))?.line ?? null;
  }

  error(message: string): DumpParseError {
    return new DumpParseError(this.file, this.line(), message);
  }

  private found(): string {
    const t = this.peek();
    return t ? `, found "${t.type === 'nl' ? 'end of line' : t.value}"` : ', found end of input';
  }
}
