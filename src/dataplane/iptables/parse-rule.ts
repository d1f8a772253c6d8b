/** One `-A CHAIN ...` line (optionally `[p:b]`-prefixed) into a typed Rule. */
import { DumpParseError } from '../errors.ts';
import { MATCHES, PROTOCOL_MATCHES, TARGETS, VERDICTS } from './extensions.ts';
import type { Counters, Match, Negatable, ParamName, Rule, RuleOption, RulePart, Target, Word } from './model.ts';
import { tokenize, UnterminatedQuoteError, type Token } from './tokenize.ts';

const PARAMS: Readonly<Record<string, ParamName>> = {
  '-p': 'protocol',
  '--protocol': 'protocol',
  '-s': 'source',
  '--source': 'source',
  '--src': 'source',
  '-d': 'destination',
  '--destination': 'destination',
  '--dst': 'destination',
  '-i': 'inInterface',
  '--in-interface': 'inInterface',
  '-o': 'outInterface',
  '--out-interface': 'outInterface',
};
const APPEND = ['-A', '--append'];
const MODULE = ['-m', '--match'];
const JUMP = ['-j', '--jump'];
const GOTO = ['-g', '--goto'];
const FRAGMENT = ['-f', '--fragment'];
const SET_COUNTERS = ['-c', '--set-counters'];
const COUNTERS = /^\[(\d+):(\d+)\]$/;
const NUMBER = /^\d+$/;

export interface RuleWhere {
  file: string;
  line: number;
}

/**
 * Names netpath knows (modules, options, targets, protocols) as one shared string each: a token
 * is a new string per rule, and a big dump repeats these in every rule.
 */
const NAMES = new Map(
  [
    ...Object.entries(MATCHES).flatMap(([module, options]) => [module, ...Object.keys(options)]),
    ...Object.entries(TARGETS).flatMap(([target, options]) => [target, ...Object.keys(options)]),
    ...VERDICTS,
    'all',
    ...Object.keys(PARAMS),
    ...APPEND,
    ...MODULE,
    ...JUMP,
    ...GOTO,
    ...FRAGMENT,
    ...SET_COUNTERS,
  ].map((n) => [n, n]),
);
/** A Set, not `TARGETS[name]`: a lookup of a chain name in an object first searches V8's string table. */
const TARGET_NAMES: ReadonlySet<string> = new Set(Object.keys(TARGETS));
const known = (s: string): string => NAMES.get(s) ?? s;

/** Parses one rule line. Throws DumpParseError with the file and line on malformed text. */
export function parseRuleLine(text: string, where: RuleWhere): Rule {
  return readRuleLine(text, where, false).rule;
}

/** A rule with its words and their parts in written order: what formatRule rebuilds the line from. */
export interface ReadRule {
  rule: Rule;
  parts: RulePart[];
  tokens: Token[];
  trailing: string;
}

/**
 * parseRuleLine, keeping what only the formatter needs; rules do not keep it (it is most of their size).
 * Without `layout` (parsing a whole dump) the words' spacing and the parts are not built at all:
 * nothing reads them there, and they were several objects per word of a 400,000-rule dump.
 */
export function readRuleLine(text: string, where: RuleWhere, layout = true): ReadRule {
  const fail = (message: string): never => {
    throw new DumpParseError(where.file, where.line, message);
  };
  let tokens: Token[];
  let trailing: string;
  try {
    ({ tokens, trailing } = tokenize(text, layout));
  } catch (e) {
    if (e instanceof UnterminatedQuoteError) fail(`${e.message}; the rule is cut off or badly quoted`);
    throw e;
  }

  const parts: RulePart[] | null = layout ? [] : null;
  const params: Partial<Record<ParamName, Negatable<string>>> = {};
  const matches: Match[] = [];
  let counters: Counters | null = null;
  let fragment: Negatable<true> | null = null;
  let current: Match | null = null;
  let target: Target | null = null;
  let i = 0;

  const peek = (): Token | undefined => tokens[i];
  const isFlag = (t: Token | undefined): boolean => !!t && !t.quoted && (t.value.startsWith('-') || t.value === '!');
  const value = (what: string): Token => {
    const t = tokens[i];
    if (!t || isFlag(t)) fail(`${what} needs a value`);
    i++;
    return t!;
  };

  const first = peek();
  const counted = first && !first.quoted && first.value.startsWith('[') ? COUNTERS.exec(first.value) : null;
  if (counted) {
    counters = { packets: BigInt(counted[1]!), bytes: BigInt(counted[2]!) };
    parts?.push({ kind: 'counters', counters });
    i++;
  }
  const append = peek();
  if (!append || append.quoted || !APPEND.includes(append.value)) {
    fail(`a rule must start with "-A CHAIN"${counted ? ' after its [packets:bytes] counters' : ''}`);
  }
  i++;
  const chain = value(append!.value).value;
  parts?.push({ kind: 'append', flag: append!.value, chain });

  const ownerOf = (name: string): Match | Target => {
    if (target && TARGETS[target.name]?.[name] !== undefined) return target;
    if (current && MATCHES[current.module]?.[name] !== undefined) return current;
    const proto = params.protocol;
    const protoModule = proto && !proto.negated ? proto.value.toLowerCase() : null;
    if (protoModule && PROTOCOL_MATCHES.includes(protoModule) && MATCHES[protoModule]?.[name] !== undefined) {
      const existing = matches.find((m) => m.module === protoModule);
      if (existing) return existing;
      const implicit: Match = { module: protoModule, implicit: true, options: [], known: true };
      matches.push(implicit);
      return implicit;
    }
    if (target && !VERDICTS.includes(target.name)) return target;
    if (current) return current;
    return fail(`option ${name} does not belong to any "-m" match or "-j" target before it`);
  };

  while (i < tokens.length) {
    let negated = false;
    const bang = tokens[i]!;
    if (!bang.quoted && bang.value === '!') {
      negated = true;
      i++;
    }
    const t = tokens[i];
    if (!t) return fail('the rule ends with "!" and nothing to negate');
    if (t.quoted || !t.value.startsWith('-')) {
      return fail(`unexpected "${t.value}": expected an option such as -p, -m, --dport or -j`);
    }
    i++;
    // The shared string: the lookups below by a known flag then find it at once.
    const flag = known(t.value);
    const param = PARAMS[flag];
    if (param) {
      if (params[param]) fail(`${flag} is given twice`);
      const v = value(flag);
      params[param] = { value: param === 'protocol' ? known(v.value) : v.value, negated };
      parts?.push({ kind: 'param', flag, param, negated, value: { value: v.value, quoted: v.quoted } });
    } else if (FRAGMENT.includes(flag)) {
      fragment = { value: true, negated };
      parts?.push({ kind: 'fragment', flag, negated });
    } else if (MODULE.includes(flag)) {
      if (negated) fail(`"!" cannot negate ${flag}; put it before the match option instead`);
      const name = known(value(flag).value);
      current = { module: name, implicit: false, options: [], known: MATCHES[name] !== undefined };
      matches.push(current);
      parts?.push({ kind: 'module', flag, name });
    } else if (JUMP.includes(flag) || GOTO.includes(flag)) {
      if (negated) fail(`"!" cannot negate ${flag}`);
      if (target) fail(`the rule has two targets (${target.goto ? '-g' : '-j'} ${target.name} and ${flag})`);
      const name = known(value(flag).value);
      const kind = VERDICTS.includes(name) ? 'verdict' : TARGET_NAMES.has(name) ? 'extension' : 'chain';
      target = { goto: GOTO.includes(flag), name, kind, options: [] };
      parts?.push({ kind: 'target', flag, name });
    } else if (SET_COUNTERS.includes(flag)) {
      const p = value(flag);
      const b = value(flag);
      if (!NUMBER.test(p.value) || !NUMBER.test(b.value)) fail(`${flag} needs two numbers (packets bytes)`);
      const inline = { packets: BigInt(p.value), bytes: BigInt(b.value) };
      counters = inline;
      parts?.push({ kind: 'inline-counters', flag, counters: inline });
    } else if (flag.startsWith('--')) {
      const owner = ownerOf(flag);
      const schema = 'goto' in owner ? TARGETS[owner.name] : MATCHES[owner.module];
      const arity = schema?.[flag];
      const values: Word[] = [];
      if (arity === undefined) {
        while (i < tokens.length && !isFlag(tokens[i])) values.push(word(tokens[i++]!));
      } else {
        for (let n = 0; n < arity; n++) values.push(word(value(flag)));
      }
      const option: RuleOption = { name: known(flag), negated, values: fit(values) };
      owner.options.push(option);
      if (arity === undefined) {
        if ('goto' in owner) owner.kind = 'unknown';
        else owner.known = false;
      }
      parts?.push({ kind: 'option', option });
    } else {
      fail(`unknown flag ${flag}`);
    }
  }

  for (const m of matches) m.options = fit(m.options);
  if (target) target.options = fit(target.options);
  const rule: Rule = {
    chain,
    line: where.line,
    file: where.file,
    text,
    counters,
    protocol: params.protocol ?? null,
    source: params.source ?? null,
    destination: params.destination ?? null,
    inInterface: params.inInterface ?? null,
    outInterface: params.outInterface ?? null,
    fragment,
    matches: fit(matches),
    target,
  };
  return { rule, parts: parts ?? [], tokens, trailing };
}

/**
 * An array grown by push keeps room for 16 more elements; a big dump has hundreds of thousands of
 * matches, options and values, so the kept ones are exact copies.
 */
const fit = <T>(xs: T[]): T[] => xs.slice();

function word(t: Token): Word {
  return { value: t.value, quoted: t.quoted };
}
