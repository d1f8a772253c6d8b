/** kube-proxy iptables mode: reads iptables-save.txt and walks it. */
import { DumpParseError } from '../errors.ts';
import { parsedDump } from '../parsed-dump.ts';
import type { DataplaneModule, DumpFile, NodeFiles } from '../types.ts';
import { parseIptablesDump } from './parse.ts';
import { createIptablesWalker } from './walker.ts';

export const IPTABLES_SAVE_FILE = 'iptables-save.txt';

/** The rules of every table; capture picks the backend (legacy or nft) kube-proxy wrote to. */
export const IPTABLES_SAVE = { name: IPTABLES_SAVE_FILE, command: ['iptables-save'], captured: true, parse: parseIptablesDump } as const satisfies DumpFile;

const KUBE_SERVICES_LINE = /^(?::KUBE-SERVICES\s|(?:\[\d+:\d+\]\s+)?-A KUBE-SERVICES\s)/;

/**
 * A nat table holding kube-proxy's KUBE-SERVICES chain; a cheap line scan, never throws. It
 * stops at the first such line (near the top of nat) and copies no line it does not look at.
 */
function hasNatKubeServices(text: string): boolean {
  let table = '';
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const first = text.charCodeAt(start);
    if (first === 0x2a /* * */) table = text.slice(start + 1, end).trim();
    else if (table === 'nat' && (first === 0x3a /* : */ || first === 0x2d /* - */ || first === 0x5b /* [ */) && KUBE_SERVICES_LINE.test(text.slice(start, end))) return true;
    if (newline === -1) break;
    start = newline + 1;
  }
  return false;
}

export const iptablesModule: DataplaneModule = {
  mode: 'iptables',
  requiredFiles: [IPTABLES_SAVE_FILE],
  optionalFiles: [],
  dumps: [IPTABLES_SAVE],
  tools: ['iptables-save', 'iptables-legacy-save', 'iptables-nft-save'],
  facts: { semantics: 'iptables' },
  // IPVS nodes have KUBE-SERVICES too, and nftables nodes may keep old iptables rules.
  fallback: true,
  detect(files: NodeFiles): boolean {
    const text = files.get(IPTABLES_SAVE_FILE);
    return text !== undefined && hasNatKubeServices(text);
  },
  load(files: NodeFiles) {
    const dump = parsedDump(files, IPTABLES_SAVE);
    if (dump === undefined) throw new DumpParseError(IPTABLES_SAVE_FILE, null, 'the file is missing from this node directory');
    return createIptablesWalker(dump);
  },
};

export { parseIptablesDump } from './parse.ts';
export { parseRuleLine } from './parse-rule.ts';
export { formatRule, formatMatch, formatTarget } from './format.ts';
export { buildRuleset, type Ruleset } from './ruleset.ts';
export { evaluateChain } from './chain-eval.ts';
export { evaluateRule, type RuleMatch } from './matches.ts';
export { type MatchContext } from './match-modules.ts';
export { isLocalAddress } from './addresses.ts';
export { targetEffect, parseNatAddress, type TargetEffect, type NatAddress } from './targets.ts';
export { applyXMark, xmarkFor, markMatches, parseMarkValue, formatMark, type XMark } from './mark.ts';
export { walkIptables, initialState, outcome, type WalkOptions } from './walk.ts';
export { createIptablesWalker } from './walker.ts';
export type * from './model.ts';
export type * from './state.ts';
