/**
 * Walks over the real kernel dump of kube-proxy's TestOverallIPTablesRules ruleset. Services and
 * node: test/fixtures/iptables-TestOverallIPTablesRules.md. Line numbers were read in the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WalkOutcome } from '../../../src/dataplane/types.ts';
import { createIptablesWalker, parseIptablesDump } from '../../../src/dataplane/iptables/index.ts';
import { readFixture, stepLines, sum, tcp } from './helpers.ts';

const NAME = 'iptables-save-kernel-TestOverallIPTablesRules.txt';
const host = { localAddresses: ['192.168.0.2', '192.168.1.2', '192.168.99.11', '127.0.0.1'] };
const walker = createIptablesWalker(parseIptablesDump(readFixture(NAME), 'iptables-save.txt'));
const walk = (...args: Parameters<typeof tcp>): WalkOutcome[] => walker.walk(tcp(...args), host);
const dnat = (os: WalkOutcome[]) => os.map((o) => [o.verdict, o.probability, o.dnat?.ip ?? null, o.dnat?.port ?? null, o.masquerade]);

test('ns4/svc4 ClusterIP from a pod: two endpoints, 0.5 each, source kept', () => {
  const os = walk('10.0.0.5', '172.30.0.44', 80);
  // Line 122 has --probability 0.50000000000: 0.5 for 10.180.0.4, then (1 - 0.5) x 1 for 10.180.0.5.
  assert.deepEqual(dnat(os), [
    ['DNAT', 0.5, '10.180.0.4', 80, false],
    ['DNAT', 0.5, '10.180.0.5', 80, false],
  ]);
  // The path: PREROUTING -> KUBE-SERVICES (116) -> KUBE-SVC (122) -> KUBE-SEP DNAT (110); the masquerade
  // rule (121, `! -s 10.0.0.0/8`) does not match a pod source.
  assert.deepEqual(stepLines(os[0]!).slice(0, 4), [75, 116, 122, 110]);
  assert.ok(!stepLines(os[0]!).includes(121));
  assert.deepEqual(os[0]!.steps[3], {
    table: 'nat',
    chain: 'KUBE-SEP-UKSFD7AGPMPPLUHC',
    rule: '-A KUBE-SEP-UKSFD7AGPMPPLUHC -p tcp -m comment --comment "ns4/svc4:p80" -m tcp -j DNAT --to-destination 10.180.0.4:80',
    line: 110,
    file: 'iptables-save.txt',
  });
  // Then filter FORWARD (10.180.0.4 is not local) and nat POSTROUTING, where line 96 returns (no mark).
  assert.deepEqual(stepLines(os[0]!).slice(4), [29, 30, 31, 32, 77, 96]);
  assert.deepEqual(os[0]!.conditions, []);
  assert.equal(os[0]!.dynamic, false);
});

test('ns4/svc4 ClusterIP from the node itself: masqueraded by the `! -s 10.0.0.0/8` rule', () => {
  const os = walk('192.168.0.2', '172.30.0.44', 80, 'output');
  assert.deepEqual(dnat(os), [
    ['DNAT', 0.5, '10.180.0.4', 80, true],
    ['DNAT', 0.5, '10.180.0.5', 80, true],
  ]);
  // nat OUTPUT (76), the masquerade mark (121 -> 89), then filter OUTPUT and POSTROUTING: MARK (97), MASQUERADE (98).
  assert.deepEqual(stepLines(os[1]!), [76, 116, 121, 89, 123, 100, 33, 34, 35, 77, 97, 98]);
});

test('ns2/svc2 NodePort 3001 from outside: eTP=Local without local endpoints is dropped in filter KUBE-EXTERNAL-SERVICES', () => {
  const os = walk('203.0.113.9', '192.168.0.2', 3001);
  assert.deepEqual(dnat(os), [['DROP', 1, null, null, false]]);
  const last = os[0]!.steps.at(-1)!;
  // Line 38: -A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 3001 -j DROP
  assert.equal(last.line, 38);
  assert.equal(last.table, 'filter');
  assert.equal(last.chain, 'KUBE-EXTERNAL-SERVICES');
  assert.match(last.rule, /"ns2\/svc2:p80 has no local endpoints" .*--dport 3001 -j DROP$/);
  // nat found the nodeport (120 -> 91) but KUBE-EXT let neither a pod nor a LOCAL source through.
  assert.deepEqual(stepLines(os[0]!), [75, 120, 91, 25, 26, 27, 28, 38]);
});

test('ns2/svc2 NodePort 3001 from a pod: short-circuited to the cluster endpoint', () => {
  const os = walk('10.0.0.5', '192.168.0.2', 3001);
  assert.deepEqual(dnat(os), [['DNAT', 1, '10.180.0.2', 80, false]]);
  assert.deepEqual(stepLines(os[0]!).slice(0, 6), [75, 120, 91, 80, 125, 106]);
});

test('ns6/svc6 without endpoints: REJECT in filter KUBE-SERVICES', () => {
  const os = walk('10.0.0.5', '172.30.0.46', 80);
  assert.deepEqual(dnat(os), [['REJECT', 1, null, null, false]]);
  assert.equal(os[0]!.steps.at(-1)!.line, 45);
  assert.equal(os[0]!.steps.at(-1)!.chain, 'KUBE-SERVICES');
});

test('ns5/svc5 load balancer 5.6.7.8 from outside the source ranges: dropped by KUBE-PROXY-FIREWALL', () => {
  // 203.0.113.130 is outside 203.0.113.0/25 (.0 - .127).
  const os = walk('203.0.113.130', '5.6.7.8', 80);
  assert.deepEqual(dnat(os), [['DROP', 1, null, null, false]]);
  // KUBE-FW (119 -> 88, the comment-only rule) lets it fall through; line 44 drops it.
  assert.deepEqual(stepLines(os[0]!), [75, 119, 88, 29, 44]);
  assert.match(os[0]!.steps.at(-1)!.rule, /traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C/);
});

test('ns5/svc5 load balancer from inside the source range: DNAT, masqueraded, new-client affinity condition', () => {
  const os = walk('203.0.113.2', '5.6.7.8', 80);
  assert.deepEqual(dnat(os), [['DNAT', 1, '10.180.0.3', 80, true]]);
  assert.deepEqual(os[0]!.conditions, [
    'new client: no affinity entry in KUBE-SEP-I77PXRDZVX7PMWMN (a returning client within 10800s goes back to its endpoint)',
  ]);
  assert.equal(os[0]!.dynamic, true);
  // 87 (source range) -> KUBE-EXT 83 (mark) and 84 -> KUBE-SVC: 127 (--rcheck) is skipped, 128 taken -> 102 DNAT;
  // the marked packet is accepted by KUBE-FORWARD (41) and masqueraded (97, 98).
  assert.deepEqual(stepLines(os[0]!), [75, 119, 87, 83, 89, 84, 128, 102, 29, 30, 41, 77, 97, 98]);
});

test('svc2 health-check node port 30000: ACCEPT by filter KUBE-NODEPORTS', () => {
  const os = walk('203.0.113.9', '192.168.0.2', 30000);
  assert.deepEqual(dnat(os), [['ACCEPT', 1, null, null, false]]);
  assert.equal(os[0]!.steps.at(-1)!.line, 43);
});

test('a packet to an unrelated address: NO-MATCH with probability 1', () => {
  const os = walker.walk({ src: '10.0.0.5', dst: '8.8.8.8', port: 53, protocol: 'UDP', hook: 'prerouting' }, host);
  assert.deepEqual(dnat(os), [['NO-MATCH', 1, null, null, false]]);
  assert.equal(sum(os), 1);
});

test('conntrack negation: KUBE-FIREWALL drops outside traffic to 127.0.0.1 unless it was DNATed', () => {
  // 3001 (svc2, eTP=Local) is not DNATed for an outside source: line 39 (`! --ctstate RELATED,ESTABLISHED,DNAT`) drops it.
  const dropped = walk('203.0.113.9', '127.0.0.1', 3001);
  assert.deepEqual(dnat(dropped), [['DROP', 1, null, null, false]]);
  assert.equal(dropped[0]!.steps.at(-1)!.line, 39);
  // 3003 (svc3, eTP=Cluster) is DNATed via the localhost nodeport rule (92): ctstate DNAT, so 39 does not match.
  const forwarded = walk('203.0.113.9', '127.0.0.1', 3003);
  assert.deepEqual(dnat(forwarded), [['DNAT', 1, '10.180.0.3', 80, true]]);
  assert.ok(stepLines(forwarded[0]!).includes(92));
  assert.ok(!stepLines(forwarded[0]!).includes(39));
});

test('every walk of this dump has outcomes summing to 1 and no notices', () => {
  for (const [src, dst, port] of [
    ['10.0.0.5', '172.30.0.41', 80],
    ['203.0.113.9', '192.168.99.22', 80],
    ['10.0.0.5', '192.168.99.33', 80],
    ['203.0.113.9', '192.168.1.2', 3002],
  ] as const) {
    assert.ok(Math.abs(sum(walk(src, dst, port)) - 1) < 1e-9, `${dst}:${port}`);
  }
  assert.deepEqual(walker.notices(), []);
});
