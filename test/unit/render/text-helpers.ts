import { stripVTControlCharacters } from 'node:util';

/** Lines of a section: its title line (at column 0) and the indented lines below it. */
export function section(text: string, title: string): string[] {
  const lines = stripVTControlCharacters(text).split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l !== '' && !l.startsWith(' '));
  const body = lines.slice(start, end < 0 ? undefined : end);
  while (body.at(-1) === '') body.pop();
  return body;
}

/** Terminal columns of the longest line (ANSI escapes take none). */
export function longestLine(text: string): number {
  return Math.max(...text.split('\n').map((l) => [...stripVTControlCharacters(l)].length));
}

export const ANSI = /\u001b\[/;
