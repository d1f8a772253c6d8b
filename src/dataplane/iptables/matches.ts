/** Does a rule match a packet? Exact where the dump and the packet say enough, explicit where not. */
import { cidrContains, parseCidr } from '../../net/ip.ts';
import { bool, unknown, type Decision } from './decision.ts';
import { formatMatch } from './format.ts';
import { evaluateMatch, PROTOCOL_NUMBERS, type MatchContext } from './match-modules.ts';
import type { Negatable, Rule } from './model.ts';
import type { PacketState } from './state.ts';

export interface RuleMatch {
  /** Share of the packets reaching the rule that it matches: 0, 1, or a statistic share. */
  probability: number;
  /** What the answer rests on; every branch past this rule carries them. */
  conditions: string[];
  dynamic: boolean;
  /** Walk-time notices, e.g. an ipset whose contents are unknown. */
  notices: string[];
}

function protocol(p: Negatable<string>, pkt: PacketState): Decision {
  const name = p.value.toLowerCase();
  if (name === 'all' || name === '0') return bool(true, p.negated);
  return bool((PROTOCOL_NUMBERS[name] ?? name) === pkt.protocol.toLowerCase(), p.negated);
}

function address(a: Negatable<string>, ip: string): Decision {
  return parseCidr(a.value) ? bool(cidrContains(a.value, ip), a.negated) : unknown;
}

/** `eth+` matches every name starting with `eth`. */
function iface(i: Negatable<string>, name: string | undefined): Decision {
  if (name === undefined) return unknown;
  const hit = i.value.endsWith('+') ? name.startsWith(i.value.slice(0, -1)) : name === i.value;
  return bool(hit, i.negated);
}

const paramText = (flag: string, p: Negatable<string>) => () => `${p.negated ? '! ' : ''}${flag} ${p.value}`;

/**
 * Evaluates the addresses, protocol and interfaces, then every match, as the kernel does. A
 * test netpath cannot decide makes the rule not match, and says so in a condition.
 */
export function evaluateRule(rule: Rule, pkt: PacketState, ctx: MatchContext): RuleMatch {
  // Texts are built only for the tests that end up in a condition.
  const tests: { d: Decision; text: () => string }[] = [];
  const add = (d: Decision, text: () => string) => tests.push({ d, text });
  if (rule.protocol) add(protocol(rule.protocol, pkt), paramText('-p', rule.protocol));
  if (rule.source) add(address(rule.source, pkt.src), paramText('-s', rule.source));
  if (rule.destination) add(address(rule.destination, pkt.dst), paramText('-d', rule.destination));
  if (rule.inInterface) add(iface(rule.inInterface, pkt.inInterface), paramText('-i', rule.inInterface));
  if (rule.outInterface) add(iface(rule.outInterface, pkt.outInterface), paramText('-o', rule.outInterface));
  // The walked packet is a first (or only) fragment.
  if (rule.fragment) add(bool(false, rule.fragment.negated), () => `${rule.fragment!.negated ? '! ' : ''}-f`);
  for (const m of rule.matches) add(evaluateMatch(m, pkt, ctx), () => formatMatch(m));

  if (tests.some(({ d }) => d.kind === 'no' && !d.condition)) {
    return { probability: 0, conditions: [], dynamic: false, notices: [] };
  }
  const where = `${rule.file}:${rule.line}`;
  const conditions: string[] = [];
  const notices: string[] = [];
  let probability = 1;
  let dynamic = false;
  for (const { d, text } of tests) {
    if (d.kind === 'unknown') {
      conditions.push(`assumed ${text()} does not match (${where})`);
      if (d.note) notices.push(`${d.note}: assumed "${text()}" does not match (${rule.text})`);
      probability = 0;
    } else if (d.kind === 'chance') {
      probability *= d.probability;
    } else {
      if (d.condition) conditions.push(d.condition);
      if (d.dynamic) dynamic = true;
      if (d.kind === 'no') probability = 0;
    }
  }
  return { probability, conditions, dynamic, notices };
}
