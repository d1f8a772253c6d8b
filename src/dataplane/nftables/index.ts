import { DumpParseError } from '../errors.ts';
import { parsedDump } from '../parsed-dump.ts';
import type { DataplaneModule, DumpFile, NodeFiles } from '../types.ts';
import { hasKubeProxyTable } from './detect.ts';
import { parseNftJson } from './parse-json.ts';
import { parseNftText } from './parse-text.ts';
import { createNftWalker } from './walker.ts';

export type { NftNotice, NftRuleset } from './model.ts';
export { parseNftJson } from './parse-json.ts';
export { parseNftText } from './parse-text.ts';
export { renderRule } from './render.ts';
export { createNftWalker } from './walker.ts';
export type { NftWalker } from './walker.ts';

const JSON_FILE = 'nft.json';
/** `nft list ruleset` as text, what users paste into tickets; read when there is no nft.json. */
const TEXT_FILE = 'nft.txt';
/** A table named kube-proxy, as `nft list ruleset` prints it (or an `nft -f` file adds it). */
const TEXT_TABLE = /^[ \t]*(?:add[ \t]+)?table[ \t]+\w+[ \t]+kube-proxy\b/m;

/** `nft -j list ruleset` (capture reads only kube-proxy's tables). */
export const NFT_JSON = { name: JSON_FILE, command: ['nft', '-j', 'list', 'ruleset'], captured: true, parse: parseNftJson } as const satisfies DumpFile;

/** kube-proxy nftables mode: `nft -j list ruleset` of the node, or its text form; the JSON wins when both are there. */
export const nftablesModule: DataplaneModule = {
  mode: 'nftables',
  requiredFiles: [JSON_FILE],
  optionalFiles: [TEXT_FILE],
  dumps: [
    NFT_JSON,
    { name: TEXT_FILE, command: ['nft', 'list', 'ruleset'], captured: false, insteadOf: JSON_FILE, parse: parseNftText },
  ],
  tools: ['nft'],
  facts: { semantics: 'nftables' },
  detect: (files: NodeFiles) => {
    const json = files.get(JSON_FILE);
    if (json !== undefined) return hasKubeProxyTable(json);
    const text = files.get(TEXT_FILE);
    return text !== undefined && TEXT_TABLE.test(text);
  },
  load: (files: NodeFiles) => {
    const json = parsedDump(files, NFT_JSON);
    if (json !== undefined) return createNftWalker(json);
    const text = files.get(TEXT_FILE);
    if (text === undefined) throw new DumpParseError(JSON_FILE, null, 'file missing');
    return createNftWalker(parseNftText(text, TEXT_FILE));
  },
};
