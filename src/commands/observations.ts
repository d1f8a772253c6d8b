import type { NodeObservation } from '../analyzers/observed-shares.ts';
import { NODE_FILES } from '../cluster/bundle-layout.ts';
import type { NodeDump } from '../cluster/source.ts';
import { parseIptablesDump } from '../dataplane/iptables/parse.ts';
import { readNodeState } from '../dataplane/node-state/node-state.ts';

/** A dump saved with `-c`: rule lines start with their [packets:bytes]. */
const COUNTED = /^\[\d+:\d+\]\s+-A /m;

/** What each node read can show of the present: its conntrack entries and its rule counters. */
export function nodeObservations(dumps: ReadonlyMap<string, NodeDump>): NodeObservation[] {
  const out: NodeObservation[] = [];
  for (const dump of dumps.values()) {
    const conntrack = readNodeState(dump).conntrack;
    const ipt = dump.files.get(NODE_FILES.iptablesSave);
    const counted = ipt !== undefined && COUNTED.test(ipt);
    if (!conntrack && !counted) continue;
    out.push({
      node: dump.node,
      conntrack,
      iptables: counted ? parseIptablesDump(ipt, `${dump.location}/${NODE_FILES.iptablesSave}`) : null,
    });
  }
  return out;
}
