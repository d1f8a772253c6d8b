/**
 * Real kernel dumps made for these tests (fixtures/netpath-numgen.md, fixtures/netpath-unknown.md):
 * a numgen over three endpoints, a numgen keyed by index ranges, a user's table at the same hooks,
 * an ip6 kube-proxy table, and a statement the walker does not model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNftWalker, parseNftJson, parseNftText } from '../../../src/dataplane/nftables/index.ts';
import { chains, localFixture, packet, summary, total } from './helpers.ts';

const host = { localAddresses: ['192.168.0.2', '127.0.0.1', 'fd00:99::1'] };
const walker = createNftWalker(parseNftJson(localFixture('nft-json-netpath-numgen.json')));

test('numgen random mod 3 with three entries: 1/3 each, in index order', () => {
  const os = walker.walk(packet('10.0.0.5', '172.30.0.47', 80), host);
  assert.deepEqual(os.map((o) => o.dnat?.ip), ['10.180.0.7', '10.180.0.8', '10.180.0.9']);
  for (const o of os) {
    assert.equal(o.verdict, 'DNAT');
    assert.ok(Math.abs(o.probability - 1 / 3) < 1e-9, String(o.probability));
  }
  assert.ok(Math.abs(total(os) - 1) < 1e-9);
  // Through the NodePort 3007 from outside: the same thirds, masqueraded (eTP=Cluster external chain).
  const np = walker.walk(packet('203.0.113.9', '192.168.0.2', 3007), host);
  assert.deepEqual(np.map((o) => [o.dnat?.ip, o.masquerade]), [['10.180.0.7', true], ['10.180.0.8', true], ['10.180.0.9', true]]);
  assert.ok(np.every((o) => Math.abs(o.probability - 1 / 3) < 1e-9));
});

test('numgen keyed by index ranges: `0-2` takes 3 of 4 draws; a user drop rule in another table takes the rest', () => {
  const os = walker.walk(packet('10.0.0.5', '172.30.0.48', 80), host);
  // mod 4 draws 0..3: 0-2 -> 10.180.0.10 (3/4), 3 -> 10.180.0.11 (1/4). 10.180.0.11:80 is then dropped
  // in filter forward by table inet netpath-user; the DNAT it already had is kept on the outcome.
  assert.deepEqual(summary(os), [
    ['DNAT', 0.75, '10.180.0.10', 80, false],
    ['DROP', 0.25, '10.180.0.11', 80, false],
  ]);
  assert.deepEqual(os[1]!.steps.at(-1), {
    table: 'inet netpath-user',
    chain: 'forward',
    rule: 'ip daddr 10.180.0.11 tcp dport 80 counter packets 0 bytes 0 drop comment "user drop"',
    line: null,
    file: 'nft.json',
    handle: 4,
  });
  // The user's `ct state established,related accept` does not match a new connection.
  assert.ok(!os[0]!.steps.some((s) => s.table === 'inet netpath-user'));
});

test('masquerade mark set inline (no mark-for-masquerade jump) is honoured', () => {
  const os = walker.walk(packet('192.168.0.2', '172.30.0.48', 80, 'output'), host);
  // From the node nothing forwards, so the user's forward chain is not on the way: both branches DNAT.
  assert.deepEqual(summary(os), [
    ['DNAT', 0.75, '10.180.0.10', 80, true],
    ['DNAT', 0.25, '10.180.0.11', 80, true],
  ]);
  assert.equal(os[0]!.steps[3]!.rule, 'ip daddr 172.30.0.48 ip saddr != 10.0.0.0/8 meta mark set meta mark | 0x00004000');
});

test('a rule the walker cannot evaluate is reported as a condition, never silently decided', () => {
  // `tcp dport 22 iifname "eth9" drop`: the port matches, the interface is unknown to the walker.
  const ssh = walker.walk(packet('203.0.113.1', '192.168.0.2', 22), host);
  assert.deepEqual(summary(ssh), [['NO-MATCH', 1, null, null, false]]);
  assert.deepEqual(ssh[0]!.conditions, [
    'not evaluated (iifname: the packet does not say (no interface, socket or device data)), assumed not to match: inet netpath-user input handle 5: tcp dport 22 iifname "eth9" drop',
  ]);
  // UDP 22 fails `tcp dport 22` first: nothing is left unevaluated.
  assert.deepEqual(walker.walk(packet('203.0.113.1', '192.168.0.2', 22, 'prerouting', 'UDP'), host)[0]!.conditions, []);
  // An unknown statement (`limit`) is treated the same way, and the parser's notice names it.
  const limited = createNftWalker(parseNftJson(localFixture('nft-json-netpath-unknown.json')));
  const os = limited.walk(packet('203.0.113.1', '192.168.0.2', 3001), host);
  assert.deepEqual(summary(os), [['NO-MATCH', 1, null, null, false]]);
  assert.equal(os[0]!.conditions.length, 2);
  assert.equal(os[0]!.conditions[0], 'the dump has no ip kube-proxy table');
  assert.match(os[0]!.conditions[1]!, /^not evaluated \(unknown expression\), assumed not to match: inet netpath-unknown input handle 2: tcp dport 3001 \{"limit":/);
  assert.deepEqual(limited.notices().map((n) => n.kind), ['unknown-expression', 'layout', 'layout']);
  assert.match(limited.notices()[1]!.message, /^no ip\/ip6 kube-proxy table/);
});

test('the other table is announced in the notices', () => {
  assert.deepEqual(walker.notices().map((n) => n.message), [
    'walked as well: inet netpath-user chain forward (filter hook forward priority 0, policy accept)',
    'walked as well: inet netpath-user chain input (filter hook input priority 0, policy accept)',
  ]);
});

test('IPv6: the ip6 kube-proxy table DNATs to [fd00:10:180::9]:80; only the node is masqueraded', () => {
  const pod = walker.walk(packet('fd00:10::5', 'fd00:30::49', 80), host);
  assert.deepEqual(summary(pod), [['DNAT', 1, 'fd00:10:180::9', 80, false]]);
  assert.deepEqual(pod[0]!.steps.map((s) => s.table), Array(5).fill('ip6 kube-proxy'));
  const node = walker.walk(packet('fd00:99::1', 'fd00:30::49', 80, 'output'), host);
  assert.deepEqual(summary(node), [['DNAT', 1, 'fd00:10:180::9', 80, true]]);
  assert.equal(node[0]!.steps.find((s) => s.rule.includes('dnat'))!.rule, 'meta l4proto tcp dnat to [fd00:10:180::9]:80');
  // IPv4 rules of the ip table never see it.
  assert.ok(!chains(node[0]!).includes('filter-output'));
});

test('the text listing of the same kernel state gives the same shares', () => {
  const text = createNftWalker(parseNftText(localFixture('nft-list-netpath-numgen.nft'), 'list.nft'));
  for (const p of [packet('10.0.0.5', '172.30.0.47', 80), packet('10.0.0.5', '172.30.0.48', 80), packet('fd00:10::5', 'fd00:30::49', 80)]) {
    assert.deepEqual(summary(text.walk(p, host)), summary(walker.walk(p, host)));
  }
});

test('`nft -a list ruleset` text carries the same rule and chain handles as the JSON', () => {
  const rs = parseNftText(localFixture('nft-list-handles-netpath-numgen.nft'), 'list-a.nft');
  const text = createNftWalker(rs);
  for (const p of [packet('10.0.0.5', '172.30.0.48', 80), packet('192.168.0.2', '172.30.0.47', 80, 'output')]) {
    const handles = (w: typeof walker) => w.walk(p, host).map((o) => o.steps.map((s) => [s.chain, s.handle]));
    assert.deepEqual(handles(text), handles(walker));
  }
  // Line 148: `chain service-QAZH6GIY-ns8/svc8/tcp/p80 { # handle 63`.
  const chain = rs.tables[0]!.chains.get('service-QAZH6GIY-ns8/svc8/tcp/p80')!;
  assert.deepEqual([chain.handle, chain.line, chain.rules.map((r) => r.handle)], [63, 148, [66, 68]]);
});
