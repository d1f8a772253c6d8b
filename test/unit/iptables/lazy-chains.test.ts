// A parsed dump keeps where each chain's rule lines are; a chain parses its rules when first asked.
// Every value below is read by hand from the dumps written here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { iptablesCounts } from '../../../src/analyzers/node-health.ts';
import { DumpChain } from '../../../src/dataplane/iptables/dump-chain.ts';
import { createIptablesWalker, parseIptablesDump, type IptablesDump } from '../../../src/dataplane/iptables/index.ts';
import { DumpParseError } from '../../../src/dataplane/errors.ts';

const chainOf = (dump: IptablesDump, table: string, name: string): DumpChain => {
  const chain = dump.tables.find((t) => t.name === table)!.chains.find((c) => c.name === name);
  assert.ok(chain instanceof DumpChain, `${table}/${name}`);
  return chain;
};

const TWO_SERVICES = [
  '*nat', // 1
  ':PREROUTING ACCEPT [0:0]', // 2
  ':OUTPUT ACCEPT [0:0]', // 3
  ':POSTROUTING ACCEPT [0:0]', // 4
  ':TO-A - [0:0]', // 5
  ':TO-B - [0:0]', // 6
  '-A PREROUTING -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j TO-A', // 7
  '-A PREROUTING -d 10.0.0.2/32 -p tcp -m tcp --dport 80 -j TO-B', // 8
  '-A TO-A -j DNAT --to-destination 10.1.0.1:8080', // 9
  '-A TO-B -s 10.9.0.0/16 -j RETURN', // 10
  '-A TO-B -j DNAT --to-destination 10.1.0.2:8080', // 11
  'COMMIT', // 12
];

test('a malformed rule in a chain no walk would visit still fails the parse, with its line', () => {
  // TO-B is never reached by a packet to 10.0.0.1; its line 11 lacks the DNAT address.
  const text = TWO_SERVICES.map((l, i) => (i === 10 ? '-A TO-B -j DNAT --to-destination' : l)).join('\n');
  assert.throws(
    () => parseIptablesDump(text, 'iptables-save.txt'),
    (e: unknown) => e instanceof DumpParseError && e.line === 11 && e.message === 'iptables-save.txt:11: --to-destination needs a value',
  );
});

test('a chain parses its rules only when asked: a walk keeps the rules it visits and no others', () => {
  const dump = parseIptablesDump(TWO_SERVICES.join('\n'), 'iptables-save.txt');
  const names = ['PREROUTING', 'OUTPUT', 'POSTROUTING', 'TO-A', 'TO-B'];
  assert.deepEqual(names.map((n) => chainOf(dump, 'nat', n).keptRules), [0, 0, 0, 0, 0]);
  // Counting reads nothing: lines 7-8, 9, and 10-11.
  assert.deepEqual(names.map((n) => chainOf(dump, 'nat', n).ruleCount), [2, 0, 0, 1, 2]);
  const counts = iptablesCounts(dump);
  assert.deepEqual([counts.rules, counts.chains], [5, 5]);
  assert.deepEqual(names.map((n) => chainOf(dump, 'nat', n).keptRules), [0, 0, 0, 0, 0]);

  const outcomes = createIptablesWalker(dump).walk({ src: '10.2.0.5', dst: '10.0.0.1', port: 80, protocol: 'TCP', hook: 'prerouting' }, { localAddresses: [] });
  assert.deepEqual(outcomes.map((o) => [o.verdict, o.dnat]), [['DNAT', { ip: '10.1.0.1', port: 8080 }]]);
  // PREROUTING's index sends a packet to 10.0.0.1 to its line 7 only (line 8 wants 10.0.0.2):
  // one rule kept there, line 9 in TO-A, none in TO-B; POSTROUTING has none to read.
  assert.deepEqual(names.map((n) => chainOf(dump, 'nat', n).keptRules), [1, 0, 0, 1, 0]);

  const toB = chainOf(dump, 'nat', 'TO-B');
  assert.deepEqual(toB.rules.map((r) => [r.line, r.chain, r.text]), [
    [10, 'TO-B', '-A TO-B -s 10.9.0.0/16 -j RETURN'],
    [11, 'TO-B', '-A TO-B -j DNAT --to-destination 10.1.0.2:8080'],
  ]);
  assert.equal(toB.keptRules, 2);
  assert.equal(toB.rules, toB.rules, 'read once, then the same array');
  assert.equal(toB.rule(1), toB.rules[1]);
});

test('rules of a chain on lines apart (comments, blank lines, another chain between) keep their lines and text, CRLF or not', () => {
  const lines = [
    '*filter', // 1
    ':INPUT ACCEPT [0:0]', // 2
    ':X - [0:0]', // 3
    '-A INPUT -j X', // 4
    '-A X -s 10.0.0.1/32 -j DROP', // 5
    '-A INPUT -j ACCEPT', // 6
    '# between', // 7
    '-A X -s 10.0.0.2/32 -j DROP', // 8
    '', // 9
    '-A X -j RETURN', // 10
    'COMMIT', // 11
  ];
  for (const eol of ['\n', '\r\n']) {
    const dump = parseIptablesDump(lines.join(eol), 'iptables-save.txt');
    const input = chainOf(dump, 'filter', 'INPUT');
    const x = chainOf(dump, 'filter', 'X');
    assert.deepEqual([input.ruleCount, x.ruleCount], [2, 3]);
    assert.deepEqual(input.rules.map((r) => [r.line, r.text]), [[4, lines[3]], [6, lines[5]]]);
    assert.deepEqual(x.rules.map((r) => [r.line, r.text]), [[5, lines[4]], [8, lines[7]], [10, lines[9]]]);
    assert.deepEqual([input.ruleCount, x.ruleCount], [2, 3]);
    // The jump names the declared chain: the same string as the chain's name.
    assert.equal(input.rules[0]!.target!.name, x.name);
  }
});

test('a jump to a chain declared after it is a chain; one to a name never declared is an unknown target', () => {
  const text = [
    '*filter', // 1
    ':INPUT ACCEPT [0:0]', // 2
    '-A INPUT -s 10.0.0.1/32 -j LATER', // 3
    '-A INPUT -s 10.0.0.2/32 -j NOWHERE', // 4
    ':LATER - [0:0]', // 5
    '-A LATER -j DROP', // 6
    'COMMIT', // 7
  ].join('\n');
  const dump = parseIptablesDump(`# Generated by iptables-save v1.8.9 on Sun Nov 22 04:00:00 2026\n${text}`, 'iptables-save.txt');
  // One line of header: the rules are on lines 4 and 5.
  assert.deepEqual(dump.notices.map((n) => [n.line, n.message.split(':')[0]]), [[5, 'unknown target "-j NOWHERE"']]);
  const input = chainOf(dump, 'filter', 'INPUT');
  assert.deepEqual(input.rules.map((r) => [r.line, r.target!.name, r.target!.kind]), [
    [4, 'LATER', 'chain'],
    [5, 'NOWHERE', 'unknown'],
  ]);
});

test('hasRuleCounters: set when any rule carries [packets:bytes], without reading the rules', () => {
  const plain = ['*filter', ':INPUT ACCEPT [5:300]', '-A INPUT -j ACCEPT', 'COMMIT'];
  assert.equal(parseIptablesDump(plain.join('\n'), 'iptables-save.txt').hasRuleCounters, false);
  const counted = parseIptablesDump([...plain.slice(0, 2), '[0:0] -A INPUT -s 10.0.0.1/32 -j DROP', '[7:420] -A INPUT -j ACCEPT', 'COMMIT'].join('\n'), 'iptables-save.txt');
  assert.equal(counted.hasRuleCounters, true);
  assert.equal(chainOf(counted, 'filter', 'INPUT').keptRules, 0);
  assert.deepEqual(chainOf(counted, 'filter', 'INPUT').rules.map((r) => r.counters), [{ packets: 0n, bytes: 0n }, { packets: 7n, bytes: 420n }]);
});
