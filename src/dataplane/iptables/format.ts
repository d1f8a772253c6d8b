/** Turns parsed rules back into text: exactly the original line for every parsed rule. */
import type { Match, Rule, RuleOption, RulePart, Target } from './model.ts';
import { renderWord } from './tokenize.ts';

function optionTokens(option: RuleOption): string[] {
  return [
    ...(option.negated ? ['!'] : []),
    option.name,
    ...option.values.map((w) => renderWord(w.value, w.quoted)),
  ];
}

/** Canonical tokens of one part, before the layout (gaps, odd spellings) is applied. */
function partTokens(part: RulePart): string[] {
  switch (part.kind) {
    case 'counters':
      return [`[${part.counters.packets}:${part.counters.bytes}]`];
    case 'append':
      return [part.flag, part.chain];
    case 'param':
      return [...(part.negated ? ['!'] : []), part.flag, renderWord(part.value.value, part.value.quoted)];
    case 'fragment':
      return [...(part.negated ? ['!'] : []), part.flag];
    case 'module':
      return [part.flag, part.name];
    case 'option':
      return optionTokens(part.option);
    case 'target':
      return [part.flag, part.name];
    case 'inline-counters':
      return [part.flag, String(part.counters.packets), String(part.counters.bytes)];
  }
}

export function canonicalTokens(parts: readonly RulePart[]): string[] {
  return parts.flatMap(partTokens);
}

export function formatRule(rule: Pick<Rule, 'parts' | 'layout'>): string {
  const { gaps, spellings, trailing } = rule.layout;
  const tokens = canonicalTokens(rule.parts);
  return tokens.map((t, i) => (gaps[i] ?? ' ') + (spellings[i] ?? t)).join('') + trailing;
}

/** One match as iptables would print it on its own, for notices and conditions. */
export function formatMatch(match: Match): string {
  const head = match.implicit ? [] : ['-m', match.module];
  return [...head, ...match.options.flatMap(optionTokens)].join(' ');
}

export function formatTarget(target: Target): string {
  return [target.goto ? '-g' : '-j', target.name, ...target.options.flatMap(optionTokens)].join(' ');
}
