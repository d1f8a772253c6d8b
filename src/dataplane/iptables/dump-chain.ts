/**
 * A chain of a parsed dump that keeps where its rule lines are, not the rules: a 10,000-service
 * dump has 345,000 rules in 114,000 chains, and a walk reads a few dozen rules of a few dozen
 * chains. The parse already checked every line, so reading one again cannot fail.
 */
import type { Chain, Counters, Rule } from './model.ts';
import { parseRuleLine } from './parse-rule.ts';

/**
 * A jump to a name no block of the table declares is an unknown target in a save file; a
 * declared name becomes the chain's own string (one string per chain name, not one per rule).
 */
export function classifyTarget(rule: Rule, declared: ReadonlyMap<string, Chain>, format: 'save' | 'restore'): void {
  if (rule.target?.kind !== 'chain') return;
  const name = declared.get(rule.target.name)?.name;
  if (name !== undefined) rule.target.name = name;
  else if (format === 'save') rule.target.kind = 'unknown';
}

/** The line starting at `start`, without its newline and one carriage return before it. */
export function lineAt(text: string, start: number): string {
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  return text.slice(start, end);
}

/** One table of a dump as its chains read their rules: the text, and the names a jump may name. */
export interface DumpTable {
  text: string;
  file: string;
  format: 'save' | 'restore';
  /** Declared chains by name over all blocks of the table, complete once the parse ends. */
  declared: ReadonlyMap<string, Chain>;
}

export class DumpChain implements Chain {
  readonly name: string;
  readonly policy: string;
  readonly builtin: boolean;
  readonly counters: Counters | null;
  readonly line: number | null;
  readonly #table: DumpTable;
  /**
   * iptables-save prints a chain's rules on consecutive lines: the first one's line number and
   * text offset and the count say where all of them are. Rules that are not (restore input,
   * hand-made files) are listed in #scattered instead, as line number and offset pairs; the
   * first read of a rule lists them there too (reads come in index order, not line order).
   */
  #firstLine = 0;
  #start = 0;
  #count = 0;
  #scattered: number[] | null = null;
  /** The rules parsed so far, by position. */
  #cache: Rule[] | null = null;
  #kept = 0;

  constructor(table: DumpTable, name: string, policy: string, builtin: boolean, counters: Counters | null, line: number | null) {
    this.#table = table;
    this.name = name;
    this.policy = policy;
    this.builtin = builtin;
    this.counters = counters;
    this.line = line;
  }

  /** The parse records a rule line of this chain (already checked by parseRuleLine). */
  add(line: number, start: number): void {
    if (this.#count === 0) {
      this.#firstLine = line;
      this.#start = start;
    } else if (this.#scattered) {
      this.#scattered.push(line, start);
    } else if (line !== this.#firstLine + this.#count) {
      this.#scattered = this.#positions();
      this.#scattered.push(line, start);
    }
    this.#count++;
  }

  /** Line number and text offset of each rule, in order. */
  #positions(): number[] {
    if (this.#scattered) return this.#scattered;
    const out: number[] = [];
    let offset = this.#start;
    for (let k = 0; k < this.#count; k++) {
      out.push(this.#firstLine + k, offset);
      offset = this.#table.text.indexOf('\n', offset) + 1;
    }
    return out;
  }

  get ruleCount(): number {
    return this.#count;
  }

  /** How many rules were parsed and kept (tests check that a walk keeps only the rules it visits). */
  get keptRules(): number {
    return this.#kept;
  }

  #read(index: number): Rule {
    const { text, file, format, declared } = this.#table;
    // Random access needs every rule's offset: listed once, on the first read.
    this.#scattered = this.#positions();
    const rule = parseRuleLine(lineAt(text, this.#scattered[2 * index + 1]!), { file, line: this.#scattered[2 * index]! });
    rule.chain = this.name;
    classifyTarget(rule, declared, format);
    return rule;
  }

  rule(index: number): Rule {
    if (!Number.isInteger(index) || index < 0 || index >= this.#count) throw new RangeError(`${this.name} has no rule ${index}`);
    this.#cache ??= [];
    let rule = this.#cache[index];
    if (!rule) {
      rule = this.#cache[index] = this.#read(index);
      this.#kept++;
    }
    return rule;
  }

  get rules(): Rule[] {
    if (this.#kept < this.#count) for (let k = 0; k < this.#count; k++) this.rule(k);
    return (this.#cache ??= []);
  }

  /** Each rule in order for one look, none kept: what indexing a 12,000-rule KUBE-SERVICES needs. */
  scan(visit: (rule: Rule, index: number) => void): void {
    for (let k = 0; k < this.#count; k++) visit(this.#cache?.[k] ?? this.#read(k), k);
  }
}

/** Each rule of `chain` in order for one look: a dump's chain parses them without keeping them. */
export function eachRule(chain: Chain, visit: (rule: Rule, index: number) => void): void {
  if (chain instanceof DumpChain) chain.scan(visit);
  else chain.rules.forEach(visit);
}
