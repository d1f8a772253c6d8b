import { DumpParseError } from '../errors.ts';
import type { NftChain, NftElement, NftExpr, NftNotice, NftRule, NftRuleset, NftSet, NftStatement, NftTable, NftVerdict } from './model.ts';
import { tableLabel } from './model.ts';

/**
 * Where the rules that were not kept are read again (see RulesetBuilder.checkRule): numbered
 * items, each chain's items linked in order from its first.
 */
export interface RuleSource {
  link(from: number, to: number): void;
  read(first: number): NftRule[];
}

/**
 * A chain whose rules are either kept or read from a RuleSource on first use. The rules are behind
 * a getter of the class and the source links the items: a 10,000-service table has 115,000 chains,
 * and a closure or an array per chain costs hundreds of MB there.
 */
class BuiltChain implements NftChain {
  handle: number | null = null;
  base: NftChain['base'] = null;
  comment: string | null = null;
  ruleCount = 0;
  jumpedTo = false;
  readonly name: string;
  readonly line: number | null;
  #rules: NftRule[] = [];
  #source: RuleSource | null = null;
  #first = -1;
  #last = -1;

  constructor(name: string, line: number | null) {
    this.name = name;
    this.line = line;
  }

  get rules(): NftRule[] {
    if (this.#source) {
      this.#rules = this.#source.read(this.#first);
      this.#source = null;
    }
    return this.#rules;
  }

  /** The rules kept here, without reading the source (its rules were checked as they were read). */
  get keptRules(): readonly NftRule[] {
    return this.#source ? [] : this.#rules;
  }

  /** The next rule of this chain is the source's item `item`. */
  defer(source: RuleSource, item: number): void {
    if (this.#source) source.link(this.#last, item);
    else this.#first = item;
    this.#source = source;
    this.#last = item;
  }
}

/**
 * Collects tables, chains, sets, rules and elements in any order (kube-proxy's test dumps
 * reference chains declared further down) and checks references once everything is known.
 */
export class RulesetBuilder {
  private readonly tables: NftTable[] = [];
  private readonly notices: NftNotice[] = [];
  private readonly queuedRules: NftRule[] = [];
  private readonly queuedElements: { table: NftTable; set: string; elements: NftElement[]; line: number | null }[] = [];
  readonly file: string;
  readonly format: 'json' | 'text';

  constructor(file: string, format: 'json' | 'text') {
    this.file = file;
    this.format = format;
  }

  table(family: string, name: string): NftTable {
    let t = this.tables.find((x) => x.family === family && x.name === name);
    if (!t) {
      t = { family, name, handle: null, comment: null, chains: new Map(), sets: new Map() };
      this.tables.push(t);
    }
    return t;
  }

  /** Declares a chain (again: `add chain` is idempotent) and returns it. */
  chain(table: NftTable, name: string, line: number | null): NftChain {
    let c = table.chains.get(name) as BuiltChain | undefined;
    if (!c) {
      c = new BuiltChain(name, line);
      table.chains.set(name, c);
    }
    return c;
  }

  set(table: NftTable, set: NftSet): NftSet {
    const existing = table.sets.get(set.name);
    if (existing) return existing;
    table.sets.set(set.name, set);
    return set;
  }

  rule(rule: NftRule): void {
    this.queuedRules.push(rule);
  }

  elements(table: NftTable, set: string, elements: NftElement[], line: number | null): void {
    this.queuedElements.push({ table, set, elements, line });
  }

  notice(kind: NftNotice['kind'], line: number | null, message: string): void {
    this.notices.push({ kind, file: this.file, line, message });
  }

  /**
   * Checks a rule that is not kept (the JSON parser reads rules again when a walk needs them):
   * its chain and what it refers to must be declared. Call after every chain and set is declared.
   */
  checkRule(rule: NftRule, source: RuleSource, item: number): void {
    const c = this.chainOf(rule);
    c.ruleCount++;
    c.defer(source, item);
    const where = ruleWhere(rule);
    for (const st of rule.statements) this.checkStatement(rule.table, st, where, rule.line);
  }

  finish(nftVersion: string | null): NftRuleset {
    for (const r of this.queuedRules) {
      const c = this.chainOf(r);
      c.rules.push(r);
      c.ruleCount++;
    }
    for (const q of this.queuedElements) {
      const s = q.table.sets.get(q.set);
      if (!s) throw this.error(q.line, `elements added to set "${q.set}", which ${tableLabel(q.table)} does not declare`);
      s.elements.push(...q.elements);
    }
    for (const t of this.tables) this.checkReferences(t);
    return { file: this.file, format: this.format, nftVersion, tables: this.tables, notices: this.notices };
  }

  private chainOf(r: NftRule): BuiltChain {
    const c = r.table.chains.get(r.chain) as BuiltChain | undefined;
    if (!c) throw this.error(r.line, `${ruleWhere(r)} is in chain "${r.chain}", which ${tableLabel(r.table)} does not declare`);
    return c;
  }

  error(line: number | null, message: string): DumpParseError {
    return new DumpParseError(this.file, line, message);
  }

  private checkReferences(t: NftTable): void {
    for (const c of t.chains.values()) {
      for (const r of (c as BuiltChain).keptRules) {
        const where = ruleWhere(r);
        for (const st of r.statements) this.checkStatement(t, st, where, r.line);
      }
    }
    for (const s of t.sets.values()) {
      for (const e of s.elements) this.checkElement(t, e, `an element of ${s.kind} "${s.name}"`, e.line);
    }
  }

  private checkStatement(t: NftTable, st: NftStatement, where: string, line: number | null): void {
    switch (st.kind) {
      case 'verdict':
        this.checkTarget(t, st, where, line);
        return;
      case 'match':
        this.checkExpr(t, st.left, where, line);
        this.checkExpr(t, st.right, where, line);
        return;
      case 'vmap':
        this.checkExpr(t, st.key, where, line);
        this.checkExpr(t, st.data, where, line);
        return;
      case 'setop':
        this.checkSetName(t, st.set, where, line);
        return;
      default:
        return;
    }
  }

  private checkExpr(t: NftTable, e: NftExpr, where: string, line: number | null): void {
    if (e.kind === 'setref') this.checkSetName(t, e.name, where, line);
    else if (e.kind === 'set') for (const el of e.elements) this.checkElement(t, el, where, line);
  }

  private checkElement(t: NftTable, e: NftElement, where: string, line: number | null): void {
    if (e.data?.kind === 'verdict') this.checkTarget(t, e.data, where, line);
  }

  private checkTarget(t: NftTable, v: NftVerdict, where: string, line: number | null): void {
    const target = v.target;
    if (target === null && (v.verdict === 'jump' || v.verdict === 'goto')) throw this.error(line, `${where}: ${v.verdict} without a target chain`);
    if (target !== null && !t.chains.has(target)) {
      throw this.error(line, `${where} jumps to chain "${target}", which ${tableLabel(t)} does not declare`);
    }
    if (target !== null) t.chains.get(target)!.jumpedTo = true;
  }

  private checkSetName(t: NftTable, name: string, where: string, line: number | null): void {
    if (!t.sets.has(name)) throw this.error(line, `${where} uses @${name}, which ${tableLabel(t)} does not declare`);
  }
}

function ruleWhere(r: NftRule): string {
  return `rule${r.handle === null ? '' : ` (handle ${r.handle})`} "${r.text}" of ${tableLabel(r.table)}`;
}
