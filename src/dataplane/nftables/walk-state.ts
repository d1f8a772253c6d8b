import type { Family } from '../../net/ip.ts';
import type { WalkStep } from '../types.ts';
import type { PacketView } from './eval-expr.ts';
import type { NftChain, NftElement, NftExpr, NftRule, NftRuleset, NftSet, NftTable } from './model.ts';
import { tableLabel } from './model.ts';
import { renderElement } from './render.ts';
import type { WalkBudget } from '../walk-budget.ts';

/** One branch of a walk: the packet as rewritten so far and what happened to it. */
export interface WalkState {
  prob: number;
  saddr: string;
  daddr: string;
  dport: number;
  mark: bigint;
  dnat: { ip: string; port: number } | null;
  masquerade: boolean;
  /** NAT bindings already set up for this connection (later nat chains of that kind are skipped). */
  natDone: ReadonlySet<'dst' | 'src'>;
  /** A kube-proxy rule said `accept`. */
  accepted: boolean;
  steps: WalkStep[];
  conditions: string[];
  dynamic: boolean;
}

/** How a chain or rule ended for one branch. `next`: go on with the next rule. */
type End = 'next' | 'return' | 'accept' | 'drop' | 'reject' | 'nat';

export interface Flow {
  s: WalkState;
  end: End;
}

export interface WalkContext {
  rs: NftRuleset;
  family: Family;
  protocol: number;
  isLocal(ip: string): boolean;
  budget: WalkBudget;
  /** Exits of chains already walked, per (chain, depth, fate): see walk-rules.ts `enter`. */
  memo: Map<string, Flow[]>;
}

/** What makes two branches behave the same from here on: everything but their history. */
export const fateKey = (s: WalkState): string =>
  JSON.stringify([s.saddr, s.daddr, s.dport, String(s.mark), s.dnat, s.masquerade, [...s.natDone].sort(), s.accepted, s.dynamic]);

/**
 * Branches that rejoin with the same fate, conditions and end are one branch: their
 * probabilities add up and the steps of the first (in rule order) stand for all of them.
 */
export function mergeFlows(flows: Flow[]): Flow[] {
  if (flows.length < 2) return flows;
  const byKey = new Map<string, Flow>();
  for (const f of flows) {
    const key = `${f.end}\0${fateKey(f.s)}\0${f.s.conditions.join('\0')}`;
    const seen = byKey.get(key);
    if (seen) byKey.set(key, { s: { ...seen.s, prob: seen.s.prob + f.s.prob }, end: f.end });
    else byKey.set(key, f);
  }
  return byKey.size === flows.length ? flows : [...byKey.values()];
}

export function clone(s: WalkState): WalkState {
  return { ...s, natDone: new Set(s.natDone), steps: [...s.steps], conditions: [...s.conditions] };
}

export function withCondition(s: WalkState, text: string): WalkState {
  if (s.conditions.includes(text)) return s;
  const c = clone(s);
  c.conditions.push(text);
  return c;
}

export function packetView(s: WalkState, ctx: WalkContext): PacketView {
  return { family: ctx.family, saddr: s.saddr, daddr: s.daddr, dport: s.dport, protocol: ctx.protocol, mark: s.mark, dnatted: s.dnat !== null, isLocal: ctx.isLocal };
}

export function ruleStep(ctx: WalkContext, table: NftTable, rule: NftRule): WalkStep {
  const step: WalkStep = { table: tableLabel(table), chain: rule.chain, rule: rule.text, line: rule.line, file: ctx.rs.file };
  if (rule.handle !== null) step.handle = rule.handle;
  return step;
}

/** The element of a named set or map that matched, as nft prints it inside `elements = { ... }`. */
export function elementStep(ctx: WalkContext, table: NftTable, set: NftSet, el: NftElement, key: NftExpr): WalkStep {
  return { table: tableLabel(table), chain: `${set.kind} ${set.name}`, rule: renderElement(el, key), line: el.line, file: ctx.rs.file };
}

export function policyStep(ctx: WalkContext, table: NftTable, chain: NftChain): WalkStep {
  const step: WalkStep = { table: tableLabel(table), chain: chain.name, rule: `policy ${chain.base?.policy ?? 'accept'}`, line: chain.line, file: ctx.rs.file };
  if (chain.handle !== null) step.handle = chain.handle;
  return step;
}
