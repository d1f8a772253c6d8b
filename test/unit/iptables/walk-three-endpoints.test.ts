/**
 * One ClusterIP service with three endpoints, loaded into a real kernel by iptables-restore with
 * kube-proxy's probabilities 0.3333333333 and 0.5000000000 and dumped back (fixtures/*.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WalkOutcome } from '../../../src/dataplane/types.ts';
import { loadDump, ruleAt, stepLines, sum, tcp, walk } from './helpers.ts';

// The kernel printed the first rule's probability back as 0.33333333349 (line 59) and the second as 0.50000000000 (line 60).
const P1 = 0.33333333349;
const SHARES = [P1, (1 - P1) * 0.5, (1 - P1) * (1 - 0.5)];

function assertThirds(os: WalkOutcome[], endpoints: string[]): void {
  assert.deepEqual(
    os.map((o) => [o.verdict, o.dnat]),
    endpoints.map((ip) => ['DNAT', { ip, port: 80 }]),
  );
  os.forEach((o, i) => {
    assert.ok(Math.abs(o.probability - SHARES[i]!) < 1e-15, `share ${i}: ${o.probability}`);
    assert.ok(Math.abs(o.probability - 1 / 3) < 1e-9, `share ${i} is 1/3 within 1e-9: ${o.probability}`);
  });
  assert.ok(Math.abs(sum(os) - 1) < 1e-9);
}

test('IPv4: each endpoint gets 1/3, computed from the per-rule probabilities', () => {
  const dump = loadDump('iptables-save-kernel-three-endpoints.txt');
  const statistic = (line: number) => ruleAt(dump, line).matches.find((m) => m.module === 'statistic')!.options;
  assert.equal(statistic(59).find((o) => o.name === '--probability')?.values[0]?.value, '0.33333333349');
  assert.equal(statistic(60).find((o) => o.name === '--probability')?.values[0]?.value, '0.50000000000');

  const os = walk('iptables-save-kernel-three-endpoints.txt', tcp('10.0.0.7', '172.30.0.47', 80), { localAddresses: ['192.168.0.2'] });
  assertThirds(os, ['10.180.0.11', '10.180.0.12', '10.180.0.13']);
  // The second endpoint's share is its rule's 0.5 times the 1 - 0.33333333349 left by the first rule, not 0.5.
  assert.notEqual(os[1]!.probability, 0.5);
  assert.ok(os[1]!.probability < 0.34);
  // The second endpoint is reached through line 60 (the 0.5 rule), the third through line 61.
  assert.deepEqual(stepLines(os[1]!).slice(0, 4), [43, 56, 60, 53]);
  assert.deepEqual(stepLines(os[2]!).slice(0, 4), [43, 56, 61, 55]);
  assert.ok(os.every((o) => !o.masquerade && !o.dynamic && o.conditions.length === 0));
});

test('IPv6: the same shares, DNAT to bracketed [addr]:port targets, masqueraded from the node', () => {
  const name = 'ip6tables-save-kernel-three-endpoints.txt';
  const host = { localAddresses: ['fd00:192:168::2', '::1'] };
  assertThirds(walk(name, tcp('fd00:10::5', 'fd00:172:30::47', 80), host), ['fd00:10:180::11', 'fd00:10:180::12', 'fd00:10:180::13']);
  const fromNode = walk(name, tcp('fd00:192:168::2', 'fd00:172:30::47', 80, 'output'), host);
  assert.deepEqual(fromNode.map((o) => o.masquerade), [true, true, true]);
});

test('legacy backend with -c counters walks the same', () => {
  const os = walk('iptables-legacy-save-c-three-endpoints.txt', tcp('10.0.0.7', '172.30.0.47', 80), { localAddresses: ['192.168.0.2'] });
  assertThirds(os, ['10.180.0.11', '10.180.0.12', '10.180.0.13']);
  // Steps show the rule without the counters of one reading (live reads save with -c since issue
  // 10; a step must read the same in two captures of unchanged rules): line 31 is the 0.33333333349 rule.
  assert.equal(
    os[0]!.steps[2]!.rule,
    '-A KUBE-SVC-KPEMU3PDPRCEMWRI -m comment --comment "ns7/svc7:p80 -> 10.180.0.11:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-EO62FIQ44QQVDN2K',
  );
  assert.equal(os[0]!.steps[2]!.line, 31);
});
