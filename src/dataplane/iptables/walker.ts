/** A parsed iptables dump as a Walker: walks report the notices they add (unknown sets, missing chains). */
import type { DumpNotice, Walker } from '../types.ts';
import type { IptablesDump } from './model.ts';
import { buildRuleset } from './ruleset.ts';
import type { SetMatcher } from './state.ts';
import { walkIptables } from './walk.ts';

export function createIptablesWalker(dump: IptablesDump, sets?: SetMatcher): Walker {
  const ruleset = buildRuleset(dump);
  const notices: DumpNotice[] = [...dump.notices];
  const notice = (n: DumpNotice) => {
    if (!notices.some((x) => x.file === n.file && x.line === n.line && x.message === n.message)) notices.push(n);
  };
  return {
    mode: 'iptables',
    walk: (packet, host) => walkIptables(ruleset, packet, host, { notice, ...(sets ? { sets } : {}) }),
    notices: () => [...notices],
  };
}
