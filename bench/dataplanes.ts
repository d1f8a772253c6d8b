/** Per mode: which node files to read, how to parse them, and how to build the walker from the parsed model. */
import { buildRuleset, createIptablesWalker, parseIptablesDump } from '../src/dataplane/iptables/index.ts';
import { IpvsWalker, parseIpsetList, parseIpvsadm } from '../src/dataplane/ipvs/index.ts';
import { createNftWalker, parseNftJson } from '../src/dataplane/nftables/index.ts';
import type { Walker } from '../src/dataplane/types.ts';
import type { BenchMode } from './generate/bundle.ts';

export interface ModeOps<P> {
  files: readonly string[];
  parse(files: ReadonlyMap<string, string>): P;
  build(parsed: P): Walker;
}

const text = (files: ReadonlyMap<string, string>, name: string) => {
  const t = files.get(name);
  if (t === undefined) throw new Error(`${name} missing from the node directory`);
  return t;
};

const iptables: ModeOps<ReturnType<typeof parseIptablesDump>> = {
  files: ['iptables-save.txt'],
  parse: (files) => parseIptablesDump(text(files, 'iptables-save.txt'), 'iptables-save.txt'),
  build: (dump) => createIptablesWalker(dump),
};

const nftables: ModeOps<ReturnType<typeof parseNftJson>> = {
  files: ['nft.json'],
  parse: (files) => parseNftJson(text(files, 'nft.json'), 'nft.json'),
  build: (rs) => createNftWalker(rs),
};

/** ipvsModule.load split in two: the three parsers, then the ruleset index and the walker. */
const ipvs: ModeOps<{ table: ReturnType<typeof parseIpvsadm>; ipsets: ReturnType<typeof parseIpsetList>; dump: ReturnType<typeof parseIptablesDump> }> = {
  files: ['ipvsadm.txt', 'ipset.txt', 'iptables-save.txt'],
  parse: (files) => ({
    table: parseIpvsadm(text(files, 'ipvsadm.txt'), 'ipvsadm.txt'),
    ipsets: parseIpsetList(text(files, 'ipset.txt'), 'ipset.txt'),
    dump: parseIptablesDump(text(files, 'iptables-save.txt'), 'iptables-save.txt'),
  }),
  build: (p) => new IpvsWalker({ table: p.table, ipsets: p.ipsets, iptables: buildRuleset(p.dump), notices: p.dump.notices }),
};

export const MODE_OPS: Record<BenchMode, ModeOps<unknown>> = {
  iptables: iptables as ModeOps<unknown>,
  nftables: nftables as ModeOps<unknown>,
  ipvs: ipvs as ModeOps<unknown>,
};
