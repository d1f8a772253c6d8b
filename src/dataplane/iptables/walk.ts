/**
 * A new connection's first packet through the hooks kube-proxy programs: nat PREROUTING or
 * OUTPUT, then filter INPUT, FORWARD or OUTPUT, then nat POSTROUTING when it leaves the node;
 * a packet the node sends to one of its own addresses loops back through filter INPUT.
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

  // Delivered to the node itself: filter INPUT decides (kube-proxy's health-check node port ACCEPT).
  const input: Stage = (state) =>
    evaluateChain(ctx, 'filter', 'INPUT', state).map((b) => stopped(b) ?? finish(b, b.verdict === 'ACCEPT'));

  const filter: Stage = (state) => {
    const local = isLocalAddress(state.packet.dst, host);
    if (packet.hook === 'output') {
      // Sent by the node: filter OUTPUT, nat POSTROUTING, and for a local destination (after
      // nat OUTPUT) the loopback re-entry through filter INPUT; nat does not run again there.
      return evaluateChain(ctx, 'filter', 'OUTPUT', state).flatMap(
        (b) =>
          stopped(b) ??
          evaluateChain(ctx, 'nat', 'POSTROUTING', b).flatMap((p) => stopped(p) ?? (local ? input(p) : finish(p, b.verdict === 'ACCEPT'))),
      );
    }
    if (local) return input(state);
    return evaluateChain(ctx, 'filter', 'FORWARD', state).flatMap((b) => stopped(b) ?? postrouting(b.verdict === 'ACCEPT')(b));
  };

  const nat = packet.hook === 'output' ? 'OUTPUT' : 'PREROUTING';
  return evaluateChain(ctx, 'nat', nat, initialState(packet)).flatMap((b) => stopped(b) ?? filter(b));
}
