import { readFileSync } from 'node:fs';
import { parseNftText } from '../../src/dataplane/nftables/index.ts';
console.log(parseNftText(readFileSync(process.argv[2]!, 'utf8'), 'x.nft'));
