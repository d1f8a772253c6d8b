/** The chains a walk sees: the dump's table blocks applied in order, as iptables-restore --noflush does. */
import { ChainIndex } from './chain-index.ts';
import type { Chain, IptablesDump, Rule } from './model.ts';

export interface Ruleset {
  readonly file: string;
  chain(table: string, name: string): Chain | undefined;
  /** The chain's rules by destination address and port, built on its first walk; without it a walk visits every rule. */
  index?(chain: Chain): ChainIndex;
}

/** The chain as a declaration leaves it: no rules yet (restore input, small: its rules are read here). */
function emptied(c: Chain): Chain {
  const rules: Rule[] = [];
  return {
    name: c.name,
    policy: c.policy,
    builtin: c.builtin,
    counters: c.counters,
    line: c.line,
    rules,
    get ruleCount() {
      return rules.length;
    },
    rule: (index) => rules[index]!,
  };
}

/**
 * A declared chain is flushed, `-A` appends, `-X` deletes. For iptables-save output (each table
 * once) this is just the dump, its chains as they are (rules read only when a walk needs them);
 * for kube-proxy's partial restore input it is what the blocks leave behind when applied to an
 * empty kernel.
 */
export function buildRuleset(dump: IptablesDump): Ruleset {
  const tables = new Map<string, Map<string, Chain>>();
  const blocks = new Map<string, number>();
  for (const block of dump.tables) blocks.set(block.name, (blocks.get(block.name) ?? 0) + 1);
  for (const block of dump.tables) {
    // One block that deletes nothing (every table of iptables-save output) leaves its chains as they are.
    if (blocks.get(block.name) === 1 && block.deletedChains.length === 0) {
      tables.set(block.name, new Map(block.chains.map((c) => [c.name, c])));
      continue;
    }
    const chains = tables.get(block.name) ?? new Map<string, Chain>();
    tables.set(block.name, chains);
    for (const c of block.chains) {
      const kept = chains.get(c.name);
      if (c.line !== null || !kept) chains.set(c.name, emptied(c));
    }
    const events: ({ kind: 'rule'; rule: Rule; line: number } | { kind: 'delete'; name: string; line: number })[] = [
      ...block.chains.flatMap((c) => c.rules.map((rule) => ({ kind: 'rule' as const, rule, line: rule.line }))),
      ...block.deletedChains.map((d) => ({ kind: 'delete' as const, name: d.name, line: d.line })),
    ];
    for (const e of events.sort((a, b) => a.line - b.line)) {
      if (e.kind === 'delete') chains.delete(e.name);
      else chains.get(e.rule.chain)?.rules.push(e.rule);
    }
  }
  const indexes = new Map<Chain, ChainIndex>();
  return {
    file: dump.file,
    chain: (table, name) => tables.get(table)?.get(name),
    index: (chain) => {
      let index = indexes.get(chain);
      if (!index) indexes.set(chain, (index = new ChainIndex(chain)));
      return index;
    },
  };
}
