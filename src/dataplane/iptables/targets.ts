/** What a matched rule's target does to the packet and to the traversal. */
import { parseIP } from '../../net/ip.ts';
import { formatTarget } from './format.ts';
import { applyXMark, xmarkFor } from './mark.ts';
import type { Rule, Target } from './model.ts';
import type { ChainVerdict, PacketState } from './state.ts';

export type TargetEffect =
  | { kind: 'continue'; packet: PacketState; conditions: string[]; dynamic: boolean }
  | { kind: 'return' }
  | { kind: 'call'; chain: string; goto: boolean }
  | {
      kind: 'stop';
      verdict: ChainVerdict;
      packet: PacketState;
      dnat: { ip: string; port: number } | null;
      conditions: string[];
      dynamic: boolean;
    };

export interface NatAddress {
  ip: string;
  /** null: the port is left as it is. */
  port: number | null;
  /** The written range when it names several addresses or ports; the walk shows its first one. */
  range: string | null;
}

/** `--to-destination` / `--to-source`: `ip`, `ip:port`, `[v6]:port`, bare v6, and `a-b` ranges. */
export function parseNatAddress(text: string): NatAddress | null {
  let ipPart: string;
  let portPart: string | null = null;
  const bracket = /^\[([^\]]+)\](?:-\[[^\]]+\])?(?::(.+))?$/.exec(text);
  if (bracket) {
    ipPart = bracket[1]!;
    portPart = bracket[2] ?? null;
  } else if ((text.match(/:/g) ?? []).length > 1) {
    ipPart = text;
  } else {
    const colon = text.indexOf(':');
    ipPart = colon === -1 ? text : text.slice(0, colon);
    portPart = colon === -1 ? null : text.slice(colon + 1);
  }
  const ip = bracket ? ipPart : ipPart.split('-')[0]!;
  if (!parseIP(ip)) return null;
  let port: number | null = null;
  if (portPart !== null) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(portPart);
    if (!m) return null;
    port = Number(m[1]);
    if (port > 65535) return null;
  }
  const ranged = text.includes('-');
  return { ip, port, range: ranged ? text : null };
}

const unknownEffect = (rule: Rule, target: Target, packet: PacketState): TargetEffect => ({
  kind: 'continue',
  packet,
  conditions: [`assumed "${formatTarget(target)}" has no effect (${rule.file}:${rule.line})`],
  dynamic: false,
});

const option = (target: Target, name: string) => target.options.find((o) => o.name === name)?.values[0]?.value;

export function targetEffect(rule: Rule, packet: PacketState): TargetEffect {
  const target = rule.target;
  const proceed: TargetEffect = { kind: 'continue', packet, conditions: [], dynamic: false };
  if (!target) return proceed;
  const stop = (verdict: ChainVerdict, next = packet): TargetEffect => ({
    kind: 'stop',
    verdict,
    packet: next,
    dnat: null,
    conditions: [],
    dynamic: false,
  });
  switch (target.kind) {
    case 'unknown':
      return unknownEffect(rule, target, packet);
    case 'chain':
      return { kind: 'call', chain: target.name, goto: target.goto };
    case 'verdict':
      return target.name === 'RETURN' ? { kind: 'return' } : stop(target.name as ChainVerdict);
  }
  switch (target.name) {
    case 'REJECT':
      return stop('REJECT');
    case 'LOG':
      return proceed;
    case 'SNAT':
    case 'MASQUERADE':
      return stop(target.name);
    case 'MARK': {
      let mark = packet.mark;
      for (const o of target.options) {
        const x = xmarkFor(o.name, o.values[0]!.value);
        if (!x) return unknownEffect(rule, target, packet);
        mark = applyXMark(mark, x);
      }
      return { ...proceed, packet: { ...packet, mark } };
    }
    case 'DNAT': {
      const to = option(target, '--to-destination');
      const nat = to === undefined ? null : parseNatAddress(to);
      if (!nat) return unknownEffect(rule, target, packet);
      const port = nat.port ?? packet.port;
      const next = { ...packet, dst: nat.ip, port, ctstate: [...packet.ctstate, 'DNAT'] };
      return {
        kind: 'stop',
        verdict: 'DNAT',
        packet: next,
        dnat: { ip: nat.ip, port },
        conditions: nat.range ? [`DNAT picks one address/port of ${nat.range}; shown: its first (${rule.file}:${rule.line})`] : [],
        dynamic: nat.range !== null,
      };
    }
    default:
      return unknownEffect(rule, target, packet);
  }
}
