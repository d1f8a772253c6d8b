/**
 * Mutations of real dumps, as fast-check arbitraries: a seed file and a short list of edits a
 * damaged, truncated or hand-edited dump shows (cut lines, duplicated or swapped tokens, huge or
 * odd numbers, control characters, CRLF, deep nesting in JSON).
 */
import fc from 'fast-check';

/** Numbers that overflow, are not integers or are not numbers at all. */
const ODD_NUMBERS = [
  '0', '-1', '4294967295', '4294967296', '18446744073709551616', '99999999999999999999999999999999',
  '1e309', '-1e309', '1.5', '0.0000001', 'NaN', 'Infinity', '0x', '0xffffffffffffffffff', '', '00', '+5', '1/0', '65536', '2147483648',
];
const CONTROL = ['\r', '\x00', '\x1b[31m', '\t', '\u2028', '\x7f', '\n', '\r\n', '"', '\\', '{', '}', '[', ']', ';', ','];

export type TextEdit =
  | { op: 'cut'; line: number; at: number }
  | { op: 'drop'; line: number }
  | { op: 'dup'; line: number }
  | { op: 'swapLines'; line: number; other: number }
  | { op: 'swapTokens'; line: number; a: number; b: number }
  | { op: 'dupToken'; line: number; a: number }
  | { op: 'dropToken'; line: number; a: number }
  | { op: 'number'; line: number; k: number; value: string }
  | { op: 'control'; line: number; at: number; value: string }
  | { op: 'crlf' };

export const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ op: fc.constant('cut' as const), line: fc.nat(), at: fc.nat() }),
  fc.record({ op: fc.constant('drop' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('dup' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('swapLines' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({ op: fc.constant('swapTokens' as const), line: fc.nat(), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('dupToken' as const), line: fc.nat(), a: fc.nat() }),
  fc.record({ op: fc.constant('dropToken' as const), line: fc.nat(), a: fc.nat() }),
  fc.record({ op: fc.constant('number' as const), line: fc.nat(), k: fc.nat(), value: fc.constantFrom(...ODD_NUMBERS) }),
  fc.record({ op: fc.constant('control' as const), line: fc.nat(), at: fc.nat(), value: fc.constantFrom(...CONTROL) }),
  fc.constant({ op: 'crlf' as const }),
);

/** Lines that carry rules: edits land on them far more often than on blank or comment lines. */
function pick<T>(list: readonly T[], n: number): number {
  return list.length ? n % list.length : 0;
}

export function applyTextEdit(text: string, e: TextEdit): string {
  if (e.op === 'crlf') return text.replace(/\n/g, '\r\n');
  const lines = text.split('\n');
  const i = pick(lines, e.line);
  const line = lines[i] ?? '';
  const tokens = line.split(' ');
  switch (e.op) {
    case 'cut':
      lines[i] = line.slice(0, line.length ? e.at % line.length : 0);
      break;
    case 'drop':
      lines.splice(i, 1);
      break;
    case 'dup':
      lines.splice(i, 0, line);
      break;
    case 'swapLines': {
      const j = pick(lines, e.other);
      [lines[i], lines[j]] = [lines[j] ?? '', line];
      break;
    }
    case 'swapTokens': {
      const a = pick(tokens, e.a);
      const b = pick(tokens, e.b);
      [tokens[a], tokens[b]] = [tokens[b] ?? '', tokens[a] ?? ''];
      lines[i] = tokens.join(' ');
      break;
    }
    case 'dupToken': {
      const a = pick(tokens, e.a);
      tokens.splice(a, 0, tokens[a] ?? '');
      lines[i] = tokens.join(' ');
      break;
    }
    case 'dropToken':
      tokens.splice(pick(tokens, e.a), 1);
      lines[i] = tokens.join(' ');
      break;
    case 'number': {
      let k = 0;
      const numbers = [...line.matchAll(/\d+/g)].length;
      const target = numbers ? e.k % numbers : -1;
      lines[i] = line.replace(/\d+/g, (m) => (k++ === target ? e.value : m));
      break;
    }
    case 'control':
      lines[i] = line.slice(0, line.length ? e.at % (line.length + 1) : 0) + e.value + line.slice(line.length ? e.at % (line.length + 1) : 0);
      break;
  }
  return lines.join('\n');
}

/** Edits of a parsed JSON document, at a node chosen by a number (pre-order index). */
export type JsonEdit =
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'delete'; at: number }
  | { op: 'dup'; at: number }
  | { op: 'nest'; at: number; depth: number; key: string };

const ODD_VALUES: unknown[] = [null, 0, -1, 1.5, 1e308, -1e308, 4294967296, 2 ** 53 + 2, '', 'x', '\u001b]0;x\u0007', '1e309', true, [], {}, [[]], { '': null }];

export const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...ODD_VALUES), fc.jsonValue({ maxDepth: 2 })) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('dup' as const), at: fc.nat() }) },
  // nft expressions nest through these keys; V8 overflows its stack around 10,000 frames.
  { weight: 1, arbitrary: fc.record({ op: fc.constant('nest' as const), at: fc.nat(), depth: fc.constantFrom(5, 50, 2_000, 6_000), key: fc.constantFrom('&', '|', '^', '<<', '>>', 'concat', 'set', 'prefix', 'payload', 'map', 'vmap', 'jump') }) },
);

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

function slots(doc: unknown): Slot[] {
  const out: Slot[] = [];
  const stack: unknown[] = [doc];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) v.forEach((c, i) => (out.push({ parent: v, key: i }), stack.push(c)));
    else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) out.push({ parent: v as Record<string, unknown>, key: k }), stack.push(c);
  }
  return out;
}

export function applyJsonEdit(doc: unknown, e: JsonEdit): unknown {
  const all = slots(doc);
  const slot = all[all.length ? e.at % all.length : 0];
  if (!slot) return doc;
  const { parent, key } = slot;
  const get = () => (parent as Record<string | number, unknown>)[key];
  const set = (v: unknown) => ((parent as Record<string | number, unknown>)[key] = v);
  switch (e.op) {
    case 'replace':
      set(structuredClone(e.value));
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case 'dup':
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(get()));
      else set([get(), get()]);
      break;
    case 'nest': {
      let v = get();
      for (let d = 0; d < e.depth; d++) v = e.key === 'concat' || e.key === 'set' ? { [e.key]: [v, 1] } : e.key === 'jump' ? { [e.key]: { target: v } } : { [e.key]: [v, 1] };
      set(v);
      break;
    }
  }
  return doc;
}
