/**
 * A chain of a parsed dump that keeps where its rule lines are, not the rules: a 10,000-service
 * dump has 345,000 rules in 40,000 chains, and a walk reads a few dozen of those chains. The
 * parse already checked every line, so reading them again cannot fail.
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
   * hand-made files) are listed in #scattered instead, as line number and offset pairs.
   */
  #firstLine = 0;
  #start = 0;
  #count = 0;
  #scattered: number[] | null = null;
  #rules: Rule[] | null = null;

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
      this.#scattered = [];
      let offset = this.#start;
      for (let k = 0; k < this.#count; k++) {
        this.#scattered.push(this.#firstLine + k, offset);
        offset = this.#table.text.indexOf('\n', offset) + 1;
      }
      this.#scattered.push(line, start);
    }
    this.#count++;
  }

  get ruleCount(): number {
    return this.#count;
  }

  /** Whether the rules were read (tests check that a walk reads only the chains it visits). */
  get materialized(): boolean {
    return this.#rules !== null;
  }

  get rules(): Rule[] {
    if (this.#rules) return this.#rules;
    const { text, file, format, declared } = this.#table;
    const rules: Rule[] = [];
    let offset = this.#start;
    for (let k = 0; k < this.#count; k++) {
      const line = this.#scattered ? this.#scattered[2 * k]! : this.#firstLine + k;
      if (this.#scattered) offset = this.#scattered[2 * k + 1]!;
      const rule = parseRuleLine(lineAt(text, offset), { file, line });
      rule.chain = this.name;
      classifyTarget(rule, declared, format);
      rules.push(rule);
      offset = text.indexOf('\n', offset) + 1;
    }
    this.#rules = rules;
    this.#scattered = null;
    return rules;
  }
}
