/** Does a rule match a packet? Exact where the dump and the packet say enough, explicit where not. */
import type { ParsedIP } from '../../net/ip.ts';
import { inNetwork, packetAddresses, ruleNetwork } from './addresses.ts';
import { bool, unknown, type Decision } from './decision.ts';
import { formatMatch } from './format.ts';
import { evaluateMatch, PROTOCOL_NAMES, type MatchContext } from './match-modules.ts';
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
  return bool((PROTOCOL_NAMES[name] ?? name) === pkt.protocol.toLowerCase(), p.negated);
}

function address(a: Negatable<string>, ip: ParsedIP | null): Decision {
  const network = ruleNetwork(a);
  return network ? bool(inNetwork(network, ip), a.negated) : unknown;
}

/** `eth+` matches every name starting with `eth`. */
function iface(i: Negatable<string>, name: string | undefined): Decision {
  if (name === undefined) return unknown;
  const hit = i.value.endsWith('+') ? name.startsWith(i.value.slice(0, -1)) : name === i.value;
  return bool(hit, i.negated);
}

const paramText = (flag: string, p: Negatable<string>) => `${p.negated ? '! ' : ''}${flag} ${p.value}`;

/** A plain "no": the rule cannot match, whatever the other tests say. */
const fails = (d: Decision): boolean => d.kind === 'no' && !d.condition;

/**
 * Evaluates the addresses, protocol and interfaces, then every match, as the kernel does. A
 * test netpath cannot decide makes the rule not match, and says so in a condition.
 */
export function evaluateRule(rule: Rule, pkt: PacketState, ctx: MatchContext): RuleMatch {
  // Decisions in the rule's test order; testTexts() gives their texts in the same order, only
  // for the rules that end up with a condition.
  const decisions: Decision[] = [];
  let failed = false;
  const add = (d: Decision) => {
    decisions.push(d);
    if (fails(d)) failed = true;
  };
  if (rule.protocol) add(protocol(rule.protocol, pkt));
  if (rule.source || rule.destination) {
    const ips = packetAddresses(pkt);
    if (rule.source) add(address(rule.source, ips.src));
    if (rule.destination) add(address(rule.destination, ips.dst));
  }
  if (rule.inInterface) add(iface(rule.inInterface, pkt.inInterface));
  if (rule.outInterface) add(iface(rule.outInterface, pkt.outInterface));
  // The walked packet is a first (or only) fragment.
  if (rule.fragment) add(bool(false, rule.fragment.negated));
  for (const m of rule.matches) {
    // Past a plain "no" only set lookups still run: they report sets the dump does not list.
    if (failed && !(m.known && m.module === 'set')) continue;
    add(evaluateMatch(m, pkt, ctx));
  }
  if (failed) return { probability: 0, conditions: [], dynamic: false, notices: [] };

  const texts = testTexts(rule);
  const where = `${rule.file}:${rule.line}`;
  const conditions: string[] = [];
  const notices: string[] = [];
  let probability = 1;
  let dynamic = false;
  decisions.forEach((d, i) => {
    if (d.kind === 'unknown') {
      const text = texts[i]!();
      conditions.push(`assumed ${text} does not match (${where})`);
      if (d.note) notices.push(`${d.note}: assumed "${text}" does not match (${rule.text})`);
      probability = 0;
    } else if (d.kind === 'chance') {
      probability *= d.probability;
    } else {
      if (d.condition) conditions.push(d.condition);
      if (d.dynamic) dynamic = true;
      if (d.kind === 'no') probability = 0;
    }
  });
  return { probability, conditions, dynamic, notices };
}

/** How each test of evaluateRule reads in a condition, in the same order. */
function testTexts(rule: Rule): (() => string)[] {
  const texts: (() => string)[] = [];
  const param = (flag: string, p: Negatable<string> | null) => {
    if (p) texts.push(() => paramText(flag, p));
  };
  param('-p', rule.protocol);
  param('-s', rule.source);
  param('-d', rule.destination);
  param('-i', rule.inInterface);
  param('-o', rule.outInterface);
  const fragment = rule.fragment;
  if (fragment) texts.push(() => `${fragment.negated ? '! ' : ''}-f`);
  for (const m of rule.matches) texts.push(() => formatMatch(m));
  return texts;
}
