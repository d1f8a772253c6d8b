/** Runs one chain of one table for a packet branch: jumps, gotos, RETURN and probability splits. */
import type { Chain } from './model.ts';
import { evaluateRule } from './matches.ts';
import type { ChainBranch, ChainContext, WalkState } from './state.ts';
import { withCondition } from './state.ts';
import { targetEffect } from './targets.ts';

/** How a chain left: it returned to its caller, or a target ended the table's traversal. */
type Exit = { state: WalkState; returned: true } | { state: ChainBranch; returned: false };

/**
 * Every branch that leaves `chain` of `table`, with its probability, in rule order (the branch
 * where a rule matched comes before the one where it did not). A missing chain returns at once.
 */
export function evaluateChain(ctx: ChainContext, table: string, chain: string, state: WalkState): ChainBranch[] {
  const found = ctx.ruleset.chain(table, chain);
  if (!found) return [{ ...state, verdict: null }];
  return runRules(ctx, table, found, 0, state, [chain]).map((e) => (e.returned ? { ...e.state, verdict: null } : e.state));
}

function runRules(ctx: ChainContext, table: string, chain: Chain, from: number, start: WalkState, path: string[]): Exit[] {
  let state = start;
  for (let i = from; i < chain.rules.length; i++) {
    const rule = chain.rules[i]!;
    const m = evaluateRule(rule, state.packet, ctx);
    for (const message of m.notices) ctx.notice({ file: rule.file, line: rule.line, message });
    // A rule without effect (no target, LOG) cannot change the path, whatever netpath assumed about it.
    const matters = rule.target !== null && rule.target.name !== 'LOG';
    // Most rules of a big chain do not match and add nothing: the branch goes on unchanged.
    const adds = matters && (m.conditions.length > 0 || (m.dynamic && !state.dynamic));
    const assumed = adds ? withCondition({ ...state, dynamic: state.dynamic || m.dynamic }, m.conditions) : state;
    if (m.probability <= 0) {
      state = assumed;
      continue;
    }
    const matched: WalkState = {
      ...assumed,
      probability: assumed.probability * m.probability,
      // A step shows the rule, not the counters of one reading (iptables-save -c prefixes them).
      steps: [...assumed.steps, { table, chain: chain.name, rule: rule.text.replace(/^\[\d+:\d+\]\s+/, ''), line: rule.line, file: rule.file }],
    };
    const exits = applyTarget(ctx, table, chain, i, matched, path);
    if (m.probability >= 1) return exits;
    const unmatched = { ...assumed, probability: assumed.probability * (1 - m.probability) };
    return [...exits, ...runRules(ctx, table, chain, i + 1, unmatched, path)];
  }
  return [{ state, returned: true }];
}

function applyTarget(ctx: ChainContext, table: string, chain: Chain, index: number, state: WalkState, path: string[]): Exit[] {
  const rule = chain.rules[index]!;
  const effect = targetEffect(rule, state.packet);
  switch (effect.kind) {
    case 'return':
      return [{ state, returned: true }];
    case 'continue': {
      const s = withCondition({ ...state, packet: effect.packet, dynamic: state.dynamic || effect.dynamic }, effect.conditions);
      return runRules(ctx, table, chain, index + 1, s, path);
    }
    case 'stop': {
      const s = withCondition(
        {
          ...state,
          packet: effect.packet,
          dnat: effect.dnat ?? state.dnat,
          masquerade: state.masquerade || effect.verdict === 'SNAT' || effect.verdict === 'MASQUERADE',
          dynamic: state.dynamic || effect.dynamic,
        },
        effect.conditions,
      );
      return [{ state: { ...s, verdict: effect.verdict }, returned: false }];
    }
    case 'call': {
      const callee = ctx.ruleset.chain(table, effect.chain);
      const where = `${rule.file}:${rule.line}`;
      if (!callee || path.includes(effect.chain)) {
        const problem = callee
          ? `jump loop: ${effect.chain} is already on the path ${path.join(' -> ')}`
          : `chain ${effect.chain} is not in table ${table} of this dump`;
        ctx.notice({ file: rule.file, line: rule.line, message: `${problem}; assumed the jump returns at once (${rule.text})` });
        const s = withCondition(state, [`${problem}; assumed it returns at once (${where})`]);
        return runRules(ctx, table, chain, index + 1, s, path);
      }
      const exits = runRules(ctx, table, callee, 0, state, [...path, effect.chain]);
      // -j comes back to the next rule; -g comes back to whoever called this chain.
      return exits.flatMap((e) =>
        !e.returned ? [e] : effect.goto ? [e] : runRules(ctx, table, chain, index + 1, e.state, path),
      );
    }
  }
}
