import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRule, parseIptablesDump, parseRuleLine } from '../../../src/dataplane/iptables/index.ts';
import { FRAGMENT_FIXTURE, allRules, dumpFixtures, loadDump, readFixture, ruleAt } from './helpers.ts';

const UNKNOWN = /unknown (match|target)/;

test('every iptables fixture parses without unknown-match notices and every rule round-trips exactly', () => {
  const names = dumpFixtures().filter((n) => n !== FRAGMENT_FIXTURE);
  // 6 shared (iptables-save-c-harness-clusterip.txt, issue 10, among them) minus the fragment,
  // plus the 6 real dumps made for these tests.
  assert.equal(names.length, 11);
  for (const name of names) {
    const text = readFixture(name);
    const dump = parseIptablesDump(text, name);
    assert.deepEqual(dump.notices.filter((n) => UNKNOWN.test(n.message)), [], name);
    const lines = text.split('\n');
    const rules = allRules(dump);
    // Every -A line of the file became a rule (none skipped), and formats back to itself.
    assert.equal(rules.length, lines.filter((l) => /^(\[\d+:\d+\] )?-A /.test(l)).length, name);
    for (const rule of rules) {
      assert.equal(rule.text, lines[rule.line - 1], `${name}:${rule.line}`);
      assert.equal(formatRule(rule), rule.text, `${name}:${rule.line}`);
    }
  }
});

test('the robric fragment (grep output with shell prompts) is not a dump, but each of its rule lines parses and round-trips', () => {
  const lines = readFixture(FRAGMENT_FIXTURE).split('\n');
  const ruleLines = lines.map((text, i) => ({ text, line: i + 1 })).filter((l) => l.text.startsWith('-A '));
  // Lines 2-3, 6-10, 13-15, 18-20, 23-25, 28-29, 32-35 and 37-39 of the file.
  assert.equal(ruleLines.length, 25);
  for (const { text, line } of ruleLines) {
    const rule = parseRuleLine(text, { file: FRAGMENT_FIXTURE, line });
    assert.equal(formatRule(rule), text);
    assert.ok(rule.matches.every((m) => m.known), text);
    assert.notEqual(rule.target?.kind, 'unknown', text);
  }
  // `iptables -S -v` prints counters inline: line 32 ends with `--dport 80 -c 0 0 -j KUBE-MARK-MASQ`.
  const inline = parseRuleLine(lines[31]!, { file: FRAGMENT_FIXTURE, line: 32 });
  assert.deepEqual(inline.counters, { packets: 0n, bytes: 0n });
  assert.equal(inline.target?.name, 'KUBE-MARK-MASQ');
  // kube-router's multiport range on line 37.
  const multiport = parseRuleLine(lines[36]!, { file: FRAGMENT_FIXTURE, line: 37 });
  assert.deepEqual(
    multiport.matches.map((m) => [m.module, m.options.map((o) => [o.name, o.values.map((v) => v.value)])]),
    [
      ['comment', [['--comment', ['allow LOCAL TCP traffic to node ports - LR7XO7NXDBGQJD2M']]]],
      ['addrtype', [['--dst-type', ['LOCAL']]]],
      ['multiport', [['--dports', ['30000:32767']]]],
    ],
  );
});

test('kernel dump: header, tables, chain policies and counters', () => {
  const dump = loadDump('iptables-save-kernel-TestOverallIPTablesRules.txt');
  assert.equal(dump.format, 'save');
  assert.equal(dump.backend, 'nf_tables');
  assert.equal(dump.family, 4);
  assert.deepEqual(dump.tables.map((t) => [t.name, t.line, t.commitLine]), [
    ['mangle', 2, 11],
    ['filter', 14, 46],
    ['nat', 49, 133],
  ]);
  const nat = dump.tables[2]!;
  const { name, policy, builtin, counters, line, ruleCount } = nat.chains[0]!;
  // One rule: line 75, `-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`.
  assert.deepEqual({ name, policy, builtin, counters, line, ruleCount }, {
    name: 'PREROUTING',
    policy: 'ACCEPT',
    builtin: true,
    counters: { packets: 0n, bytes: 0n },
    line: 50,
    ruleCount: 1,
  });
  assert.equal(nat.chains[0]!.rules[0]!.line, 75);
  assert.equal(nat.chains.find((c) => c.name === 'KUBE-SERVICES')?.policy, '-');
  assert.equal(nat.chains.find((c) => c.name === 'KUBE-SERVICES')?.builtin, false);
});

test('parsed parts of kernel rules: negated source, protocol, implicit order, comment, target options', () => {
  const dump = loadDump('iptables-save-kernel-TestOverallIPTablesRules.txt');
  // line 121: -A KUBE-SVC-4SW47YFZTEDKD3PK ! -s 10.0.0.0/8 -d 172.30.0.44/32 -p tcp -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
  const r = ruleAt(dump, 121);
  assert.equal(r.chain, 'KUBE-SVC-4SW47YFZTEDKD3PK');
  assert.deepEqual(r.source, { value: '10.0.0.0/8', negated: true });
  assert.deepEqual(r.destination, { value: '172.30.0.44/32', negated: false });
  assert.deepEqual(r.protocol, { value: 'tcp', negated: false });
  assert.deepEqual(r.matches, [
    { module: 'comment', implicit: false, known: true, options: [{ name: '--comment', negated: false, values: [{ value: 'ns4/svc4:p80 cluster IP', quoted: true }] }] },
    { module: 'tcp', implicit: false, known: true, options: [{ name: '--dport', negated: false, values: [{ value: '80', quoted: false }] }] },
  ]);
  assert.deepEqual(r.target, { goto: false, name: 'KUBE-MARK-MASQ', kind: 'chain', options: [] });
  // line 45: REJECT with its option; line 39: conntrack negated state list.
  assert.deepEqual(ruleAt(dump, 45).target, {
    goto: false,
    name: 'REJECT',
    kind: 'extension',
    options: [{ name: '--reject-with', negated: false, values: [{ value: 'icmp-port-unreachable', quoted: false }] }],
  });
  assert.deepEqual(ruleAt(dump, 39).matches[1]!.options, [
    { name: '--ctstate', negated: true, values: [{ value: 'RELATED,ESTABLISHED,DNAT', quoted: false }] },
  ]);
  // line 102: DNAT target and recent --set with its options.
  const sep = ruleAt(dump, 102);
  assert.deepEqual(sep.target?.options, [{ name: '--to-destination', negated: false, values: [{ value: '10.180.0.3:80', quoted: false }] }]);
  assert.deepEqual(sep.matches.find((m) => m.module === 'recent')?.options.map((o) => o.name), ['--set', '--name', '--mask', '--rsource']);
});

test('the kernel prints two spaces after --nfacct-name; the value is still the counter name', () => {
  const dump = loadDump('iptables-save-kernel-TestOverallIPTablesRules.txt');
  const r = ruleAt(dump, 40);
  assert.ok(r.text.includes('--nfacct-name  ct_state_invalid_dropped_pkts'));
  assert.deepEqual(r.matches[1], {
    module: 'nfacct',
    implicit: false,
    known: true,
    options: [{ name: '--nfacct-name', negated: false, values: [{ value: 'ct_state_invalid_dropped_pkts', quoted: false }] }],
  });
  assert.equal(formatRule(r), r.text);
});

test('quoting: escaped quotes inside a comment, unquoted comments, and the formatter renders from structure', () => {
  const ext = loadDump('iptables-save-kernel-extensions.txt');
  const escaped = ruleAt(ext, 20);
  assert.equal(escaped.text, '-A EXT-MATCHES -m comment --comment "a comment with \\"escaped quotes\\" inside" -j RETURN');
  assert.deepEqual(escaped.matches[0]!.options[0]!.values, [{ value: 'a comment with "escaped quotes" inside', quoted: true }]);
  assert.deepEqual(ruleAt(ext, 21).matches[0]!.options[0]!.values, [{ value: 'no-spaces', quoted: false }]);
  const restore = loadDump('iptables-TestOverallIPTablesRules.txt');
  assert.deepEqual(ruleAt(restore, 40).matches[0]!.options[0]!.values, [{ value: 'ns2/svc2:p80', quoted: false }]);

  // Change the parsed comment: the formatter re-quotes and re-escapes it, it does not echo the line.
  const option = escaped.matches[0]!.options[0]!;
  option.values[0] = { value: 'say "hi" \\o/', quoted: true };
  assert.equal(formatRule(escaped), '-A EXT-MATCHES -m comment --comment "say \\"hi\\" \\\\o/" -j RETURN');
});

test('unusual spellings iptables-restore accepts still round-trip', () => {
  for (const text of [
    '-A X -m comment --comment "a\\b" -j RETURN',
    '-A X -m comment --comment ab"c d" -j RETURN',
    '-A X  -p tcp   --dport 80 -j ACCEPT  ',
    '-A X -m comment --comment "" -j RETURN',
  ]) {
    assert.equal(formatRule(parseRuleLine(text, { file: 't', line: 1 })), text);
  }
  // `"a\b"` is `ab` to iptables-restore: a backslash in quotes takes the next character literally.
  const r = parseRuleLine('-A X -m comment --comment "a\\b" -j RETURN', { file: 't', line: 1 });
  assert.equal(r.matches[0]!.options[0]!.values[0]!.value, 'ab');
});

test('-p tcp --dport without -m tcp: the option belongs to the implicit tcp match', () => {
  const r = parseRuleLine('-A KUBE-X -p tcp -d 10.0.0.1 --dport 80 -j ACCEPT', { file: 't', line: 1 });
  assert.deepEqual(r.matches, [
    { module: 'tcp', implicit: true, known: true, options: [{ name: '--dport', negated: false, values: [{ value: '80', quoted: false }] }] },
  ]);
});

test('iptables-save -c: [packets:bytes] on rules and chains (legacy backend dump)', () => {
  const dump = loadDump('iptables-legacy-save-c-three-endpoints.txt');
  assert.equal(dump.backend, 'legacy');
  assert.equal(dump.family, 4);
  assert.deepEqual(dump.tables.map((t) => t.name), ['nat', 'filter']);
  // line 23: [2:120] -A KUBE-SEP-EO62FIQ44QQVDN2K -p tcp ... -j DNAT --to-destination 10.180.0.11:80
  const r = ruleAt(dump, 23);
  assert.deepEqual(r.counters, { packets: 2n, bytes: 120n });
  assert.equal(r.chain, 'KUBE-SEP-EO62FIQ44QQVDN2K');
  assert.equal(r.target?.name, 'DNAT');
  // line 40: :OUTPUT ACCEPT [3:180]
  const filter = dump.tables[1]!;
  assert.deepEqual(filter.chains.find((c) => c.name === 'OUTPUT')?.counters, { packets: 3n, bytes: 180n });
  assert.deepEqual(ruleAt(dump, 15).counters, { packets: 0n, bytes: 0n });
});

test('ip6tables-save header and IPv6 addresses', () => {
  const dump = loadDump('ip6tables-save-kernel-three-endpoints.txt');
  assert.equal(dump.family, 6);
  // line 56: -A KUBE-SERVICES ! -d ::1/128 ... -j KUBE-NODEPORTS
  assert.deepEqual(ruleAt(dump, 56).destination, { value: '::1/128', negated: true });
  assert.equal(ruleAt(dump, 54).target?.options[0]?.values[0]?.value, '[fd00:10:180::11]:80');
});

test('the iptables-legacy warning line becomes a notice naming its line', () => {
  const dump = loadDump('iptables-nft-save-legacy-warning.txt');
  assert.equal(dump.notices.length, 1);
  assert.equal(dump.notices[0]!.line, 1);
  assert.equal(dump.notices[0]!.file, 'iptables-save.txt');
  assert.match(dump.notices[0]!.message, /iptables-legacy tables exist .* iptables-legacy-save/);
  assert.deepEqual(dump.tables.map((t) => t.name), ['mangle']);
});

test('restore input: several blocks per table, undeclared chains, -X lines', () => {
  const dump = loadDump('iptables-restore-TestSyncProxyRulesRepeated-partial-steps.txt');
  assert.equal(dump.format, 'restore');
  assert.equal(dump.backend, null);
  assert.deepEqual(dump.tables.map((t) => `${t.name}@${t.line}`), ['filter@2', 'nat@14', 'filter@32', 'nat@45', 'filter@59', 'nat@71']);
  assert.deepEqual(dump.tables[1]!.deletedChains, [
    { name: 'KUBE-SEP-UHEGFW77JX3KXTOV', line: 28 },
    { name: 'KUBE-SVC-2VJB64SDSIJUP5T6', line: 29 },
  ]);
  // Step 3 jumps to KUBE-SVC-XPGD46QRK7WJZT7O without declaring it: a chain from an earlier sync.
  assert.deepEqual(ruleAt(dump, 21).target, { goto: false, name: 'KUBE-SVC-XPGD46QRK7WJZT7O', kind: 'chain', options: [] });
});

test('an unknown match or target is kept, and reported with file, line and text', () => {
  const text = [
    '# Generated by iptables-save v1.8.9 (nf_tables) on Sun Nov 22 04:00:00 2026',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    '-A PREROUTING -m pkttype --pkt-type unicast -j RETURN',
    '-A POSTROUTING -p tcp -j CT --notrack',
    '-A POSTROUTING -j NOT-A-CHAIN',
    '-A POSTROUTING -m conntrack --ctstatus CONFIRMED -j RETURN',
    'COMMIT',
  ].join('\n');
  const dump = parseIptablesDump(text, 'iptables-save.txt');
  assert.deepEqual(
    dump.notices.map((n) => [n.line, n.message.split(':')[0]]),
    [
      [5, 'unknown match "-m pkttype --pkt-type unicast"'],
      [6, 'unknown target "-j CT --notrack"'],
      [7, 'unknown target "-j NOT-A-CHAIN"'],
      [8, 'unknown match "-m conntrack --ctstatus CONFIRMED"'],
    ],
  );
  assert.ok(dump.notices[0]!.message.endsWith('(-A PREROUTING -m pkttype --pkt-type unicast -j RETURN)'));
  assert.deepEqual(ruleAt(dump, 5).matches[0], {
    module: 'pkttype',
    implicit: false,
    known: false,
    options: [{ name: '--pkt-type', negated: false, values: [{ value: 'unicast', quoted: false }] }],
  });
  assert.equal(formatRule(ruleAt(dump, 6)), '-A POSTROUTING -p tcp -j CT --notrack');
});
