/**
 * The dispatch index (chain-index.ts) only skips rules that cannot match: every walk through a
 * ruleset with it must equal, outcome for outcome and notice for notice, the walk through the
 * same ruleset without it (every rule visited, as before the index).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildRuleset, parseIptablesDump, walkIptables, type IptablesDump, type Ruleset, type SetMatcher } from '../../../src/dataplane/iptables/index.ts';
import { WalkBudget } from '../../../src/dataplane/walk-budget.ts';
import type { DumpNotice, HostView, WalkPacket } from '../../../src/dataplane/types.ts';
import { allRules, dumpFixtures, FRAGMENT_FIXTURE, readFixture } from './helpers.ts';

const EXAMPLES = join(import.meta.dirname, '../../../examples');

/** Every iptables-save.txt of the examples' node directories, and every iptables fixture dump. */
function dumps(): { name: string; dump: IptablesDump }[] {
  const examples = readdirSync(EXAMPLES).flatMap((ex) => {
    const nodes = join(EXAMPLES, ex, 'nodes');
    let names: string[];
    try {
      names = readdirSync(nodes);
    } catch {
      return [];
    }
    return names.flatMap((n) => {
      const file = join(nodes, n, 'iptables-save.txt');
      try {
        return [{ name: `${ex}/${n}`, text: readFileSync(file, 'utf8') }];
      } catch {
        return [];
      }
    });
  });
  const fixtures = dumpFixtures()
    .filter((f) => f !== FRAGMENT_FIXTURE)
    .map((f) => ({ name: f, text: readFixture(f) }));
  return [...examples, ...fixtures].map(({ name, text }) => ({ name, dump: parseIptablesDump(text, 'iptables-save.txt') }));
}

/** The same rules, walked rule by rule. */
const unindexed = (r: Ruleset): Ruleset => ({ file: r.file, chain: (t, c) => r.chain(t, c) });

const v6 = (ip: string) => ip.includes(':');
const POD = { 4: '10.244.1.5', 6: 'fd00:10:244:1::5' };
const OUTSIDE = { 4: '203.0.113.50', 6: '2001:db8::50' };
const NODE = { 4: '192.0.2.10', 6: '2001:db8:1::10' };
const host: HostView = { localAddresses: [NODE[4], NODE[6], '127.0.0.1', '::1'] };
const PROTOCOLS: Record<string, WalkPacket['protocol']> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP', '6': 'TCP', '17': 'UDP', '132': 'SCTP' };

/**
 * Every service address and port the dump names (`-d IP ... --dport N`: ClusterIPs, external
 * and load-balancer IPs) and every NodePort (`--dport N` without `-d`), each walked from a pod,
 * from outside and from the node, plus near misses (another port, another protocol).
 */
function packets(dump: IptablesDump): WalkPacket[] {
  const out: WalkPacket[] = [];
  const add = (dst: string, port: number, protocol: WalkPacket['protocol']) => {
    const f = v6(dst) ? 6 : 4;
    for (const p of [port, port + 1]) {
      for (const proto of [protocol, protocol === 'TCP' ? 'UDP' : 'TCP'] as const) {
        out.push({ src: POD[f], dst, port: p, protocol: proto, hook: 'prerouting' });
        out.push({ src: OUTSIDE[f], dst, port: p, protocol: proto, hook: 'prerouting' });
        out.push({ src: NODE[f], dst, port: p, protocol: proto, hook: 'output' });
      }
    }
  };
  const seen = new Set<string>();
  for (const rule of allRules(dump)) {
    const dport = rule.matches.flatMap((m) => m.options).find((o) => o.name === '--dport')?.values[0]?.value;
    const protocol = PROTOCOLS[rule.protocol?.value.toLowerCase() ?? ''];
    if (!dport || !/^\d+$/.test(dport) || !protocol) continue;
    const dsts = rule.destination ? [rule.destination.value.replace(/\/\d+$/, '')] : [NODE[4], NODE[6], '127.0.0.1'];
    for (const dst of dsts) {
      const key = `${dst} ${dport} ${protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(dst, Number(dport), protocol);
    }
  }
  return out;
}

/** Set lookups can tell (IPVS mode reports a set the ipset list lacks): each one is recorded as a notice. */
const recordingSets = (notices: string[]): SetMatcher => ({
  has: (name, _flags, packet) => {
    notices.push(`lookup of ipset ${name}`);
    return name === 'KUBE-CLUSTER-IP' ? packet.dst === '10.0.0.1' : null;
  },
});

function walkBoth(ruleset: Ruleset, packet: WalkPacket) {
  const run = (r: Ruleset) => {
    const notices: string[] = [];
    const budget = new WalkBudget();
    const notice = (n: DumpNotice) => notices.push(`${n.file}:${n.line}: ${n.message}`);
    const outcomes = walkIptables(r, packet, host, { budget, notice, sets: recordingSets(notices) });
    return { outcomes, notices, steps: budget.steps };
  };
  return { indexed: run(ruleset), plain: run(unindexed(ruleset)) };
}

test('every service packet of every real dump walks the same with the index as rule by rule, in fewer rule evaluations', () => {
  let walks = 0;
  let indexedSteps = 0;
  let plainSteps = 0;
  for (const { name, dump } of dumps()) {
    const ruleset = buildRuleset(dump);
    for (const packet of packets(dump)) {
      const { indexed, plain } = walkBoth(ruleset, packet);
      const what = `${name}: ${packet.hook} ${packet.protocol} ${packet.src} -> ${packet.dst}:${packet.port}`;
      assert.deepEqual(indexed.outcomes, plain.outcomes, what);
      assert.deepEqual(indexed.notices, plain.notices, what);
      assert.ok(indexed.steps <= plain.steps, what);
      walks++;
      indexedSteps += indexed.steps;
      plainSteps += plain.steps;
    }
  }
  // Not vacuous: thousands of walks, and the index skipped rules in them.
  assert.ok(walks > 1000, `${walks} walks`);
  assert.ok(indexedSteps < plainSteps, `${indexedSteps} vs ${plainSteps} rule evaluations`);
});

test('KUBE-SERVICES-style chain of 3 services: a ClusterIP packet visits its own rules and the unkeyed ones only', () => {
  const dump = parseIptablesDump(
    [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':KUBE-SERVICES - [0:0]',
      '-A PREROUTING -j KUBE-SERVICES',
      '-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m tcp --dport 443 -j ACCEPT',
      '-A KUBE-SERVICES -d 10.96.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT',
      '-A KUBE-SERVICES -d 10.96.0.3/32 -p tcp -m tcp --dport 80 -j ACCEPT',
      '-A KUBE-SERVICES -p tcp -m tcp --dport 30080 -j ACCEPT',
      '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j RETURN',
      'COMMIT',
      '',
    ].join('\n'),
    'iptables-save.txt',
  );
  const packet: WalkPacket = { src: POD[4], dst: '10.96.0.3', port: 81, protocol: 'TCP', hook: 'prerouting' };
  const { indexed, plain } = walkBoth(buildRuleset(dump), packet);
  assert.deepEqual(indexed.outcomes, plain.outcomes);
  // Rule by rule: PREROUTING 1 + KUBE-SERVICES 5 = 6. Indexed: PREROUTING 1 + the 10.96.0.3 rule
  // + the addrtype rule = 3 (the --dport 30080 rule is keyed by tcp/30080, not this packet's 81).
  assert.equal(plain.steps, 6);
  assert.equal(indexed.steps, 3);
});

/** Small chains of kube-proxy-like rules: keyed, negated, wider prefixes, set lookups, marks, jumps. */
const IPS = ['10.0.0.1', '10.0.0.2', '10.0.1.1'];
const ruleArb = fc.record({
  dst: fc.option(fc.record({ ip: fc.constantFrom(...IPS), prefix: fc.constantFrom('/32', '/24', ''), negated: fc.boolean() })),
  protocol: fc.option(fc.record({ name: fc.constantFrom('tcp', 'udp', '6'), negated: fc.boolean() })),
  dport: fc.option(fc.record({ port: fc.constantFrom('80', '81', '80:81'), negated: fc.boolean() })),
  extra: fc.constantFrom('', '-m set --match-set KUBE-CLUSTER-IP dst,dst', '-m set --match-set KUBE-MISSING dst', '-m mark --mark 0x4000/0x4000', '-m foo --bar 1', '-m statistic --mode random --probability 0.50000000000'),
  target: fc.constantFrom('-j ACCEPT', '-j DROP', '-j RETURN', '-j MARK --set-xmark 0x4000/0x4000', '-j SUB', '-g SUB', '-j DNAT --to-destination 10.1.0.1:8080', ''),
});

type RuleSpec = typeof ruleArb extends fc.Arbitrary<infer T> ? T : never;

function ruleText(chain: string, r: RuleSpec): string {
  const parts = [`-A ${chain}`];
  if (r.dst) parts.push(`${r.dst.negated ? '! ' : ''}-d ${r.dst.ip}${r.dst.prefix}`);
  const proto = r.protocol?.name;
  if (r.protocol) parts.push(`${r.protocol.negated ? '! ' : ''}-p ${proto}`);
  // --dport needs a protocol match module: -m tcp or -m udp as iptables-save writes it.
  if (r.dport && proto && !r.protocol!.negated) parts.push(`-m ${proto === '6' ? 'tcp' : proto} ${r.dport.negated ? '! ' : ''}--dport ${r.dport.port}`);
  if (r.extra) parts.push(r.extra);
  if (r.target) parts.push(r.target);
  return parts.join(' ');
}

test('property: generated chains walk the same with the index as rule by rule', () => {
  fc.assert(
    fc.property(
      fc.array(ruleArb, { minLength: 1, maxLength: 12 }),
      fc.array(ruleArb, { maxLength: 4 }),
      fc.record({ dst: fc.constantFrom(...IPS, '10.0.0.9'), port: fc.constantFrom(80, 81, 82), protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }),
      (rules, sub, p) => {
        const text = [
          '*nat',
          ':PREROUTING ACCEPT [0:0]',
          ':KUBE-SERVICES - [0:0]',
          ':SUB - [0:0]',
          '-A PREROUTING -j KUBE-SERVICES',
          ...rules.map((r) => ruleText('KUBE-SERVICES', r)),
          ...sub.map((r) => ruleText('SUB', { ...r, target: r.target === '-j SUB' || r.target === '-g SUB' ? '-j RETURN' : r.target })),
          'COMMIT',
          '',
        ].join('\n');
        const dump = parseIptablesDump(text, 'iptables-save.txt');
        const { indexed, plain } = walkBoth(buildRuleset(dump), { src: POD[4], hook: 'prerouting', ...p });
        assert.deepEqual(indexed.outcomes, plain.outcomes);
        assert.deepEqual(indexed.notices, plain.notices);
      },
    ),
    { numRuns: 300 },
  );
});
