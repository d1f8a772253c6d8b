/** What a walk carries from rule to rule, and the hooks other modes plug in. */
import type { Protocol } from '../../model/packet.ts';
import type { DumpNotice, HostView, WalkStep } from '../types.ts';
import type { Ruleset } from './ruleset.ts';
import type { WalkBudget } from '../walk-budget.ts';

/** The virtual service IPVS scheduled the packet to (IPVS mode); `-m ipvs` reads it. */
export interface IpvsState {
  vaddr: string;
  vport: number;
  vproto: Protocol;
  /** Forwarding method as `--vmethod` spells it; kube-proxy uses MASQ. */
  method: 'MASQ' | 'GATE' | 'IPIP';
}

export interface PacketState {
  src: string;
  dst: string;
  port: number;
  protocol: Protocol;
  /** Source port, when the caller knows it; `--sport` rules are otherwise undecidable. */
  sport?: number;
  /** 32-bit skb mark. */
  mark: number;
  /** conntrack states `--ctstate` sees: NEW for a first packet, plus DNAT once it was DNATed. */
  ctstate: readonly string[];
  ipvs: IpvsState | null;
  /** Interface names, when the caller knows them; `-i`/`-o` rules are otherwise undecidable. */
  inInterface?: string;
  outInterface?: string;
}

/** `-m set --match-set NAME FLAGS`: membership, or null when the set's contents are unknown. */
export interface SetMatcher {
  has(name: string, flags: ('src' | 'dst')[], packet: PacketState): boolean | null;
}

/** A target that ended the table's traversal for this packet. */
export type ChainVerdict = 'ACCEPT' | 'DROP' | 'REJECT' | 'DNAT' | 'SNAT' | 'MASQUERADE';

/** One branch of packets with the same history. */
export interface WalkState {
  packet: PacketState;
  probability: number;
  steps: WalkStep[];
  conditions: string[];
  dynamic: boolean;
  dnat: { ip: string; port: number } | null;
  /** SNAT or MASQUERADE fired: the source address is rewritten. */
  masquerade: boolean;
}

/** A branch after one chain: `verdict` null when the chain returned or ran off its end. */
export interface ChainBranch extends WalkState {
  verdict: ChainVerdict | null;
}

export interface ChainContext {
  ruleset: Ruleset;
  host: HostView;
  sets?: SetMatcher;
  /** Receives walk-time notices (unknown set contents, jumps to chains the dump lacks, loops). */
  notice(notice: DumpNotice): void;
  /** Bounds this walk; a fresh default budget per context when absent. */
  budget?: WalkBudget;
}

export function withCondition<T extends WalkState>(state: T, conditions: readonly string[]): T {
  const added = conditions.filter((c) => !state.conditions.includes(c));
  return added.length === 0 ? state : { ...state, conditions: [...state.conditions, ...added] };
}
