/**
 * What `nft -j list ruleset` and `nft list ruleset` print after `nft -f` of nftInput's transactions
 * into an empty network namespace, written without the kernel: listing a 10,000-service table
 * takes the kernel and nft about 100 s, and about four times that when the table doubles.
 *
 * It reads the generator's own `nft -f` lines (a fixed subset of nft syntax; anything else throws)
 * and reproduces what nft 1.0.6 does when listing (observed, checked equal by
 * test/unit/bench/nftables-listing.test.ts against the kernel):
 * - handles: the table is 1; sets, chains and rules share one counter in the order they are added,
 *   and an anonymous map (`numgen ... vmap { ... }`) takes one just before its rule; a
 *   single-element `{ ... }` becomes a plain value and takes none;
 * - items: table, named sets in creation order, chains in creation order, then each chain's rules;
 * - set elements sorted as nft sorts them (mergesort.c): a single value by its number, a
 *   concatenation by its bytes (each field in its own byte order) read as a little-endian number;
 * - JSON spacing as jansson prints it: `", "` and `": "`, one line.
 */
const T = 'ip kube-proxy';
const TABLE = 'kube-proxy';

export interface NftVersion {
  version: string;
  releaseName: string;
}

/** `nftables v1.0.6 (Lester Gooch #5)` -> its two parts, for the JSON metainfo. */
export function parseNftVersion(line: string): NftVersion {
  const m = /^nftables v(\S+) \((.*)\)$/.exec(line.trim());
  if (!m) throw new Error(`unexpected nft --version output: ${line}`);
  return { version: m[1]!, releaseName: m[2]! };
}

type Json = null | string | number | Json[] | { [key: string]: Json };

interface SetDecl {
  kind: 'set' | 'map';
  name: string;
  handle: number;
  types: string[];
  comment: string | null;
  flags: string[];
  timeout: number | null;
  elements: string[];
}

interface Chain {
  name: string;
  handle: number;
  base: { type: string; hook: string; prio: number } | null;
  comment: string | null;
  rules: { handle: number; comment: string | null; expr: Json[]; text: string }[];
}

/** The two listings of the table nftInput's `inputs` load, in order. */
export function nftListing(inputs: readonly string[], nft: NftVersion): { json: string; text: string } {
  let handle = 0;
  let tableComment: string | null = null;
  const sets: SetDecl[] = [];
  const setByName = new Map<string, SetDecl>();
  const chains = new Map<string, Chain>();
  for (const line of inputs.flatMap((input) => input.split('\n'))) {
    if (line === '') continue;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^add table ${T} \\{ comment "([^"]*)" ; \\}$`).exec(line))) {
      tableComment = m[1]!;
    } else if ((m = new RegExp(`^add (set|map) ${T} (\\S+) \\{ (.*) ; \\}$`).exec(line))) {
      const set = setDecl(m[1] as 'set' | 'map', m[2]!, m[3]!.split(' ; '), ++handle);
      sets.push(set);
      setByName.set(set.name, set);
    } else if ((m = new RegExp(`^add chain ${T} (\\S+)(?: \\{ (.*) ; \\})?$`).exec(line))) {
      chains.set(m[1]!, chainDecl(m[1]!, m[2] ?? null, ++handle));
    } else if ((m = new RegExp(`^add rule ${T} (\\S+) (.*)$`).exec(line))) {
      const chain = chains.get(m[1]!);
      if (!chain) throw new Error(`rule for unknown chain: ${line}`);
      const rule = parseRule(m[2]!);
      handle += rule.anonymousSets;
      chain.rules.push({ handle: ++handle, comment: rule.comment, expr: rule.expr, text: rule.text });
    } else if ((m = new RegExp(`^add element ${T} (\\S+) \\{ (.*) \\}$`).exec(line))) {
      const set = setByName.get(m[1]!);
      if (!set) throw new Error(`elements for unknown set: ${line}`);
      set.elements.push(...m[2]!.split(', '));
    } else {
      throw new Error(`nft input line not understood: ${line}`);
    }
  }
  return { json: jsonListing(nft, sets, [...chains.values()]), text: textListing(tableComment, sets, [...chains.values()]) };
}

function setDecl(kind: 'set' | 'map', name: string, parts: string[], handle: number): SetDecl {
  const set: SetDecl = { kind, name, handle, types: [], comment: null, flags: [], timeout: null, elements: [] };
  for (const part of parts) {
    let m: RegExpExecArray | null;
    if ((m = /^type (.*?)(?: : verdict)?$/.exec(part))) set.types = m[1]!.split(' . ');
    else if ((m = /^comment "([^"]*)"$/.exec(part))) set.comment = m[1]!;
    else if ((m = /^flags (\S+)$/.exec(part))) set.flags = m[1]!.split(',');
    else if ((m = /^timeout (\d+)s$/.exec(part))) set.timeout = Number(m[1]);
    else throw new Error(`set ${name}: ${part} not understood`);
  }
  if (kind === 'map' && !parts[0]!.endsWith(' : verdict')) throw new Error(`map ${name}: only verdict maps are written`);
  return set;
}

const PRIO_NAMES = [
  { name: 'raw', prio: -300, hooks: null },
  { name: 'mangle', prio: -150, hooks: null },
  { name: 'dstnat', prio: -100, hooks: ['prerouting'] },
  { name: 'filter', prio: 0, hooks: null },
  { name: 'security', prio: 50, hooks: null },
  { name: 'srcnat', prio: 100, hooks: ['postrouting'] },
];

/** nft prints a priority within 10 of a standard one of the hook by its name. */
function prioText(hook: string, prio: number): string {
  for (const p of PRIO_NAMES) {
    const offset = prio - p.prio;
    if ((p.hooks === null || p.hooks.includes(hook)) && Math.abs(offset) <= 10) {
      return offset === 0 ? p.name : `${p.name} ${offset > 0 ? '+' : '-'} ${Math.abs(offset)}`;
    }
  }
  return String(prio);
}

function chainDecl(name: string, spec: string | null, handle: number): Chain {
  const chain: Chain = { name, handle, base: null, comment: null, rules: [] };
  if (spec === null) return chain;
  let m: RegExpExecArray | null;
  if ((m = /^type (\S+) hook (\S+) priority (-?\d+)$/.exec(spec))) chain.base = { type: m[1]!, hook: m[2]!, prio: Number(m[3]) };
  else if ((m = /^comment "([^"]*)"$/.exec(spec))) chain.comment = m[1]!;
  else throw new Error(`chain ${name}: ${spec} not understood`);
  return chain;
}

const payload = (protocol: string, field: string): Json => ({ payload: { protocol, field } });
const meta = (key: string): Json => ({ meta: { key } });
const MARK_OPS: Record<string, string> = { or: '|', xor: '^' };
const hex32 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** An address, a prefix, a named set, or a single-element anonymous set (nft makes it a plain value). */
function ipValue(value: string): { json: Json; text: string } {
  const single = /^\{ ([^,{}]+) \}$/.exec(value);
  const v = single ? single[1]! : value;
  if (v.includes('{')) throw new Error(`anonymous sets of several elements are not written here: ${value}`);
  const prefix = /^([\d.]+)\/(\d+)$/.exec(v);
  return { json: prefix ? { prefix: { addr: prefix[1]!, len: Number(prefix[2]) } } : v, text: v };
}

interface Statement {
  re: RegExp;
  build(m: RegExpExecArray): { json: Json; text: string; anonymousSets?: number };
}

/** The statements the generator writes, most specific first. */
const STATEMENTS: Statement[] = [
  {
    re: /^ip daddr \. meta l4proto \. th dport vmap (@\S+)/,
    build: (m) => ({ json: { vmap: { key: { concat: [payload('ip', 'daddr'), meta('l4proto'), payload('th', 'dport')] }, data: m[1]! } }, text: m[0] }),
  },
  {
    re: /^meta l4proto \. th dport vmap (@\S+)/,
    build: (m) => ({ json: { vmap: { key: { concat: [meta('l4proto'), payload('th', 'dport')] }, data: m[1]! } }, text: m[0] }),
  },
  {
    re: /^ip (saddr|daddr) (!= )?(@\S+|\{ [^}]* \}|[\d.]+(?:\/\d+)?)/,
    build: (m) => {
      const v = ipValue(m[3]!);
      return { json: { match: { op: m[2] ? '!=' : '==', left: payload('ip', m[1]!), right: v.json } }, text: `ip ${m[1]} ${m[2] ?? ''}${v.text}` };
    },
  },
  { re: /^ct state new/, build: (m) => ({ json: { match: { op: 'in', left: { ct: { key: 'state' } }, right: 'new' } }, text: m[0] }) },
  {
    re: /^mark set mark (or|xor) (0x[0-9a-f]+)/,
    build: (m) => {
      const op = MARK_OPS[m[1]!]!;
      const n = Number(m[2]);
      return { json: { mangle: { key: meta('mark'), value: { [op]: [meta('mark'), n] } } }, text: `meta mark set meta mark ${op} ${hex32(n)}` };
    },
  },
  {
    re: /^mark and (0x[0-9a-f]+) == (\d+)/,
    build: (m) => {
      const [mask, value] = [Number(m[1]), Number(m[2])];
      return { json: { match: { op: '==', left: { '&': [meta('mark'), mask] }, right: value } }, text: `meta mark & ${hex32(mask)} == ${hex32(value)}` };
    },
  },
  {
    re: /^fib saddr type local/,
    build: (m) => ({ json: { match: { op: '==', left: { fib: { result: 'type', flags: ['saddr'] } }, right: 'local' } }, text: m[0] }),
  },
  { re: /^meta l4proto tcp/, build: (m) => ({ json: { match: { op: '==', left: meta('l4proto'), right: 'tcp' } }, text: m[0] }) },
  {
    re: /^numgen random mod (\d+) vmap \{ (.*?) \}/,
    build: (m) => {
      const entries = m[2]!.split(' , ').map((e) => {
        const em = /^(\d+) : goto (\S+)$/.exec(e);
        if (!em) throw new Error(`numgen map entry not understood: ${e}`);
        return { key: Number(em[1]), target: em[2]! };
      });
      entries.sort((a, b) => a.key - b.key);
      return {
        json: { vmap: { key: { numgen: { mode: 'random', mod: Number(m[1]), offset: 0 } }, data: { set: entries.map((e) => [e.key, { goto: { target: e.target } }]) } } },
        text: `numgen random mod ${m[1]} vmap { ${entries.map((e) => `${e.key} : goto ${e.target}`).join(', ')} }`,
        anonymousSets: 1,
      };
    },
  },
  {
    re: /^update (@\S+) \{ ip saddr \}/,
    build: (m) => ({ json: { set: { op: 'update', elem: payload('ip', 'saddr'), set: m[1]! } }, text: m[0] }),
  },
  { re: /^(jump|goto) (\S+)/, build: (m) => ({ json: { [m[1]!]: { target: m[2]! } }, text: m[0] }) },
  { re: /^(return|drop)(?= |$)/, build: (m) => ({ json: { [m[1]!]: null }, text: m[0] }) },
  { re: /^reject(?= |$)/, build: (m) => ({ json: { reject: { type: 'icmp', expr: 'port-unreachable' } }, text: m[0] }) },
  { re: /^masquerade fully-random/, build: (m) => ({ json: { masquerade: { flags: 'fully-random' } }, text: m[0] }) },
  { re: /^dnat to ([\d.]+):(\d+)/, build: (m) => ({ json: { dnat: { addr: m[1]!, port: Number(m[2]) } }, text: m[0] }) },
];

function parseRule(body: string): { expr: Json[]; text: string; comment: string | null; anonymousSets: number } {
  const c = /^(.*) comment "([^"]*)"$/.exec(body);
  let rest = c ? c[1]! : body;
  const expr: Json[] = [];
  const texts: string[] = [];
  let anonymousSets = 0;
  while (rest !== '') {
    const statement = STATEMENTS.find((s) => s.re.test(rest));
    const m = statement?.re.exec(rest);
    if (!statement || !m) throw new Error(`nft rule not understood at: ${rest}`);
    const built = statement.build(m);
    expr.push(built.json);
    texts.push(built.text);
    anonymousSets += built.anonymousSets ?? 0;
    rest = rest.slice(m[0].length).replace(/^ /, '');
  }
  const comment = c ? c[2]! : null;
  return { expr, text: texts.join(' ') + (comment === null ? '' : ` comment "${comment}"`), comment, anonymousSets };
}

const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132 };

/** A key field's bytes as the kernel stores them (addresses and ports in network order). */
function fieldBytes(type: string, value: string): number[] {
  if (type === 'ipv4_addr') return value.split('.').map(Number);
  if (type === 'inet_proto') return [PROTOCOLS[value]!];
  if (type === 'inet_service') return [Number(value) >> 8, Number(value) & 255];
  throw new Error(`set key type ${type} is not written here`);
}

interface Element {
  key: string[];
  comment: string | null;
  verdict: string | null;
  text: string;
  sortKey: number[];
}

function parseElement(set: SetDecl, text: string): Element {
  const m = /^(.*?)(?: comment "([^"]*)")?(?: : (.*))?$/.exec(text)!;
  const key = m[1]!.split(' . ');
  if (key.length !== set.types.length) throw new Error(`set ${set.name}: element ${text} does not match its type`);
  const bytes = key.flatMap((k, i) => fieldBytes(set.types[i]!, k));
  // mergesort.c: a concatenation compares as a little-endian number, a single value as its number.
  return { key, comment: m[2] ?? null, verdict: m[3] ?? null, text, sortKey: key.length > 1 ? bytes.reverse() : bytes };
}

function compareBytes(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

const keyJson = (set: SetDecl, key: string[]): Json => {
  const fields = key.map((k, i) => (set.types[i] === 'inet_service' ? Number(k) : k));
  return fields.length > 1 ? { concat: fields } : fields[0]!;
};

function verdictJson(verdict: string): Json {
  const m = /^(goto|jump) (\S+)$/.exec(verdict);
  if (m) return { [m[1]!]: { target: m[2]! } };
  if (verdict === 'drop' || verdict === 'accept' || verdict === 'return') return { [verdict]: null };
  throw new Error(`verdict ${verdict} not understood`);
}

const sortedElements = (set: SetDecl) => set.elements.map((e) => parseElement(set, e)).sort((a, b) => compareBytes(a.sortKey, b.sortKey));

/** Serializes as jansson does for nft: `", "` between items, `": "` after keys. */
function dump(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(dump).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}: ${dump(x)}`)
    .join(', ')}}`;
}

function jsonListing(nft: NftVersion, sets: SetDecl[], chains: Chain[]): string {
  const items: string[] = [
    dump({ metainfo: { version: nft.version, release_name: nft.releaseName, json_schema_version: 1 } }),
    dump({ table: { family: 'ip', name: TABLE, handle: 1 } }),
  ];
  for (const set of sets) {
    const o: { [key: string]: Json } = { family: 'ip', name: set.name, table: TABLE, type: set.types.length > 1 ? set.types : set.types[0]!, handle: set.handle };
    if (set.comment !== null) o.comment = set.comment;
    if (set.kind === 'map') o.map = 'verdict';
    // A dynamic set gets the default size; JSON of nft 1.0.6 leaves the dynamic flag out.
    if (set.flags.includes('dynamic')) o.size = 65535;
    const flags = set.flags.filter((f) => f !== 'dynamic');
    if (flags.length > 0) o.flags = flags;
    if (set.timeout !== null) o.timeout = set.timeout;
    if (set.elements.length > 0) {
      o.elem = sortedElements(set).map((e) => {
        const key = e.comment === null ? keyJson(set, e.key) : { elem: { val: keyJson(set, e.key), comment: e.comment } };
        return e.verdict === null ? key : [key, verdictJson(e.verdict)];
      });
    }
    items.push(dump({ [set.kind]: o }));
  }
  for (const chain of chains) {
    const o: { [key: string]: Json } = { family: 'ip', table: TABLE, name: chain.name, handle: chain.handle };
    if (chain.base) Object.assign(o, { type: chain.base.type, hook: chain.base.hook, prio: chain.base.prio, policy: 'accept' });
    items.push(dump({ chain: o }));
  }
  for (const chain of chains) {
    for (const rule of chain.rules) {
      const o: { [key: string]: Json } = { family: 'ip', table: TABLE, chain: chain.name, handle: rule.handle };
      if (rule.comment !== null) o.comment = rule.comment;
      o.expr = rule.expr;
      items.push(dump({ rule: o }));
    }
  }
  return `{"nftables": [${items.join(', ')}]}\n`;
}

/** nft's time format: 10800 -> 3h, 90 -> 1m30s. */
function durationText(seconds: number): string {
  const parts: [number, string][] = [
    [Math.floor(seconds / 86400), 'd'],
    [Math.floor(seconds / 3600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ];
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join('');
}

const CONT = '\n\t\t\t     ';

/** nft wraps IPv4 address sets two to a line and puts each concatenated element on its own line. */
function elementsText(set: SetDecl): string {
  const elements = sortedElements(set);
  const perLine = set.types.length === 1 && set.types[0] === 'ipv4_addr' ? 2 : 1;
  let out = '';
  elements.forEach((e, i) => {
    if (i > 0) out += i % perLine === 0 ? `,${CONT}` : ', ';
    out += e.text;
  });
  return `\t\telements = { ${out} }\n`;
}

function textListing(tableComment: string | null, sets: SetDecl[], chains: Chain[]): string {
  const blocks: string[] = [];
  for (const set of sets) {
    let b = `\t${set.kind} ${set.name} {\n\t\ttype ${set.types.join(' . ')}${set.kind === 'map' ? ' : verdict' : ''}\n`;
    if (set.flags.includes('dynamic')) b += '\t\tsize 65535\n';
    if (set.flags.length > 0) b += `\t\tflags ${set.flags.join(',')}\n`;
    if (set.timeout !== null) b += `\t\ttimeout ${durationText(set.timeout)}\n`;
    if (set.comment !== null) b += `\t\tcomment "${set.comment}"\n`;
    if (set.elements.length > 0) b += elementsText(set);
    blocks.push(`${b}\t}\n`);
  }
  for (const chain of chains) {
    let b = `\tchain ${chain.name} {\n`;
    if (chain.base) b += `\t\ttype ${chain.base.type} hook ${chain.base.hook} priority ${prioText(chain.base.hook, chain.base.prio)}; policy accept;\n`;
    if (chain.comment !== null) b += `\t\tcomment "${chain.comment}"\n`;
    for (const rule of chain.rules) b += `\t\t${rule.text}\n`;
    blocks.push(`${b}\t}\n`);
  }
  const comment = tableComment === null ? '' : `\tcomment "${tableComment}"\n`;
  return `table ${T} {\n${comment}${blocks.join('\n')}}\n`;
}
