/** Jump vs goto, nth, MARK arithmetic, loops, sets and unknown matches: what the walk must get exactly right. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateChain,
  formatMark,
  parseIptablesDump,
  createIptablesWalker,
  type SetMatcher,
} from '../../../src/dataplane/iptables/index.ts';
import { chainContext, initialState, loadDump, stepLines, sum, tcp, walk } from './helpers.ts';

const SEMANTICS = 'iptables-save-kernel-semantics.txt';
const host = { localAddresses: ['192.168.0.2'] };
const dnatOf = (os: ReturnType<typeof walk>) => os.map((o) => [o.verdict, o.probability, o.dnat]);

test('jump: after the called chain RETURNs, the caller continues with its next rule', () => {
  // PREROUTING 12 -j VIA-JUMP; VIA-JUMP 32 -j INNER; INNER 18 RETURN; back to VIA-JUMP 33 DNAT 10.1.0.1:8080.
  const os = walk(SEMANTICS, tcp('203.0.113.1', '198.51.100.1', 80), host);
  assert.deepEqual(dnatOf(os), [['DNAT', 1, { ip: '10.1.0.1', port: 8080 }]]);
  assert.deepEqual(stepLines(os[0]!), [12, 32, 18, 33]);
});

test('goto: after the gone-to chain RETURNs, processing resumes in the caller of the chain that did the goto', () => {
  // PREROUTING 13 -j VIA-GOTO; VIA-GOTO 30 -g INNER; INNER 18 RETURN -> back to PREROUTING 14 (VIA-GOTO 31 is skipped).
  const os = walk(SEMANTICS, tcp('203.0.113.1', '198.51.100.2', 80), host);
  assert.deepEqual(dnatOf(os), [['DNAT', 1, { ip: '10.1.0.3', port: 8080 }]]);
  assert.deepEqual(stepLines(os[0]!), [13, 30, 18, 14]);
  // Port 81 is DNATed inside INNER (17) before its RETURN; the rule after RETURN (19) is never reached.
  const inner = walk(SEMANTICS, tcp('203.0.113.1', '198.51.100.2', 81), host);
  assert.deepEqual(dnatOf(inner), [['DNAT', 1, { ip: '10.1.0.9', port: 81 }]]);
  assert.deepEqual(stepLines(inner[0]!), [13, 30, 17]);
});

test('nth statistic: every 3, then every 2, then the rest is 1/3 each', () => {
  const os = walk(SEMANTICS, { src: '203.0.113.1', dst: '198.51.100.3', port: 53, protocol: 'UDP', hook: 'prerouting' }, host);
  // 1/3; (1 - 1/3) x 1/2 = 1/3; (1 - 1/3) x (1 - 1/2) = 1/3.
  assert.deepEqual(os.map((o) => o.dnat?.ip), ['10.1.0.31', '10.1.0.32', '10.1.0.33']);
  for (const o of os) assert.ok(Math.abs(o.probability - 1 / 3) < 1e-12, String(o.probability));
  assert.ok(Math.abs(sum(os) - 1) < 1e-12);
  assert.deepEqual(os.map((o) => o.dynamic), [false, false, false]);
});

test('MARK arithmetic as the kernel prints it (set-xmark value/mask), then mark and negated mark matches', () => {
  const dump = loadDump(SEMANTICS);
  const { ctx } = chainContext(dump, host);
  const run = (mark: number) => {
    const start = initialState(tcp('203.0.113.1', '198.51.100.4', 80));
    return evaluateChain(ctx, 'nat', 'MARKS', { ...start, packet: { ...start.packet, mark } });
  };
  // From 0: (0 & ~0xff) ^ 0xf0 = 0xf0; (0xf0 & ~0x4000) ^ 0x4000 = 0x40f0; ^ 0x30 = 0x40c0;
  // & ~0xffff00ff = 0x4000; (0x4000 & ~0x6) ^ 0x2 = 0x4002. `! --mark 0x4002` fails, `--mark 0x4002` fires (26).
  const fromZero = run(0);
  assert.equal(formatMark(fromZero[0]!.packet.mark), '0x4002');
  assert.deepEqual(fromZero.map((b) => [b.verdict, b.dnat]), [['DNAT', { ip: '10.1.0.42', port: 80 }]]);
  assert.deepEqual(stepLines(fromZero[0]!), [20, 21, 22, 23, 24, 26]);
  // From 0xffffffff: 0xfffffff0; 0xfffffff0; 0xffffffc0; 0xff00; (0xff00 & ~0x6) ^ 0x2 = 0xff02.
  // Now the negated match (25) fires.
  const fromOnes = run(0xffffffff);
  assert.equal(formatMark(fromOnes[0]!.packet.mark), '0xff02');
  assert.deepEqual(fromOnes.map((b) => [b.verdict, b.dnat]), [['DNAT', { ip: '10.1.0.40', port: 80 }]]);
  assert.equal(stepLines(fromOnes[0]!).at(-1), 25);
});

test('the same walk over kube-proxy restore input (--or-mark / --xor-mark) and over its kernel dump', () => {
  // nat KUBE-SERVICES only: restore input has no top-level jumps. From a non-pod source the masquerade
  // mark is set by `--or-mark 0x4000` (restore) or `--set-xmark 0x4000/0x4000` (kernel).
  for (const name of ['iptables-TestOverallIPTablesRules.txt', 'iptables-save-kernel-TestOverallIPTablesRules.txt']) {
    const { ctx } = chainContext(loadDump(name), host);
    const branches = evaluateChain(ctx, 'nat', 'KUBE-SERVICES', initialState(tcp('192.168.0.2', '172.30.0.44', 80, 'output')));
    assert.deepEqual(
      branches.map((b) => [b.verdict, b.probability, b.dnat?.ip, formatMark(b.packet.mark), b.packet.ctstate]),
      [
        ['DNAT', 0.5, '10.180.0.4', '0x4000', ['NEW', 'DNAT']],
        ['DNAT', 0.5, '10.180.0.5', '0x4000', ['NEW', 'DNAT']],
      ],
      name,
    );
    // KUBE-POSTROUTING clears the bit with --xor-mark / --set-xmark 0x4000/0x0 and masquerades.
    const post = evaluateChain(ctx, 'nat', 'KUBE-POSTROUTING', branches[0]!);
    assert.deepEqual(post.map((b) => [b.verdict, formatMark(b.packet.mark), b.masquerade]), [['MASQUERADE', '0x0', true]], name);
  }
});

test('an unknown match: the rule is assumed not to match, every outcome past it says so, and a notice names it', () => {
  const text = [
    '# Generated by iptables-save v1.8.9 (nf_tables) on Sun Nov 22 04:00:00 2026',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':SVC - [0:0]',
    '-A PREROUTING -d 198.51.100.9/32 -p tcp -m tcp --dport 80 -j SVC',
    '-A SVC -p tcp -m pkttype --pkt-type unicast -j DNAT --to-destination 10.9.0.1:80',
    '-A SVC -p tcp -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.9.0.2:80',
    '-A SVC -p tcp -j DNAT --to-destination 10.9.0.3:80',
    'COMMIT',
  ].join('\n');
  const walker = createIptablesWalker(parseIptablesDump(text, 'iptables-save.txt'));
  const os = walker.walk(tcp('203.0.113.1', '198.51.100.9', 80), host);
  // Not silently true (that would DNAT everything to 10.9.0.1), not silently false (no condition).
  assert.deepEqual(dnatOf(os), [
    ['DNAT', 0.5, { ip: '10.9.0.2', port: 80 }],
    ['DNAT', 0.5, { ip: '10.9.0.3', port: 80 }],
  ]);
  for (const o of os) assert.deepEqual(o.conditions, ['assumed -m pkttype --pkt-type unicast does not match (iptables-save.txt:6)']);
  assert.equal(walker.notices().length, 1);
  assert.equal(walker.notices()[0]!.line, 6);
  assert.match(walker.notices()[0]!.message, /^unknown match "-m pkttype --pkt-type unicast"/);
});

test('jump loops are cut and reported instead of recursing forever', () => {
  const text = ['*nat', ':A - [0:0]', ':B - [0:0]', '-A A -j B', '-A B -j A', '-A B -p tcp -j DNAT --to-destination 10.9.9.9:80', 'COMMIT'].join('\n');
  const { ctx, notices } = chainContext(parseIptablesDump(text, 'rules.txt'), host);
  const branches = evaluateChain(ctx, 'nat', 'A', initialState(tcp('203.0.113.1', '198.51.100.9', 80)));
  assert.deepEqual(branches.map((b) => [b.verdict, b.dnat]), [['DNAT', { ip: '10.9.9.9', port: 80 }]]);
  assert.deepEqual(branches[0]!.conditions, ['jump loop: A is already on the path A -> B; assumed it returns at once (rules.txt:5)']);
  assert.equal(notices.length, 1);
  assert.match(notices[0]!, /^rules\.txt:5: jump loop: A is already on the path A -> B/);
});

test('a jump to a chain the dump lacks (partial restore input) is reported, not guessed', () => {
  const dump = loadDump('iptables-restore-TestSyncProxyRulesRepeated-partial-steps.txt');
  const { ctx, notices } = chainContext(dump, host);
  // After all three steps, nat KUBE-SERVICES is step 7's (lines 79-82); svc1's chain was never in these partial inputs.
  const svc1 = evaluateChain(ctx, 'nat', 'KUBE-SERVICES', initialState(tcp('10.0.0.5', '172.30.0.41', 80)));
  assert.deepEqual(svc1.map((b) => [b.verdict, b.probability]), [[null, 1]]);
  assert.deepEqual(svc1[0]!.conditions, [
    'chain KUBE-SVC-XPGD46QRK7WJZT7O is not in table nat of this dump; assumed it returns at once (iptables-save.txt:79)',
  ]);
  assert.equal(notices.length, 1);
  // svc3 was rewritten in step 7 with two endpoints at 0.5000000000 (restore syntax, 10 decimals).
  const svc3 = evaluateChain(ctx, 'nat', 'KUBE-SERVICES', initialState(tcp('10.0.0.5', '172.30.0.43', 80)));
  assert.deepEqual(svc3.map((b) => [b.probability, b.dnat?.ip]), [
    [0.5, '10.0.3.2'],
    [0.5, '10.0.3.3'],
  ]);
  // Chains deleted by -X in step 3 are gone.
  assert.equal(ctx.ruleset.chain('nat', 'KUBE-SVC-2VJB64SDSIJUP5T6'), undefined);
});

test('ipset membership comes from the SetMatcher; without one the set match is unknown and reported', () => {
  const text = [
    '*nat',
    ':KUBE-SERVICES - [0:0]',
    '-A KUBE-SERVICES -m set ! --match-set KUBE-LOOP-BACK dst,dst,src -j RETURN',
    '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
    'COMMIT',
  ].join('\n');
  const dump = parseIptablesDump(text, 'iptables-save.txt');
  const pkt = initialState(tcp('10.0.0.5', '10.96.0.10', 53));
  const calls: string[] = [];
  const sets: SetMatcher = {
    has(name, flags, p) {
      calls.push(`${name} ${flags.join(',')}`);
      if (name === 'KUBE-CLUSTER-IP') return p.dst === '10.96.0.10' && p.port === 53;
      return name === 'KUBE-LOOP-BACK' ? false : null;
    },
  };
  const withSets = chainContext(dump, host);
  const known = evaluateChain({ ...withSets.ctx, sets }, 'nat', 'KUBE-SERVICES', pkt);
  // Not in KUBE-LOOP-BACK, so `!` makes line 3 match... and RETURN.
  assert.deepEqual(known.map((b) => [b.verdict, stepLines(b)]), [[null, [3]]]);
  assert.deepEqual(calls, ['KUBE-LOOP-BACK dst,dst,src']);

  const without = chainContext(dump, host);
  const unknown = evaluateChain(without.ctx, 'nat', 'KUBE-SERVICES', pkt);
  assert.deepEqual(unknown.map((b) => [b.verdict, stepLines(b)]), [[null, []]]);
  assert.deepEqual(unknown[0]!.conditions, [
    'assumed -m set ! --match-set KUBE-LOOP-BACK dst,dst,src does not match (iptables-save.txt:3)',
    'assumed -m set --match-set KUBE-CLUSTER-IP dst,dst does not match (iptables-save.txt:4)',
  ]);
  assert.equal(without.notices.length, 2);
  assert.match(without.notices[0]!, /the contents of ipset KUBE-LOOP-BACK are unknown/);
});
