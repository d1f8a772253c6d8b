import { DumpParseError } from '../errors.ts';
import type { NftChain, NftElement, NftExpr, NftNotice, NftRule, NftRuleset, NftSet, NftStatement, NftTable, NftVerdict } from './model.ts';
import { tableLabel } from './model.ts';

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
    let c = table.chains.get(name);
    if (!c) {
      c = { name, handle: null, base: null, comment: null, rules: [], line };
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

  finish(nftVersion: string | null): NftRuleset {
    for (const r of this.queuedRules) {
      const c = r.table.chains.get(r.chain);
      if (!c) throw this.error(r.line, `${ruleWhere(r)} is in chain "${r.chain}", which ${tableLabel(r.table)} does not declare`);
      c.rules.push(r);
    }
    for (const q of this.queuedElements) {
      const s = q.table.sets.get(q.set);
      if (!s) throw this.error(q.line, `elements added to set "${q.set}", which ${tableLabel(q.table)} does not declare`);
      s.elements.push(...q.elements);
    }
    for (const t of this.tables) this.checkReferences(t);
    return { file: this.file, format: this.format, nftVersion, tables: this.tables, notices: this.notices };
  }

  error(line: number | null, message: string): DumpParseError {
    return new DumpParseError(this.file, line, message);
  }

  private checkReferences(t: NftTable): void {
    for (const c of t.chains.values()) {
      for (const r of c.rules) {
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
  }

  private checkSetName(t: NftTable, name: string, where: string, line: number | null): void {
    if (!t.sets.has(name)) throw this.error(line, `${where} uses @${name}, which ${tableLabel(t)} does not declare`);
  }
}

function ruleWhere(r: NftRule): string {
  return `rule${r.handle === null ? '' : ` (handle ${r.handle})`} "${r.text}" of ${tableLabel(r.table)}`;
}
