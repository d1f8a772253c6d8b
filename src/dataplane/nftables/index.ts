import { DumpParseError } from '../errors.ts';
import type { DataplaneModule, NodeFiles } from '../types.ts';
import { parseNftJson } from './parse-json.ts';
import { createNftWalker } from './walker.ts';

export type { NftNotice, NftRuleset } from './model.ts';
export { parseNftJson } from './parse-json.ts';
export { parseNftText } from './parse-text.ts';
export { renderRule } from './render.ts';
export { createNftWalker } from './walker.ts';
export type { NftWalker } from './walker.ts';

const FILE = 'nft.json';

/** kube-proxy nftables mode: `nft -j list ruleset` of the node. */
export const nftablesModule: DataplaneModule = {
  mode: 'nftables',
  requiredFiles: [FILE],
  optionalFiles: [],
  detect: (files: NodeFiles) => {
    const text = files.get(FILE);
    return text !== undefined && hasKubeProxyTable(text);
  },
  load: (files: NodeFiles) => {
    const text = files.get(FILE);
    if (text === undefined) throw new DumpParseError(FILE, null, 'file missing');
    return createNftWalker(parseNftJson(text, FILE));
  },
};

/** A damaged dump that still names the table counts, so load() can report what is wrong with it. */
function hasKubeProxyTable(text: string): boolean {
  try {
    const items = (JSON.parse(text) as { nftables?: unknown }).nftables;
    return Array.isArray(items) && items.some((i) => (i as { table?: { name?: unknown } } | null)?.table?.name === 'kube-proxy');
  } catch {
    return /"table"\s*:\s*\{[^{}]*"name"\s*:\s*"kube-proxy"/.test(text);
  }
}
