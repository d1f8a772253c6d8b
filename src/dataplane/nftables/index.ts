import { DumpParseError } from '../errors.ts';
import type { DataplaneModule, NodeFiles } from '../types.ts';
import { hasKubeProxyTable } from './detect.ts';
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
