import type { NftChain, NftRule, NftRuleset, NftSet, NftTable } from './model.ts';
import { tableLabel } from './model.ts';
import { parsePriority } from './priority.ts';
import { RulesetBuilder } from './ruleset-builder.ts';
import { Cursor } from './text-cursor.ts';
import { parseDuration, parseElements, parseRuleStatements } from './text-rule.ts';
import type { Token } from './text-tokens.ts';
import { tokenize } from './text-tokens.ts';

const FAMILIES = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);

/**
 * Parses nft text: the block syntax of `nft list ruleset` / `nft list table`, and the
 * `add table|chain|set|map|rule|element` commands of `nft -f` files (kube-proxy's test dumps).
 * Throws DumpParseError with the line on malformed input.
 */
export function parseNftText(text: string, file: string): NftRuleset {
  const c = new Cursor(tokenize(text, file), file);
  const b = new RulesetBuilder(file, 'text');
  new TextParser(c, b, text).top();
  return b.finish(null);
}

class TextParser {
  private readonly c: Cursor;
  private readonly b: RulesetBuilder;
  private readonly source: string;

  constructor(c: Cursor, b: RulesetBuilder, source: string) {
    this.c = c;
    this.b = b;
    this.source = source;
  }

  top(): void {
    const { c } = this;
    for (;;) {
      c.skipNewlines();
      if (c.atEnd()) return;
      const line = c.line();
      const w = c.word('a command or "table"');
      if (w === 'table') this.tableBlock(this.familyAndName('table name'));
      else if (w === 'add' || w === 'create') this.add();
      else if (w === 'flush' && c.is('ruleset')) c.next();
      else throw this.b.error(line, `unsupported statement "${w}" (expected "table" blocks or "add" commands)`);
    }
  }

  /** `[family] name`; nft defaults the family to ip. */
  private familyAndName(what: string): NftTable {
    const { c } = this;
    const first = c.word(what);
    if (FAMILIES.has(first) && c.peek()?.type === 'word') return this.b.table(first, c.word(what));
    return this.b.table('ip', first);
  }

  private tableBlock(t: NftTable): void {
    const { c } = this;
    c.expect('{');
    t.handle ??= this.handleComment();
    for (;;) {
      this.skipToContent(`table ${tableLabel(t)}`);
      if (c.accept('}')) return;
      const line = c.line();
      const w = c.word('table contents');
      if (w === 'comment') t.comment = c.string('table comment');
      else if (w === 'flags') this.restOfLine();
      else if (w === 'chain') {
        const chain = this.b.chain(t, c.word('chain name'), line);
        c.expect('{');
        chain.handle ??= this.handleComment();
        this.chainBody(t, chain);
      } else if (w === 'set' || w === 'map') {
        const name = c.word(`${w} name`);
        this.setBody(t, name, w, line);
      } else {
        this.b.notice('layout', line, `${tableLabel(t)}: "${w}" objects are not evaluated`);
        this.skipObject();
      }
    }
  }

  private add(): void {
    const { c, b } = this;
    const line = c.line();
    const what = c.word('object type after "add"');
    if (what === 'table') {
      const t = this.familyAndName('table name');
      if (c.is('{')) this.tableBlock(t);
      return;
    }
    const t = this.familyAndName('table name');
    const name = c.word(`${what} name`);
    if (what === 'chain') {
      const chain = b.chain(t, name, line);
      if (c.accept('{')) this.chainBody(t, chain);
    } else if (what === 'set' || what === 'map') {
      this.setBody(t, name, what, line);
    } else if (what === 'rule') {
      this.rule(t, name);
    } else if (what === 'element') {
      b.elements(t, name, parseElements(c), line);
    } else {
      throw b.error(line, `unsupported "add ${what}"`);
    }
  }

  /** Chain contents up to the closing brace: declarations and one rule per line. */
  private chainBody(t: NftTable, chain: NftChain): void {
    const { c } = this;
    for (;;) {
      this.skipToContent(`chain ${chain.name}`);
      if (c.accept('}')) return;
      if (c.is('type') && c.is('hook', 2)) this.baseChain(t, chain);
      else if (c.is('policy')) {
        c.next();
        const policy = c.word('policy');
        if (chain.base) chain.base.policy = policy === 'drop' ? 'drop' : 'accept';
      } else if (c.is('comment') && c.peek(1)?.type === 'string') {
        c.next();
        chain.comment = c.string('chain comment');
      } else if (c.is('devices') || c.is('device')) this.restOfLine();
      else this.rule(t, chain.name);
    }
  }

  private baseChain(t: NftTable, chain: NftChain): void {
    const { c, b } = this;
    const line = c.line();
    c.expect('type');
    const type = c.word('chain type');
    c.expect('hook');
    const hook = c.word('hook');
    let device: string | null = null;
    if (c.accept('device')) device = c.word('device');
    c.expect('priority');
    const prioText = this.restOfLine().map((x) => x.value).join(' ');
    const priority = parsePriority(t.family, prioText);
    if (priority === null) throw b.error(line, `unknown priority "${prioText}" for chain ${chain.name}`);
    chain.base = { type, hook, priority, policy: chain.base?.policy ?? 'accept', device };
  }

  private setBody(t: NftTable, name: string, kind: 'set' | 'map', line: number | null): void {
    const { c, b } = this;
    const set: NftSet = { name, kind, keyType: [], dataType: null, flags: [], timeout: null, comment: null, elements: [], handle: null, line };
    c.expect('{');
    set.handle = this.handleComment();
    for (;;) {
      this.skipToContent(`${kind} ${name}`);
      if (c.accept('}')) break;
      const at = c.line();
      const w = c.word(`${kind} contents`);
      if (w === 'type' || w === 'typeof') {
        const words = this.restOfLine().map((x) => x.value);
        const colon = words.indexOf(':');
        const key = colon === -1 ? words : words.slice(0, colon);
        set.keyType = w === 'type' ? key.filter((x) => x !== '.') : [`typeof ${key.join(' ')}`];
        if (colon !== -1) set.dataType = words.slice(colon + 1).join(' ');
      } else if (w === 'flags') set.flags = this.restOfLine().map((x) => x.value).filter((x) => x !== ',');
      else if (w === 'timeout') set.timeout = parseDuration(c.word('timeout'));
      else if (w === 'comment') set.comment = c.string(`${kind} comment`);
      else if (w === 'elements') {
        c.expect('=');
        set.elements.push(...parseElements(c));
      } else if (w === 'size' || w === 'gc-interval' || w === 'policy') c.word(w);
      else if (w !== 'auto-merge' && w !== 'counter') {
        b.notice('layout', at, `${kind} ${name}: "${w}" is not evaluated`);
        this.restOfLine();
      }
    }
    const kept = b.set(t, set);
    if (kept !== set) kept.elements.push(...set.elements);
  }

  /** One rule: tokens to the end of the line (braces may span lines). */
  private rule(t: NftTable, chain: string): void {
    const { c, b } = this;
    const line = c.line();
    let handle: number | null = null;
    const toks: Token[] = [];
    let depth = 0;
    while (!c.atEnd()) {
      const tok = c.peek() as Token;
      if (depth === 0 && (tok.type === 'nl' || c.is(';') || c.is('}'))) break;
      c.pos++;
      if (tok.type === 'handle') handle = Number(tok.value);
      else if (tok.type !== 'nl') {
        if (tok.type === 'punct' && (tok.value === '{' || tok.value === '}')) depth += tok.value === '{' ? 1 : -1;
        toks.push(tok);
      }
    }
    if (!toks.length) throw b.error(line, `empty rule in chain ${chain}`);
    const first = toks[0] as Token;
    const last = toks.at(-1) as Token;
    const text = this.source.slice(first.start, last.end).replace(/\s*\n\s*/g, ' ');
    const report = (what: string) => b.notice('unknown-expression', line, `unknown expression in ${tableLabel(t)} chain ${chain}: ${what}`);
    const { statements, comment } = parseRuleStatements(new Cursor(toks, b.file), report);
    const rule: NftRule = { table: t, chain, handle, comment, statements, text, line };
    b.rule(rule);
  }

  /** `# handle N` that `nft -a` prints after an opening brace. */
  private handleComment(): number | null {
    const t = this.c.peek();
    if (t?.type !== 'handle') return null;
    this.c.pos++;
    return Number(t.value);
  }

  /** Skips blank lines inside a block; the input must not end before its closing brace. */
  private skipToContent(block: string): void {
    this.c.skipNewlines();
    if (this.c.atEnd()) throw this.c.error(`input ends inside ${block}: missing "}"`);
  }

  private restOfLine(): Token[] {
    const { c } = this;
    const out: Token[] = [];
    while (!c.atEnd() && c.peek()?.type !== 'nl' && !c.is(';') && !c.is('}')) out.push(c.next());
    return out;
  }

  /** Skips `name { ... }` of an object the walker does not evaluate. */
  private skipObject(): void {
    const { c } = this;
    while (!c.atEnd() && !c.is('{') && c.peek()?.type !== 'nl') c.next();
    if (!c.accept('{')) return;
    for (let depth = 1; depth > 0; ) {
      const t = c.next('"}"');
      if (t.type === 'punct' && t.value === '{') depth++;
      else if (t.type === 'punct' && t.value === '}') depth--;
    }
  }
}
