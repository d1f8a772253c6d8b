import { DumpParseError } from '../errors.ts';
import { parseJsonText } from '../json-text.ts';
import type { BinOp, MatchOp, NftElement, NftExpr, NftRule, NftRuleset, NftStatement, NftTable, NftVerdict } from './model.ts';
import { tableLabel } from './model.ts';
import { renderRule } from './render.ts';
import { itemSpans, MAX_JSON_DEPTH } from './item-spans.ts';
import { RulesetBuilder } from './ruleset-builder.ts';
import type { RuleSource } from './ruleset-builder.ts';

/**
 * Parses `nft -j list ruleset` (libnftables JSON schema 1). Throws DumpParseError when malformed.
 *
 * nft prints `{"nftables": [item, item, ...]}`; a 10,000-service dump is 100 MB and 350,000 items.
 * Items are read one by one (each JSON.parse'd and checked once) and rules are not kept: a chain
 * reads its rules again from the text when a walk first needs them. Any other document layout is
 * parsed whole.
 */
export function parseNftJson(text: string, file = 'nft.json'): NftRuleset {
  let rs: NftRuleset | null;
  try {
    rs = parseItems(text, file);
  } catch (err) {
    // The whole-document parse words every error with its line, column or item: it throws here
    // for whatever the item-by-item pass refused. Should it not, the item error stands.
    parseWhole(text, file);
    throw err;
  }
  return rs ?? parseWhole(text, file);
}

function parseWhole(text: string, file: string): NftRuleset {
  const doc = parseJsonText(text, file);
  checkDepth(doc, file);
  const items = (doc as { nftables?: unknown } | null)?.nftables;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(items)) {
    throw new DumpParseError(file, 1, 'not `nft -j list ruleset` output: no top-level "nftables" array');
  }
  const b = new RulesetBuilder(file, 'json');
  const version = { nft: null as string | null };
  const rules: { index: number; body: Obj }[] = [];
  items.forEach((item, index) => {
    const body = addItem(b, item, index, version);
    if (body) rules.push({ index, body });
  });
  for (const { index, body } of rules) {
    const rule = ruleOf(b, body, index, ruleNotices(b, body, index));
    rule.text = renderRule(rule);
    b.rule(rule);
  }
  return b.finish(version.nft);
}

/** The item-by-item parse; null when the text is not laid out as `{"nftables": [...]}`. */
function parseItems(text: string, file: string): NftRuleset | null {
  const spans = itemSpans(text, file);
  if (!spans) return null;
  const b = new RulesetBuilder(file, 'json');
  const version = { nft: null as string | null };
  const ruleItems: number[] = [];
  for (let index = 0; index < spans.length / 2; index++) {
    const from = spans[2 * index]!;
    RULE_ITEM.lastIndex = from;
    if (RULE_ITEM.test(text)) ruleItems.push(index);
    else addItem(b, JSON.parse(text.slice(from, spans[2 * index + 1])), index, version);
  }
  // Rules last, as in parseWhole: every chain and set is declared by now.
  const item = (index: number) => single(JSON.parse(text.slice(spans[2 * index], spans[2 * index + 1])), `nftables[${index}]`, file)[1];
  const silent: Report = () => {};
  const next = new Int32Array(spans.length / 2).fill(-1);
  const source: RuleSource = {
    link: (from, to) => {
      next[from] = to;
    },
    read: (first) => {
      const rules: NftRule[] = [];
      for (let index = first; index >= 0; index = next[index]!) {
        // Notices were collected on the first read.
        const rule = ruleOf(b, item(index), index, silent);
        rule.text = renderRule(rule);
        rules.push(rule);
      }
      return rules;
    },
  };
  for (const index of ruleItems) {
    const body = item(index);
    b.checkRule(ruleOf(b, body, index, ruleNotices(b, body, index)), source, index);
  }
  return b.finish(version.nft);
}

/** An item that is a rule: `{"rule": ...`. */
const RULE_ITEM = /[ \t\r\n]*\{[ \t\r\n]*"rule"[ \t\r\n]*:/y;

/** Adds one top-level item; returns the body of a rule, which the caller adds once all chains are known. */
function addItem(b: RulesetBuilder, item: unknown, index: number, version: { nft: string | null }): Obj | null {
  const file = b.file;
  const [kind, body] = single(item, `nftables[${index}]`, file);
  switch (kind) {
    case 'metainfo':
      version.nft = typeof body.version === 'string' ? body.version : null;
      return null;
    case 'table': {
      const t = b.table(str(body, 'family', index, file), str(body, 'name', index, file));
      t.handle = optNum(body.handle);
      t.comment = optStr(body.comment);
      return null;
    }
    case 'chain':
      addChain(b, body, index);
      return null;
    case 'set':
    case 'map':
      addSet(b, body, index, kind);
      return null;
    case 'element': {
      const t = tableOf(b, body, index);
      const name = str(body, 'name', index, file);
      const isMap = t.sets.get(name)?.kind === 'map';
      b.elements(t, name, arr(body.elem).map((e) => element(e, isMap, noticeFor(b, `element of ${name}`))), null);
      return null;
    }
    case 'rule':
      return body;
    default:
      b.notice('layout', null, `nftables[${index}]: "${kind}" objects are not evaluated (${tableLabelOf(body)})`);
      return null;
  }
}

type Obj = Record<string, unknown>;


function checkDepth(doc: unknown, file: string): void {
  const stack: [unknown, number, string][] = [[doc, 0, '']];
  while (stack.length) {
    const [v, depth, where] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_JSON_DEPTH) throw new DumpParseError(file, null, `${where || 'the document'}: nested deeper than ${MAX_JSON_DEPTH} levels`);
    // Name the top-level item (nftables[i]) that holds the nesting: that is where a reader looks.
    for (const [k, c] of Object.entries(v)) stack.push([c, depth + 1, depth === 1 && Array.isArray(v) ? `nftables[${k}]` : where]);
  }
}

function single(item: unknown, where: string, file: string): [string, Obj] {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new DumpParseError(file, null, `${where}: expected an object`);
  const keys = Object.keys(item);
  if (keys.length !== 1) throw new DumpParseError(file, null, `${where}: expected one key, got ${JSON.stringify(keys)}`);
  const kind = keys[0] as string;
  const body = (item as Obj)[kind];
  return [kind, typeof body === 'object' && body !== null ? (body as Obj) : {}];
}

function str(o: Obj, key: string, index: number, file: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new DumpParseError(file, null, `nftables[${index}]: missing "${key}"`);
  return v;
}
const optStr = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const optNum = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const strList = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');

function tableOf(b: RulesetBuilder, body: Obj, index: number): NftTable {
  return b.table(str(body, 'family', index, b.file), str(body, 'table', index, b.file));
}

function tableLabelOf(body: Obj): string {
  return `${String(body.family ?? '?')} ${String(body.table ?? body.name ?? '?')}`;
}

function addChain(b: RulesetBuilder, body: Obj, index: number): void {
  const t = tableOf(b, body, index);
  const c = b.chain(t, str(body, 'name', index, b.file), null);
  c.handle = optNum(body.handle);
  c.comment = optStr(body.comment);
  if (typeof body.hook === 'string') {
    if (typeof body.prio !== 'number') throw b.error(null, `nftables[${index}]: base chain ${c.name} without numeric "prio"`);
    c.base = {
      type: optStr(body.type) ?? 'filter',
      hook: body.hook,
      priority: body.prio,
      policy: body.policy === 'drop' ? 'drop' : 'accept',
      device: optStr(body.dev),
    };
  }
}

function addSet(b: RulesetBuilder, body: Obj, index: number, kind: 'set' | 'map'): void {
  const t = tableOf(b, body, index);
  const name = str(body, 'name', index, b.file);
  const report = noticeFor(b, `${kind} ${name} of ${tableLabel(t)}`);
  const typeText = (v: unknown): string[] =>
    typeof v === 'string' ? [v] : Array.isArray(v) ? strList(v) : v === undefined ? [] : [JSON.stringify(v)];
  const set = b.set(t, {
    name,
    kind,
    keyType: typeText(body.type),
    dataType: kind === 'map' ? typeText(body.map).join(' . ') || null : null,
    flags: strList(body.flags),
    timeout: optNum(body.timeout),
    comment: optStr(body.comment),
    elements: [],
    handle: optNum(body.handle),
    line: null,
  });
  set.elements.push(...arr(body.elem).map((e) => element(e, kind === 'map', report)));
}

/** A rule's notices name its table, chain and handle. */
function ruleNotices(b: RulesetBuilder, body: Obj, index: number): Report {
  const handle = optNum(body.handle);
  return noticeFor(b, `${tableLabel(tableOf(b, body, index))} chain ${str(body, 'chain', index, b.file)}${handle === null ? '' : ` handle ${handle}`}`);
}

/** The rule without its rendered text (callers render it when they keep it). */
function ruleOf(b: RulesetBuilder, body: Obj, index: number, report: Report): NftRule {
  const t = tableOf(b, body, index);
  const chain = str(body, 'chain', index, b.file);
  if (!Array.isArray(body.expr)) throw b.error(null, `nftables[${index}]: rule in ${chain} without an "expr" array`);
  const statements = body.expr.map((s) => statement(s, report));
  return { table: t, chain, handle: optNum(body.handle), comment: optStr(body.comment), statements, text: '', line: null };
}

type Report = (what: string) => void;

function noticeFor(b: RulesetBuilder, where: string): Report {
  return (what) => b.notice('unknown-expression', null, `unknown expression in ${where}: ${what}`);
}

const VERDICTS = new Set(['accept', 'drop', 'continue', 'return', 'jump', 'goto']);

function verdict(v: unknown): NftVerdict | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const keys = Object.keys(v);
  const k = keys[0];
  if (keys.length !== 1 || k === undefined || !VERDICTS.has(k)) return null;
  const body = (v as Obj)[k] as Obj | null;
  const target = body && typeof body.target === 'string' ? body.target : null;
  return { kind: 'verdict', verdict: k as NftVerdict['verdict'], target };
}

function statement(s: unknown, report: Report): NftStatement {
  const v = verdict(s);
  if (v) return v;
  if (typeof s !== 'object' || s === null || Array.isArray(s) || Object.keys(s).length !== 1) return unknownStmt(s, report);
  const kind = Object.keys(s)[0] as string;
  const raw = (s as Obj)[kind];
  const body: Obj = typeof raw === 'object' && raw !== null ? (raw as Obj) : {};
  switch (kind) {
    case 'match': {
      const op = typeof body.op === 'string' ? body.op : '';
      if (!MATCH_OPS.has(op)) return unknownStmt(s, report);
      return { kind: 'match', op: op as MatchOp, left: expr(body.left, report), right: expr(body.right, report) };
    }
    case 'vmap':
      return { kind: 'vmap', key: expr(body.key, report), data: expr(body.data, report) };
    case 'reject': {
      const type = optStr(body.type);
      const code = optStr(body.expr);
      const plain = type === null || (code === 'port-unreachable' && /^icmp(x|v6)?$/.test(type));
      return { kind: 'reject', type: plain ? null : type, code: plain ? null : code };
    }
    case 'dnat':
    case 'snat':
      return {
        kind: 'nat',
        type: kind,
        family: optStr(body.family),
        addr: body.addr === undefined ? null : expr(body.addr, report),
        port: body.port === undefined ? null : expr(body.port, report),
        flags: strList(body.flags),
      };
    case 'masquerade':
      return { kind: 'masquerade', flags: strList(body.flags), port: body.port === undefined ? null : expr(body.port, report) };
    case 'mangle':
      return { kind: 'mangle', key: expr(body.key, report), value: expr(body.value, report) };
    case 'counter':
      return typeof raw === 'string'
        ? { kind: 'counter', packets: null, bytes: null, name: raw }
        : { kind: 'counter', packets: optNum(body.packets), bytes: optNum(body.bytes), name: null };
    case 'log':
      return { kind: 'log', prefix: optStr(body.prefix) };
    case 'set': {
      const op = body.op;
      const set = optStr(body.set);
      if ((op !== 'add' && op !== 'update' && op !== 'delete') || !set?.startsWith('@')) return unknownStmt(s, report);
      return { kind: 'setop', op, set: set.slice(1), elem: expr(body.elem, report) };
    }
    default:
      return unknownStmt(s, report);
  }
}

const MATCH_OPS = new Set(['==', '!=', '<', '>', '<=', '>=', 'in']);
const BINOPS = new Set(['&', '|', '^', '<<', '>>']);

function unknownStmt(s: unknown, report: Report): NftStatement {
  const text = JSON.stringify(s);
  report(text);
  return { kind: 'unknown', text };
}

function unknownExpr(e: unknown, report: Report): NftExpr {
  const text = JSON.stringify(e) ?? String(e);
  report(text);
  return { kind: 'unknown', text };
}

function expr(e: unknown, report: Report): NftExpr {
  if (typeof e === 'string') return e.startsWith('@') ? { kind: 'setref', name: e.slice(1) } : { kind: 'value', value: e };
  if (typeof e === 'number') return { kind: 'value', value: e };
  if (Array.isArray(e)) return { kind: 'list', items: e.map((x) => expr(x, report)) };
  if (typeof e !== 'object' || e === null || Object.keys(e).length !== 1) return unknownExpr(e, report);
  const kind = Object.keys(e)[0] as string;
  const body = (e as Obj)[kind];
  const o: Obj = typeof body === 'object' && body !== null ? (body as Obj) : {};
  switch (kind) {
    case 'payload':
      if (typeof o.protocol === 'string' && typeof o.field === 'string') return { kind: 'payload', protocol: o.protocol, field: o.field };
      return unknownExpr(e, report);
    case 'meta':
      return typeof o.key === 'string' ? { kind: 'meta', key: o.key } : unknownExpr(e, report);
    case 'ct':
      return typeof o.key === 'string' ? { kind: 'ct', key: o.key, dir: optStr(o.dir) } : unknownExpr(e, report);
    case 'fib':
      return typeof o.result === 'string' ? { kind: 'fib', flags: strList(o.flags), result: o.result } : unknownExpr(e, report);
    case 'numgen':
      if (typeof o.mode === 'string' && typeof o.mod === 'number') return { kind: 'numgen', mode: o.mode, mod: o.mod, offset: optNum(o.offset) ?? 0 };
      return unknownExpr(e, report);
    case 'concat':
      return Array.isArray(body) ? { kind: 'concat', items: body.map((x) => expr(x, report)) } : unknownExpr(e, report);
    case 'prefix':
      if (typeof o.addr === 'string' && typeof o.len === 'number') return { kind: 'prefix', addr: o.addr, len: o.len };
      return unknownExpr(e, report);
    case 'range':
      if (Array.isArray(body) && body.length === 2) return { kind: 'range', from: expr(body[0], report), to: expr(body[1], report) };
      return unknownExpr(e, report);
    case 'set':
      return { kind: 'set', elements: arr(body).map((x) => element(x, Array.isArray(x) && x.length === 2, report)) };
    case 'elem':
      return element(e, false, report).key;
    case 'map':
      return o.key !== undefined && o.data !== undefined ? { kind: 'map', key: expr(o.key, report), data: expr(o.data, report) } : unknownExpr(e, report);
    default:
      if (BINOPS.has(kind) && Array.isArray(body) && body.length === 2) {
        return { kind: 'binop', op: kind as BinOp, left: expr(body[0], report), right: expr(body[1], report) };
      }
      return unknownExpr(e, report);
  }
}

/** One entry of `elem`: a key, `{elem: {val, comment, timeout, expires}}`, or `[key, data]` in maps. */
function element(e: unknown, isMap: boolean, report: Report): NftElement {
  let keyJson: unknown = e;
  let data: NftElement['data'] = null;
  if (isMap && Array.isArray(e) && e.length === 2) {
    keyJson = e[0];
    data = verdict(e[1]) ?? expr(e[1], report);
  }
  const wrapped = typeof keyJson === 'object' && keyJson !== null && !Array.isArray(keyJson) && 'elem' in keyJson;
  const meta: Obj = wrapped ? (((keyJson as Obj).elem as Obj | null) ?? {}) : {};
  return {
    key: expr(wrapped ? meta.val : keyJson, report),
    data,
    comment: optStr(meta.comment),
    timeout: optNum(meta.timeout),
    expires: optNum(meta.expires),
    line: null,
  };
}
