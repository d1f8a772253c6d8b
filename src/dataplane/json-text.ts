import { DumpParseError } from './errors.ts';

/**
 * JSON.parse with the error placed: line, column and byte position of what V8 rejected, or the
 * end of the text for a cut document. Throws DumpParseError naming `file`.
 */
export function parseJsonText(text: string, file: string): unknown {
  if (text.trim() === '') throw new DumpParseError(file, 1, 'the file is empty (an interrupted or failed capture?)');
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    // V8 names the position for most errors ("... in JSON at position 12 (line 1 column 13)");
    // an input that simply stops is reported at its end.
    const pos = /position (\d+)/.exec(msg);
    const endOfInput = /end of (JSON )?input/i.test(msg);
    const at = pos ? Number(pos[1]) : endOfInput ? text.length : firstBadChar(text);
    const truncated = at >= text.trimEnd().length || endOfInput || /Unterminated/i.test(msg);
    const { line, column } = placeOf(text, at);
    const why = msg.replace(/\s*(in JSON )?at position \d+( \(line \d+ column \d+\))?/, '').replace(/, "[^]*" is not valid JSON$/, ' (not valid JSON)');
    throw new DumpParseError(file, line, `${truncated ? 'truncated JSON (the file is cut)' : 'invalid JSON'} at column ${column} (position ${at}): ${why}`);
  }
}

function placeOf(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.min(pos, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}

/**
 * Where V8 gave no position ("Unexpected token 'x'"): the shortest prefix that fails for another
 * reason than ending early ends at the bad character. Monotonic, so a binary search finds it;
 * it runs only on the error path.
 */
function firstBadChar(text: string): number {
  const badPrefix = (k: number) => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (e) {
      const msg = (e as Error).message;
      const pos = /position (\d+)/.exec(msg);
      if (pos) return Number(pos[1]) < text.slice(0, k).trimEnd().length;
      return !/end of (JSON )?input|Unterminated/i.test(msg);
    }
  };
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (badPrefix(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}
