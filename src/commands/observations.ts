import type { NodeObservation } from '../analyzers/observed-shares.ts';
import { NODE_FILES } from '../cluster/bundle-layout.ts';
import type { NodeDump } from '../cluster/source.ts';
import { parseIptablesDump } from '../dataplane/iptables/parse.ts';
import { parseIpvsadmConnections, parseIpvsadmStats } from '../dataplane/ipvs/parse-ipvsadm-listing.ts';
import { readNodeState } from '../dataplane/node-state/node-state.ts';

/** A dump saved with `-c`: rule lines start with their [packets:bytes]. */
const COUNTED = /^\[\d+:\d+\]\s+-A /m;

/** What each node read can show of the present: its conntrack entries, its rule counters, its IPVS listings. */
export function nodeObservations(dumps: ReadonlyMap<string, NodeDump>): NodeObservation[] {
  const out: NodeObservation[] = [];
  for (const dump of dumps.values()) {
    const conntrack = readNodeState(dump).conntrack;
    const ipt = dump.files.get(NODE_FILES.iptablesSave);
    const counted = ipt !== undefined && COUNTED.test(ipt);
    const read = <T>(name: string, parse: (text: string, file: string) => T): T | null => {
      const text = dump.files.get(name);
      return text === undefined ? null : parse(text, `${dump.location}/${name}`);
    };
    const stats = read(NODE_FILES.ipvsadmStats, parseIpvsadmStats);
    const connections = read(NODE_FILES.ipvsadmConnections, parseIpvsadmConnections);
    const ipvs = stats || connections ? { stats, connections } : null;
    if (!conntrack && !counted && !ipvs) continue;
    out.push({
      node: dump.node,
      conntrack,
      iptables: counted ? parseIptablesDump(ipt, `${dump.location}/${NODE_FILES.iptablesSave}`) : null,
      ...(ipvs ? { ipvs } : {}),
    });
  }
  return out;
}
