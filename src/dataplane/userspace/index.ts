import type { DataplaneModule, NodeFiles } from '../types.ts';
import { DumpParseError } from '../errors.ts';
import { IPTABLES_SAVE, iptablesModule } from '../iptables/index.ts';
import { parsedDump } from '../parsed-dump.ts';
import { buildRuleset } from '../iptables/ruleset.ts';
import { UserspaceWalker } from './walker.ts';
import { USERSPACE_CHAINS } from './portals.ts';

const FILE = IPTABLES_SAVE.name;
const IPTABLES_TOOLS = iptablesModule.tools;
/** A declared userspace chain or a rule in one (iptables-save declares every chain). */
const USERSPACE = /^(?::|-A )KUBE-(?:PORTALS|NODEPORT)-(?:CONTAINER|HOST)\s/m;

export const userspaceModule: DataplaneModule = {
  mode: 'userspace',
  requiredFiles: [FILE],
  optionalFiles: [],
  dumps: [IPTABLES_SAVE],
  tools: IPTABLES_TOOLS,
  // kube-proxy's userspace mode is gone (1.26); a node without readable rules gets iptables' semantics.
  facts: { semantics: 'iptables' },
  detect(files: NodeFiles): boolean {
    return USERSPACE.test(files.get(FILE) ?? '');
  },
  load(files: NodeFiles) {
    const text = files.get(FILE);
    if (text === undefined) throw new DumpParseError(FILE, null, 'file missing: the userspace mode needs iptables-save output');
    const dump = parsedDump(files, IPTABLES_SAVE)!;
    const ruleset = buildRuleset(dump);
    // The iptables parser does not know REDIRECT; the portal walk reads it, so its notices on
    // portal rules would only mislead.
    const portalLines = new Set(
      USERSPACE_CHAINS.flatMap((c) => ruleset.chain('nat', c)?.rules ?? []).map((r) => r.line),
    );
    const notices = dump.notices.filter((n) => n.line === null || !portalLines.has(n.line));
    return new UserspaceWalker(ruleset, FILE, notices);
  },
};
