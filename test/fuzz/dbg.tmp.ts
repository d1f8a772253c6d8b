import { readFileSync } from 'node:fs';
import { parseNftText, createNftWalker } from '../../src/dataplane/nftables/index.ts';
const text = readFileSync('/tmp/fuzz-input.txt', 'utf8');
const rs = parseNftText(text, 'x.nft');
console.log('parsed');
const w = createNftWalker(rs);
for (const [src, dst, port, hook] of [['10.0.0.2','172.30.0.41',80,'output'],['10.0.0.2','172.30.0.44',80,'prerouting'],['10.0.0.2','172.30.0.43',80,'prerouting']] as const) {
  const out = w.walk({ src, dst, port, protocol: 'TCP', hook }, { localAddresses: ['192.168.0.2'] });
  console.log(dst, out.length);
}
