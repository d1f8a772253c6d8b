/** Turns parsed rules back into text: exactly the original line for every parsed rule. */
import type { Match, Rule, RuleOption, RulePart, Target } from './model.ts';
import { readRuleLine } from './parse-rule.ts';
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

/**
 * The rule's line from its parsed matches, target and counters. Word order, whitespace and
 * spellings the structure does not fix (unusual quoting) come from reading the rule's text again:
 * rules do not keep their tokens.
 */
export function formatRule(rule: Rule): string {
  const read = readRuleLine(rule.text, { file: rule.file, line: rule.line });
  const written = canonicalTokens(read.parts);
  const own = ownParts(read.rule, rule);
  const tokens = canonicalTokens(read.parts.map(own));
  return tokens.map((t, i) => {
    const word = read.tokens[i];
    // A word written otherwise than its canonical form keeps its spelling.
    const spelling = word && word.raw !== written[i] ? word.raw : t;
    return (word?.gap ?? ' ') + spelling;
  }).join('') + read.trailing;
}

/** Maps the parts read from the text to the rule's own options and counters (which callers may have changed). */
function ownParts(read: Rule, rule: Rule): (part: RulePart) => RulePart {
  const options = new Map<RuleOption, RuleOption>();
  const pair = (from: readonly RuleOption[], to: readonly RuleOption[] | undefined) => {
    if (to && to.length === from.length) from.forEach((o, i) => options.set(o, to[i]!));
  };
  if (read.matches.length === rule.matches.length) read.matches.forEach((m, i) => pair(m.options, rule.matches[i]!.options));
  if (read.target && rule.target) pair(read.target.options, rule.target.options);
  return (part) => {
    if (part.kind === 'option') return { ...part, option: options.get(part.option) ?? part.option };
    if ((part.kind === 'counters' || part.kind === 'inline-counters') && part.counters === read.counters && rule.counters) {
      return { ...part, counters: rule.counters };
    }
    return part;
  };
}

/** One match as iptables would print it on its own, for notices and conditions. */
export function formatMatch(match: Match): string {
  const head = match.implicit ? [] : ['-m', match.module];
  return [...head, ...match.options.flatMap(optionTokens)].join(' ');
}

export function formatTarget(target: Target): string {
  return [target.goto ? '-g' : '-j', target.name, ...target.options.flatMap(optionTokens)].join(' ');
}
