/** Runs one chain of one table for a packet branch: jumps, gotos, RETURN and probability splits. */
import { WalkBudget } from '../walk-budget.ts';
import type { Chain } from './model.ts';
import { evaluateRule } from './matches.ts';
import type { ChainBranch, ChainContext, WalkState } from './state.ts';
import { withCondition } from './state.ts';
import { targetEffect } from './targets.ts';

/** How a chain left: it returned to its caller, or a target ended the table's traversal. */
type Exit = { state: WalkState; returned: true } | { state: ChainBranch; returned: false };
/** What one rule does to a branch: ends the chain (an Exit) or goes on to the next rule. */
type Flow = Exit | { state: WalkState; next: true };

/** Per walk context: the budget and the chain results already computed (memo). */
interface Run {
  budget: WalkBudget;
  memo: Map<string, Exit[]>;
}
const runs = new WeakMap<ChainContext, Run>();
function runOf(ctx: ChainContext): Run {
  let run = runs.get(ctx);
  if (!run) runs.set(ctx, (run = { budget: ctx.budget ?? new WalkBudget(), memo: new Map() }));
  return run;
}

/**
 * Every branch that leaves `chain` of `table`, with its probability, in rule order (the branch
 * where a rule matched comes before the one where it did not). A missing chain returns at once.
 */
export function evaluateChain(ctx: ChainContext, table: string, chain: string, state: WalkState): ChainBranch[] {
  const found = ctx.ruleset.chain(table, chain);
  if (!found) return [{ ...state, verdict: null }];
  return callChain(ctx, table, found, state, [chain]).map((e) => (e.returned ? { ...e.state, verdict: null } : e.state));
}

/** What makes two branches behave the same from here on: everything but their history. */
const fateKey = (s: WalkState) => JSON.stringify([s.packet, s.dnat, s.masquerade, s.dynamic]);

/**
 * A chain's exits depend only on the packet state and the call path, so they are computed once
 * per (chain, path, state) from a fresh branch and grafted onto each caller's history: a chain
 * reached through many routes (statistic or numgen fan-outs that rejoin) is walked once.
 */
function callChain(ctx: ChainContext, table: string, chain: Chain, state: WalkState, path: string[]): Exit[] {
  const run = runOf(ctx);
  const key = `${table}\0${path.join('\0')}\0${fateKey(state)}`;
  let exits = run.memo.get(key);
  if (!exits) {
    exits = runRules(ctx, run, table, chain, { ...state, probability: 1, steps: [], conditions: [] }, path);
    run.memo.set(key, exits);
  }
  return exits.map((e) => {
    const s = withCondition({ ...e.state, probability: state.probability * e.state.probability, steps: [...state.steps, ...e.state.steps], conditions: state.conditions }, e.state.conditions);
    return e.returned ? { state: s, returned: true } : { state: { ...s, verdict: (e.state as ChainBranch).verdict }, returned: false };
  });
}

/**
 * Branches that rejoin with the same fate and conditions are one branch: their probabilities
 * add up and the steps of the first (most likely in rule order) stand for all of them.
 */
function merge<T extends WalkState>(states: T[], extraKey: (s: T) => string): T[] {
  if (states.length < 2) return states;
  const byKey = new Map<string, T>();
  for (const s of states) {
    const key = `${fateKey(s)}\0${s.conditions.join('\0')}\0${extraKey(s)}`;
    const seen = byKey.get(key);
    if (seen) byKey.set(key, { ...seen, probability: seen.probability + s.probability });
    else byKey.set(key, s);
  }
  return byKey.size === states.length ? states : [...byKey.values()];
}

function runRules(ctx: ChainContext, run: Run, table: string, chain: Chain, start: WalkState, path: string[]): Exit[] {
  const out: Exit[] = [];
  let pending = [start];
  // The rules the start packet can match (chain-index.ts). They serve every branch of this
  // chain: only DNAT rewrites a destination or port, and DNAT ends the chain (targets.ts).
  const positions = ctx.ruleset.index?.(chain).positions(start.packet) ?? null;
  const count = positions ? positions.length : chain.ruleCount;
  for (let k = 0; k < count && pending.length; k++) {
    const i = positions ? positions[k]! : k;
    const rule = chain.rule(i);
    const next: WalkState[] = [];
    for (const state of pending) {
      run.budget.step(rule.file, rule.line);
      const m = evaluateRule(rule, state.packet, ctx);
      for (const message of m.notices) ctx.notice({ file: rule.file, line: rule.line, message });
      // A rule without effect (no target, LOG) cannot change the path, whatever netpath assumed about it.
      const matters = rule.target !== null && rule.target.name !== 'LOG';
      // Most rules of a big chain do not match and add nothing: the branch goes on unchanged.
      const adds = matters && (m.conditions.length > 0 || (m.dynamic && !state.dynamic));
      const assumed = adds ? withCondition({ ...state, dynamic: state.dynamic || m.dynamic }, m.conditions) : state;
      if (m.probability <= 0) {
        next.push(assumed);
        continue;
      }
      const matched: WalkState = {
        ...assumed,
        probability: assumed.probability * m.probability,
        // A step shows the rule, not the counters of one reading (iptables-save -c prefixes them).
        steps: [...assumed.steps, { table, chain: chain.name, rule: rule.text.replace(/^\[\d+:\d+\]\s+/, ''), line: rule.line, file: rule.file }],
      };
      for (const f of applyTarget(ctx, table, chain, i, matched, path)) {
        if ('next' in f) next.push(f.state);
        else out.push(f);
      }
      if (m.probability < 1) next.push({ ...assumed, probability: assumed.probability * (1 - m.probability) });
    }
    pending = merge(next, () => '');
    run.budget.branches(pending.length + out.length, rule.file, rule.line);
  }
  for (const state of pending) out.push({ state, returned: true });
  return merge(out.map((e) => ({ ...e.state, exit: e })), (s) => (s.exit.returned ? 'return' : String(s.exit.state.verdict))).map((s) => {
    const { exit, ...state } = s;
    return exit.returned ? { state, returned: true } : { state: { ...state, verdict: exit.state.verdict }, returned: false };
  });
}

function applyTarget(ctx: ChainContext, table: string, chain: Chain, index: number, state: WalkState, path: string[]): Flow[] {
  const rule = chain.rule(index);
  const effect = targetEffect(rule, state.packet);
  switch (effect.kind) {
    case 'return':
      return [{ state, returned: true }];
    case 'continue':
      return [{ state: withCondition({ ...state, packet: effect.packet, dynamic: state.dynamic || effect.dynamic }, effect.conditions), next: true }];
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
        return [{ state: withCondition(state, [`${problem}; assumed it returns at once (${where})`]), next: true }];
      }
      runOf(ctx).budget.depth(path.length + 1, rule.file, rule.line, effect.chain);
      // -j comes back to the next rule; -g comes back to whoever called this chain.
      return callChain(ctx, table, callee, state, [...path, effect.chain]).map((e) =>
        !e.returned || effect.goto ? e : { state: e.state, next: true as const },
      );
    }
  }
}
