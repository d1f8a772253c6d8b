/** Fixture loading and small walk helpers shared by the iptables tests. */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostView, WalkOutcome, WalkPacket, WalkStep } from '../../../src/dataplane/types.ts';
import {
  buildRuleset,
  createIptablesWalker,
  initialState,
  parseIptablesDump,
  type ChainContext,
  type IptablesDump,
  type Rule,
} from '../../../src/dataplane/iptables/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const SHARED_FIXTURES = join(here, '../../fixtures');
export const OWN_FIXTURES = join(here, 'fixtures');

export function fixturePath(name: string): string {
  for (const dir of [OWN_FIXTURES, SHARED_FIXTURES]) {
    if (readdirSync(dir).includes(name)) return join(dir, name);
  }
  throw new Error(`no fixture ${name}`);
}

export const readFixture = (name: string): string => readFileSync(fixturePath(name), 'utf8');

/** Every iptables dump fixture: the shared `iptables-*.txt` ones and this folder's real dumps. */
export function dumpFixtures(): string[] {
  const shared = readdirSync(SHARED_FIXTURES).filter((f) => /^iptables-.*\.txt$/.test(f));
  const own = readdirSync(OWN_FIXTURES).filter((f) => /^ip6?tables-.*\.txt$/.test(f));
  return [...shared, ...own].sort();
}

/** The shared robric fixture is grep output around shell prompts, not a dump: only its rule lines are rules. */
export const FRAGMENT_FIXTURE = 'iptables-real-k3s-robric-iptables-save-grep.txt';

export const loadDump = (name: string, file = 'iptables-save.txt'): IptablesDump => parseIptablesDump(readFixture(name), file);

export function allRules(dump: IptablesDump): Rule[] {
  return dump.tables.flatMap((t) => t.chains.flatMap((c) => c.rules)).sort((a, b) => a.line - b.line);
}

export function ruleAt(dump: IptablesDump, line: number): Rule {
  const rule = allRules(dump).find((r) => r.line === line);
  if (!rule) throw new Error(`no rule at line ${line}`);
  return rule;
}

export function walk(name: string, packet: WalkPacket, host: HostView): WalkOutcome[] {
  return createIptablesWalker(loadDump(name)).walk(packet, host);
}

export function chainContext(dump: IptablesDump, host: HostView = { localAddresses: [] }) {
  const notices: string[] = [];
  const ctx: ChainContext = { ruleset: buildRuleset(dump), host, notice: (n) => notices.push(`${n.file}:${n.line}: ${n.message}`) };
  return { ctx, notices };
}

export const tcp = (src: string, dst: string, port: number, hook: WalkPacket['hook'] = 'prerouting'): WalkPacket => ({
  src,
  dst,
  port,
  protocol: 'TCP',
  hook,
});

export { initialState };

export const sum = (xs: readonly WalkOutcome[]): number => xs.reduce((a, o) => a + o.probability, 0);
export const stepLines = (o: { steps: readonly WalkStep[] }): (number | null)[] => o.steps.map((s) => s.line);
