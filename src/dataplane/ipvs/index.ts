/** kube-proxy IPVS mode: ipvsadm.txt, with ipset.txt and iptables-save.txt when present. */
import { DumpParseError } from '../errors.ts';
import { buildRuleset, IPTABLES_SAVE, iptablesModule } from '../iptables/index.ts';
import { parsedDump } from '../parsed-dump.ts';
import type { DataplaneModule, NodeFiles } from '../types.ts';
import { parseIpsetList } from './ipset.ts';
import { parseIpvsadm } from './parse-ipvsadm.ts';
import { IpvsWalker } from './walker.ts';

const IPVSADM = 'ipvsadm.txt';
const IPSET = 'ipset.txt';
const IPTABLES = IPTABLES_SAVE.name;

export const ipvsModule: DataplaneModule = {
  mode: 'ipvs',
  requiredFiles: [IPVSADM],
  optionalFiles: [IPSET, IPTABLES],
  dumps: [
    { name: IPVSADM, command: ['ipvsadm', '-Sn'], captured: true, parse: parseIpvsadm },
    { name: IPSET, command: ['ipset', 'list'], captured: true, parse: parseIpsetList },
    // IPVS mode still programs iptables (masquerade, filter, ipset matches); the walker reads it.
    IPTABLES_SAVE,
  ],
  tools: ['ipvsadm', 'ipset', ...iptablesModule.tools],
  facts: { semantics: 'ipvs' },
  detect(files: NodeFiles): boolean {
    return (files.get(IPVSADM) ?? '').trim() !== '';
  },
  load(files: NodeFiles) {
    const text = files.get(IPVSADM);
    if (text === undefined) throw new DumpParseError(IPVSADM, null, 'file missing: the IPVS mode needs ipvsadm -Sn (or -Ln) output');
    const ipset = files.get(IPSET);
    const dump = parsedDump(files, IPTABLES_SAVE) ?? null;
    return new IpvsWalker({
      table: parseIpvsadm(text, IPVSADM),
      ipsets: ipset === undefined ? null : parseIpsetList(ipset, IPSET),
      iptables: dump ? buildRuleset(dump) : null,
      notices: dump?.notices ?? [],
    });
  },
};

export { parseIpvsadm } from './parse-ipvsadm.ts';
export { parseIpvsadmStats, parseIpvsadmConnections } from './parse-ipvsadm-listing.ts';
export { parseIpsetList, setContains, IpsetList, IPSET_MAX_NAME } from './ipset.ts';
export type { IpsetSet, IpsetMember, IpsetDimension, SetPacket } from './ipset.ts';
export { schedulerShares } from './schedulers.ts';
export type { SchedulerShares, RealServerShare, ShareBasis } from './schedulers.ts';
export { IpvsWalker, type IpvsWalkerInput } from './walker.ts';
export type * from './model.ts';
