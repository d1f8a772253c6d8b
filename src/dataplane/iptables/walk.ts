/**
 * A new connection's first packet through the hooks kube-proxy programs: nat PREROUTING or
 * OUTPUT, then filter INPUT, FORWARD or OUTPUT, then nat POSTROUTING when it leaves the node.
 */
import type { DumpNotice, HostView, WalkOutcome, WalkPacket } from '../types.ts';
import { evaluateChain } from './chain-eval.ts';
import { isLocalAddress } from './addresses.ts';
import { WalkBudget } from '../walk-budget.ts';
import type { Ruleset } from './ruleset.ts';
import type { ChainBranch, ChainContext, SetMatcher, WalkState } from './state.ts';

export interface WalkOptions {
  sets?: SetMatcher;
  budget?: WalkBudget;
  notice?: (notice: DumpNotice) => void;
}

export function initialState(packet: WalkPacket): WalkState {
  return {
    packet: {
      src: packet.src,
      dst: packet.dst,
      port: packet.port,
      protocol: packet.protocol,
      mark: 0,
      ctstate: ['NEW'],
      ipvs: null,
    },
    probability: 1,
    steps: [],
    conditions: [],
    dynamic: false,
    dnat: null,
    masquerade: false,
  };
}

type Stage = (state: WalkState) => WalkOutcome[];

/** A finished branch: the walk state under a verdict. */
export function outcome(state: WalkState, verdict: WalkOutcome['verdict']): WalkOutcome {
  return {
    verdict,
    probability: state.probability,
    dnat: state.dnat,
    masquerade: state.masquerade,
    steps: state.steps,
    conditions: state.conditions,
    dynamic: state.dynamic,
  };
}

/** The verdict of a packet no rule stopped: DNAT if rewritten, else ACCEPT if a rule accepted it. */
const finish = (state: WalkState, accepted: boolean): WalkOutcome =>
  outcome(state, state.dnat ? 'DNAT' : accepted ? 'ACCEPT' : 'NO-MATCH');

/** DROP and REJECT end the walk; other verdicts only end the table's traversal. */
function stopped(b: ChainBranch): WalkOutcome | null {
  return b.verdict === 'DROP' || b.verdict === 'REJECT' ? outcome(b, b.verdict) : null;
}

export function walkIptables(ruleset: Ruleset, packet: WalkPacket, host: HostView, options: WalkOptions = {}): WalkOutcome[] {
  const ctx: ChainContext = { ruleset, host, notice: options.notice ?? (() => {}), ...(options.sets ? { sets: options.sets } : {}), budget: options.budget ?? new WalkBudget() };

  const postrouting = (accepted: boolean): Stage => (state) =>
    evaluateChain(ctx, 'nat', 'POSTROUTING', state).map((b) => stopped(b) ?? finish(b, accepted));

  const filter: Stage = (state) => {
    const local = isLocalAddress(state.packet.dst, host);
    const chain = packet.hook === 'output' ? 'OUTPUT' : local ? 'INPUT' : 'FORWARD';
    return evaluateChain(ctx, 'filter', chain, state).flatMap((b) => {
      const accepted = b.verdict === 'ACCEPT';
      return stopped(b) ?? (local ? [finish(b, accepted)] : postrouting(accepted)(b));
    });
  };

  const nat = packet.hook === 'output' ? 'OUTPUT' : 'PREROUTING';
  return evaluateChain(ctx, 'nat', nat, initialState(packet)).flatMap((b) => stopped(b) ?? filter(b));
}
