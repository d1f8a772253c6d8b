import { DumpParseError } from '../errors.ts';

/**
 * Tokens of nft syntax. Words are runs without blanks or `{ } ; , "`, so addresses
 * (`10.0.0.0/8`, `fd00::1`, `10.180.0.1:80`) and chain names (`service-X-ns/svc/tcp/p80`)
 * stay whole; ` . ` and ` : ` are separate words because nft prints them spaced.
 */
export interface Token {
  type: 'word' | 'string' | 'punct' | 'nl' | 'handle';
  value: string;
  line: number;
  start: number;
  end: number;
}

const PUNCT = new Set(['{', '}', ';', ',']);

export function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  const push = (type: Token['type'], value: string, start: number, end: number) => out.push({ type, value, line, start, end });
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '\n') {
      if (out.at(-1)?.type !== 'nl') push('nl', '\n', i, i + 1);
      line++;
      i++;
    } else if (ch === '\\' && text[i + 1] === '\n') {
      line++;
      i += 2;
    } else if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
    } else if (ch === '#') {
      const endOfLine = text.indexOf('\n', i);
      const stop = endOfLine === -1 ? text.length : endOfLine;
      // `nft -a` appends `# handle N`; keep it, drop other comments.
      const m = /^#\s*handle\s+(\d+)\s*$/.exec(text.slice(i, stop));
      if (m) push('handle', m[1] as string, i, stop);
      i = stop;
    } else if (ch === '"') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\n') throw new DumpParseError(file, line, 'unterminated string');
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) throw new DumpParseError(file, line, 'unterminated string');
      push('string', value, i, j + 1);
      i = j + 1;
    } else if (PUNCT.has(ch)) {
      push('punct', ch, i, i + 1);
      i++;
    } else {
      let j = i;
      // Only the separators above end a word: a word of other whitespace (U+2028, form feed)
      // would be empty and the scan would never move on.
      while (j < text.length && !/[ \t\r\n{};,"#]/.test(text[j] as string)) j++;
      push('word', text.slice(i, j), i, j);
      i = j;
    }
  }
  return out;
}
