import { parseIP } from '../../net/ip.ts';
import type { BinOp, MatchOp, NftElement, NftExpr, NftStatement, NftVerdict } from './model.ts';
import type { Cursor } from './text-cursor.ts';

/** Statements and values of nft rule syntax, as `nft list ruleset` prints them and `nft -f` reads them. */

export type Report = (what: string) => void;

const PAYLOAD_PROTOCOLS = new Set(['ip', 'ip6', 'tcp', 'udp', 'udplite', 'sctp', 'dccp', 'th', 'icmp', 'icmpv6', 'ah', 'esp', 'comp', 'ether', 'vlan', 'arp']);
/** meta keys that may be written without `meta`. */
const BARE_META = new Set(['mark', 'iif', 'oif', 'iifname', 'oifname', 'iiftype', 'oiftype', 'skuid', 'skgid', 'nftrace', 'rtclassid', 'ibrname', 'obrname', 'pkttype', 'cpu', 'iifgroup', 'oifgroup', 'cgroup']);
const VERDICT_WORDS = new Set(['accept', 'drop', 'continue', 'return']);
const MATCH_OPS = new Map<string, MatchOp>([['==', '=='], ['eq', '=='], ['!=', '!='], ['ne', '!='], ['<', '<'], ['lt', '<'], ['>', '>'], ['gt', '>'], ['<=', '<='], ['le', '<='], ['>=', '>='], ['ge', '>=']]);
const BIN_OPS = new Map<string, BinOp>([['&', '&'], ['and', '&'], ['|', '|'], ['or', '|'], ['^', '^'], ['xor', '^'], ['<<', '<<'], ['lshift', '<<'], ['>>', '>>'], ['rshift', '>>']]);
const NAT_FLAGS = new Set(['random', 'fully-random', 'persistent']);

/** Parses one rule (all tokens of the line, no newlines). */
export function parseRuleStatements(c: Cursor, report: Report): { statements: NftStatement[]; comment: string | null } {
  const statements: NftStatement[] = [];
  let comment: string | null = null;
  while (!c.atEnd()) {
    if (c.accept('comment')) {
      comment = c.string('rule comment');
      continue;
    }
    const st = statement(c);
    if (st) {
      statements.push(st);
      continue;
    }
    // Unknown syntax: keep the rest of the rule (up to its comment) as one opaque statement.
    const words: string[] = [];
    while (!c.atEnd() && !c.is('comment')) {
      const t = c.next();
      words.push(t.type === 'string' ? JSON.stringify(t.value) : t.value);
    }
    const text = words.join(' ');
    report(text);
    statements.push({ kind: 'unknown', text });
  }
  return { statements, comment };
}

function statement(c: Cursor): NftStatement | null {
  const t = c.peek();
  if (!t || t.type !== 'word') return null;
  const w = t.value;
  const v = verdictAt(c, w);
  if (v) return v;
  if (w === 'reject') return reject(c);
  if (w === 'dnat' || w === 'snat') return nat(c, w);
  if (w === 'masquerade') return masquerade(c);
  if (w === 'counter') return counter(c);
  if (w === 'log') return log(c);
  if ((w === 'update' || w === 'add' || w === 'delete') && c.peek(1)?.value.startsWith('@')) {
    c.next();
    const set = c.word('set name').slice(1);
    c.expect('{');
    const elem = expression(c);
    c.expect('}');
    if (!elem) return null;
    return { kind: 'setop', op: w, set, elem };
  }
  const start = c.pos;
  const left = expression(c);
  if (!left) {
    c.pos = start;
    return null;
  }
  if (c.accept('set')) {
    const value = isPrimaryStart(c) ? expression(c) : value1(c);
    return value ? { kind: 'mangle', key: left, value } : null;
  }
  if (c.accept('vmap')) {
    return { kind: 'vmap', key: left, data: value1(c) };
  }
  if (c.is('map')) {
    c.pos = start;
    return null;
  }
  const opWord = c.peek()?.type === 'word' ? MATCH_OPS.get(c.peek()?.value ?? '') : undefined;
  if (opWord) c.next();
  if (c.atEnd()) {
    c.pos = start;
    return null;
  }
  return { kind: 'match', op: opWord ?? '==', left, right: rhs(c) };
}

function reject(c: Cursor): NftStatement {
  c.next();
  if (!c.accept('with')) return { kind: 'reject', type: null, code: null };
  const type = c.word('reject type');
  if (type === 'tcp') {
    c.expect('reset');
    return { kind: 'reject', type: 'tcp reset', code: null };
  }
  c.accept('type');
  const code = c.word('reject code');
  return code === 'port-unreachable' ? { kind: 'reject', type: null, code: null } : { kind: 'reject', type, code };
}

/**
 * Literal targets (`dnat to 10.0.0.1:80`) and map lookups: kube-proxy 1.36 writes
 * `dnat ip to numgen random mod 3 map { 0 : 10.244.1.2 . 8080, ... }` (older nft prints it as
 * `dnat ip addr . port to ...`), the same statement nft -j gives as `dnat { addr: { map } }`.
 */
function nat(c: Cursor, type: 'dnat' | 'snat'): NftStatement | null {
  const start = c.pos;
  c.next();
  const family = c.is('ip') || c.is('ip6') ? c.word('family') : null;
  if (c.accept('addr')) {
    c.expect('.');
    c.expect('port');
  }
  c.expect('to');
  if (isPrimaryStart(c)) {
    const key = expression(c);
    if (!key || !c.accept('map')) {
      c.pos = start;
      return null;
    }
    return { kind: 'nat', type, family, addr: { kind: 'map', key, data: value1(c) }, port: null, flags: natFlags(c) };
  }
  const target = c.word(`${type} target`);
  // `10.0.0.1:80`, `[fd00::1]:80`, `fd00::1`, `10.0.0.1`
  let addr = target;
  let port: string | null = null;
  const v6 = /^\[(.+)\](?::(.+))?$/.exec(target);
  if (v6) {
    addr = v6[1] as string;
    port = v6[2] ?? null;
  } else if ((target.match(/:/g) ?? []).length === 1) {
    [addr, port] = target.split(':') as [string, string];
  }
  return {
    kind: 'nat',
    type,
    family,
    addr: addr === '' ? null : literal(addr),
    port: port === null ? null : literal(port),
    flags: natFlags(c),
  };
}

function natFlags(c: Cursor): string[] {
  const flags: string[] = [];
  while (!c.atEnd() && NAT_FLAGS.has(c.peek()?.value ?? '')) {
    flags.push(c.next().value);
    c.accept(',');
  }
  return flags;
}

function masquerade(c: Cursor): NftStatement {
  c.next();
  let port: NftExpr | null = null;
  if (c.accept('to')) port = literal(c.word('masquerade port').replace(/^:/, ''));
  const flags: string[] = [];
  while (!c.atEnd() && NAT_FLAGS.has(c.peek()?.value ?? '')) {
    flags.push(c.next().value);
    c.accept(',');
  }
  return { kind: 'masquerade', flags, port };
}

function counter(c: Cursor): NftStatement {
  c.next();
  if (c.accept('name')) return { kind: 'counter', packets: null, bytes: null, name: c.word('counter name') };
  if (!c.accept('packets')) return { kind: 'counter', packets: null, bytes: null, name: null };
  const packets = Number(c.word('packet count'));
  c.expect('bytes');
  return { kind: 'counter', packets, bytes: Number(c.word('byte count')), name: null };
}

function log(c: Cursor): NftStatement {
  c.next();
  let prefix: string | null = null;
  for (;;) {
    if (c.accept('prefix')) prefix = c.word('log prefix');
    else if (['level', 'group', 'snaplen', 'queue-threshold', 'flags'].some((k) => c.is(k))) {
      c.next();
      c.word('log option value');
    } else break;
  }
  return { kind: 'log', prefix };
}

function isPrimaryStart(c: Cursor): boolean {
  const t = c.peek();
  if (!t || t.type !== 'word') return false;
  const w = t.value;
  return (PAYLOAD_PROTOCOLS.has(w) && c.peek(1)?.type === 'word') || w === 'meta' || BARE_META.has(w) || w === 'ct' || w === 'fib' || w === 'numgen';
}

/** `primary [binop value]* [. primary [binop value]*]*`; null when the tokens are not an expression. */
function expression(c: Cursor): NftExpr | null {
  const items: NftExpr[] = [];
  do {
    let e = primary(c);
    if (!e) return null;
    for (let op = binop(c); op; op = binop(c)) {
      c.next();
      e = { kind: 'binop', op, left: e, right: value1(c) };
    }
    items.push(e);
  } while (c.accept('.'));
  return items.length === 1 ? (items[0] as NftExpr) : { kind: 'concat', items };
}

function binop(c: Cursor): BinOp | undefined {
  const t = c.peek();
  return t?.type === 'word' ? BIN_OPS.get(t.value) : undefined;
}

function primary(c: Cursor): NftExpr | null {
  if (!isPrimaryStart(c)) return null;
  const w = c.next().value;
  if (PAYLOAD_PROTOCOLS.has(w)) return { kind: 'payload', protocol: w, field: c.word(`${w} field`) };
  if (w === 'meta') return { kind: 'meta', key: c.word('meta key') };
  if (BARE_META.has(w)) return { kind: 'meta', key: w };
  if (w === 'ct') {
    const dir = c.is('original') || c.is('reply') ? c.next().value : null;
    return { kind: 'ct', key: c.word('ct key'), dir };
  }
  if (w === 'fib') {
    const flags = [c.word('fib flag')];
    while (c.accept('.')) flags.push(c.word('fib flag'));
    return { kind: 'fib', flags, result: c.word('fib result') };
  }
  // numgen
  const mode = c.word('numgen mode');
  c.expect('mod');
  const mod = Number(c.word('numgen modulus'));
  const offset = c.accept('offset') ? Number(c.word('numgen offset')) : 0;
  return { kind: 'numgen', mode, mod, offset };
}

/** Right-hand side of a match: a value, a concatenation, or a flag list `a,b`. */
function rhs(c: Cursor): NftExpr {
  const first = valueConcat(c);
  if (!c.is(',')) return first;
  const items = [first];
  while (c.accept(',')) items.push(valueConcat(c));
  return { kind: 'list', items };
}

function valueConcat(c: Cursor): NftExpr {
  const items = [value1(c)];
  while (c.accept('.')) items.push(value1(c));
  return items.length === 1 ? (items[0] as NftExpr) : { kind: 'concat', items };
}

/** One value: `@set`, `{ ... }`, a quoted string, or a literal word. */
function value1(c: Cursor): NftExpr {
  if (c.is('{')) return { kind: 'set', elements: parseElements(c) };
  const t = c.next('a value');
  if (t.type === 'string') return { kind: 'value', value: t.value };
  if (t.type !== 'word') throw c.error(`expected a value, found "${t.value}"`);
  if (t.value.startsWith('@')) return { kind: 'setref', name: t.value.slice(1) };
  return literal(t.value);
}

/** Number, prefix, range or symbol, from one word. */
function literal(w: string): NftExpr {
  if (/^\d+$/.test(w)) return { kind: 'value', value: Number(w) };
  if (/^0x[0-9a-f]+$/i.test(w)) return { kind: 'value', value: Number.parseInt(w, 16) };
  const slash = w.lastIndexOf('/');
  if (slash > 0 && /^\d+$/.test(w.slice(slash + 1)) && parseIP(w.slice(0, slash))) {
    return { kind: 'prefix', addr: w.slice(0, slash), len: Number(w.slice(slash + 1)) };
  }
  // Ranges: `0-2`, `10.0.0.1-10.0.0.9`, `fd00::1-fd00::9` (a dash never appears inside an address).
  const dash = w.indexOf('-');
  if (dash > 0) {
    const a = w.slice(0, dash);
    const b = w.slice(dash + 1);
    const num = (x: string) => /^(\d+|0x[0-9a-f]+)$/i.test(x);
    if ((num(a) && num(b)) || (parseIP(a) && parseIP(b))) return { kind: 'range', from: literal(a), to: literal(b) };
  }
  return { kind: 'value', value: w };
}

/** `{ elem, elem, ... }` with optional `comment`, `timeout`, `expires` and `: data` per element. */
export function parseElements(c: Cursor): NftElement[] {
  c.expect('{');
  const out: NftElement[] = [];
  for (;;) {
    skipNl(c);
    if (c.accept('}')) return out;
    const line = c.line();
    const key = valueConcat(c);
    const el: NftElement = { key, data: null, comment: null, timeout: null, expires: null, line };
    for (;;) {
      skipNl(c);
      if (c.accept('comment')) el.comment = c.string('element comment');
      else if (c.accept('timeout')) el.timeout = parseDuration(c.word('timeout'));
      else if (c.accept('expires')) el.expires = parseDuration(c.word('expiry'));
      else if (c.accept('counter')) {
        if (c.accept('packets')) {
          c.word('packets');
          c.expect('bytes');
          c.word('bytes');
        }
      } else break;
    }
    if (c.accept(':')) el.data = elementData(c);
    out.push(el);
    skipNl(c);
    if (!c.accept(',') && !c.is('}')) throw c.error(`expected "," or "}" in element list, found "${c.peek()?.value ?? 'end of input'}"`);
  }
}

function elementData(c: Cursor): NftVerdict | NftExpr {
  return verdictAt(c, c.peek()?.value ?? '') ?? valueConcat(c);
}

/** `accept`, `drop`, ... or `jump|goto CHAIN` at the cursor (consumed), as a rule statement or map data. */
function verdictAt(c: Cursor, w: string): NftVerdict | null {
  if (VERDICT_WORDS.has(w)) {
    c.next();
    return { kind: 'verdict', verdict: w as NftVerdict['verdict'], target: null };
  }
  if (w === 'jump' || w === 'goto') {
    c.next();
    return { kind: 'verdict', verdict: w, target: c.word(`chain after ${w}`) };
  }
  return null;
}

function skipNl(c: Cursor): void {
  while (c.peek()?.type === 'nl' || c.peek()?.type === 'handle') c.pos++;
}

/** nft durations: `3h`, `10800s`, `1d2h3m4s500ms`; a bare number is seconds. */
export function parseDuration(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  let consumed = '';
  for (const m of text.matchAll(/(\d+)(ms|d|h|m|s)/g)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n / 1000 : m[2] === 'd' ? n * 86400 : m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : n;
    consumed += m[0];
  }
  return consumed === text && consumed !== '' ? total : Number.NaN;
}
