/**
 * The six services of kube-proxy's TestOverallNFTablesRules, walked on the real `nft -j list ruleset`
 * of that ruleset. Setup: test/fixtures/nftables-TestOverallNFTablesRules.md and
 * iptables-TestOverallIPTablesRules.md (node test-node, 192.168.0.2, pod CIDR 10.0.0.0/8). Handles
 * were read in the JSON file; the expected verdicts are the ones the iptables rules give.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNftWalker, parseNftJson, parseNftText } from '../../../src/dataplane/nftables/index.ts';
import type { WalkOutcome, WalkPacket } from '../../../src/dataplane/types.ts';
import { chains, packet, sharedFixture, summary, total } from './helpers.ts';

const host = { localAddresses: ['192.168.0.2', '127.0.0.1'] };
const walker = createNftWalker(parseNftJson(sharedFixture('nft-json-TestOverallNFTablesRules.json')));
const walk = (...args: Parameters<typeof packet>): WalkOutcome[] => walker.walk(packet(...args), host);
const step = (chain: string, rule: string, handle: number) => ({ table: 'ip kube-proxy', chain, rule, line: null, file: 'nft.json', handle });
const element = (set: string, rule: string) => ({ table: 'ip kube-proxy', chain: set, rule, line: null, file: 'nft.json' });

const SVC1 = 'service-ULMVA6XW-ns1/svc1/tcp/p80';
const EP1 = 'endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80';

test('ns1/svc1 ClusterIP from the node: DNAT to 10.180.0.1:80 with probability 1, masqueraded', () => {
  const os = walk('192.168.0.2', '172.30.0.41', 80, 'output');
  assert.deepEqual(summary(os), [['DNAT', 1, '10.180.0.1', 80, true]]);
  // nat-output -> services vmap -> service chain: `ip saddr != 10.0.0.0/8` holds for 192.168.0.2, so the
  // mark is set; numgen mod 1 -> the endpoint; then nat-postrouting: mark set -> xor, masquerade.
  assert.deepEqual(os[0]!.steps, [
    step('nat-output', 'jump services', 56),
    step('services', 'ip daddr . meta l4proto . th dport vmap @service-ips', 61),
    element('map service-ips', `172.30.0.41 . tcp . 80 : goto ${SVC1}`),
    step(SVC1, 'ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade', 64),
    step('mark-for-masquerade', 'meta mark set meta mark | 0x00004000', 52),
    step(SVC1, `numgen random mod 1 vmap { 0 : goto ${EP1} }`, 66),
    step(EP1, 'meta l4proto tcp dnat to 10.180.0.1:80', 68),
    step('nat-postrouting', 'jump masquerading', 57),
    step('masquerading', 'meta mark set meta mark ^ 0x00004000', 54),
    step('masquerading', 'masquerade fully-random', 55),
  ]);
  assert.deepEqual(os[0]!.conditions, []);
  assert.equal(os[0]!.dynamic, false);
});

test('ns1/svc1 ClusterIP from a pod: same endpoint, source kept', () => {
  const os = walk('10.0.0.5', '172.30.0.41', 80);
  assert.deepEqual(summary(os), [['DNAT', 1, '10.180.0.1', 80, false]]);
  // 10.0.0.5 is inside 10.0.0.0/8: no mark, and `mark and 0x4000 == 0 return` leaves masquerading early.
  assert.deepEqual(chains(os[0]!), ['nat-prerouting', 'services', 'map service-ips', SVC1, EP1]);
});

test('ns4/svc4 ClusterIP: two outcomes of 0.5 in numgen index order', () => {
  const os = walk('10.0.0.5', '172.30.0.44', 80);
  // numgen random mod 2: index 0 -> endpoint-UNZV3OEC (10.180.0.4), index 1 -> endpoint-5RFCDDV7 (10.180.0.5), 1/2 each.
  assert.deepEqual(summary(os), [
    ['DNAT', 0.5, '10.180.0.4', 80, false],
    ['DNAT', 0.5, '10.180.0.5', 80, false],
  ]);
  assert.equal(os[0]!.steps.at(-1)!.chain, 'endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80');
  assert.equal(os[1]!.steps.at(-1)!.chain, 'endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80');
});

test('ns2/svc2 NodePort 3001 from outside: eTP=Local without local endpoints is dropped by no-endpoint-nodeports', () => {
  const os = walk('203.0.113.9', '192.168.0.2', 3001);
  assert.deepEqual(summary(os), [['DROP', 1, null, null, false]]);
  // nat found the nodeport (external chain: neither a pod nor a local source, so no DNAT); 192.168.0.2
  // is local -> input hook -> filter-input -> nodeport-endpoints-check, element `tcp . 3001 : drop`.
  assert.deepEqual(os[0]!.steps.slice(-4), [
    step('filter-input', 'ct state new jump nodeport-endpoints-check', 46),
    step('nodeport-endpoints-check', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports', 59),
    element('set nodeport-ips', '192.168.0.2'),
    element('map no-endpoint-nodeports', 'tcp . 3001 comment "ns2/svc2:p80" : drop'),
  ]);
  assert.deepEqual(chains(os[0]!).slice(0, 4), ['nat-prerouting', 'services', 'set nodeport-ips', 'map service-nodeports']);
});

test('ns2/svc2 NodePort 3001 from a pod or the node: the short-circuit rules reach the remote endpoint', () => {
  const pod = walk('10.0.0.5', '192.168.0.2', 3001);
  assert.deepEqual(summary(pod), [['DNAT', 1, '10.180.0.2', 80, false]]);
  assert.deepEqual(pod[0]!.steps[4], step('external-42NFTM6N-ns2/svc2/tcp/p80', 'ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"', 72));
  // From the node, `fib saddr type local` holds for 192.168.0.2: masquerade mark, then the service chain.
  const node = walk('192.168.0.2', '192.168.0.2', 3001, 'output');
  assert.deepEqual(summary(node), [['DNAT', 1, '10.180.0.2', 80, true]]);
  assert.ok(node[0]!.steps.some((s) => s.rule === 'fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"'));
});

test('ns2/svc2 external IP 192.168.99.22 from outside: dropped by no-endpoint-services in filter-forward', () => {
  const os = walk('203.0.113.9', '192.168.99.22', 80);
  assert.deepEqual(summary(os), [['DROP', 1, null, null, false]]);
  assert.deepEqual(os[0]!.steps.at(-1), element('map no-endpoint-services', '192.168.99.22 . tcp . 80 comment "ns2/svc2:p80" : drop'));
  assert.equal(os[0]!.steps.at(-3)!.chain, 'filter-forward');
});

test('ns6/svc6 without endpoints: REJECT through reject-chain, from a pod and from the node', () => {
  const pod = walk('10.0.0.5', '172.30.0.46', 80);
  assert.deepEqual(summary(pod), [['REJECT', 1, null, null, false]]);
  assert.deepEqual(pod[0]!.steps, [
    step('filter-forward', 'ct state new jump service-endpoints-check', 44),
    step('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services', 63),
    element('map no-endpoint-services', '172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain'),
    step('reject-chain', 'reject', 60),
  ]);
  const node = walk('192.168.0.2', '172.30.0.46', 80, 'output');
  assert.deepEqual(summary(node), [['REJECT', 1, null, null, false]]);
  assert.equal(node[0]!.steps[0]!.chain, 'filter-output');
});

test('ns5/svc5 LoadBalancer 5.6.7.8 from outside the source range: dropped by its firewall chain', () => {
  // loadBalancerSourceRanges 203.0.113.0/25 = .0-.127; .130 is outside.
  const os = walk('203.0.113.130', '5.6.7.8', 80);
  assert.deepEqual(summary(os), [['DROP', 1, null, null, false]]);
  assert.deepEqual(os[0]!.steps, [
    step('filter-prerouting-pre-dnat', 'ct state new jump firewall-check', 43),
    step('firewall-check', 'ip daddr . meta l4proto . th dport vmap @firewall-ips', 51),
    element('map firewall-ips', '5.6.7.8 . tcp . 80 : goto firewall-HVFWP5L3-ns5/svc5/tcp/p80'),
    step('firewall-HVFWP5L3-ns5/svc5/tcp/p80', 'ip saddr != 203.0.113.0/25 drop', 102),
  ]);
});

test('ns5/svc5 LoadBalancer from inside the source range: DNAT, masqueraded, as a new client of the affinity set', () => {
  const os = walk('203.0.113.2', '5.6.7.8', 80);
  assert.deepEqual(summary(os), [['DNAT', 1, '10.180.0.3', 80, true]]);
  assert.equal(os[0]!.dynamic, true);
  assert.deepEqual(os[0]!.conditions, ['new client: 203.0.113.2 has no entry in @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 yet (session affinity is run-time state)']);
  // A new client misses `ip saddr @affinity-... goto endpoint-...` (handle 94) and takes the numgen
  // rule (96); the endpoint chain then records the client (100) before its DNAT (101).
  assert.deepEqual(os[0]!.steps.filter((s) => s.chain.startsWith('service-') || s.chain.startsWith('endpoint-')).map((s) => s.handle), [96, 100, 101]);
});

test('ns3/svc3 NodePort 3003 from outside: DNAT to 10.180.0.3:80, masqueraded (eTP=Cluster)', () => {
  const os = walk('203.0.113.9', '192.168.0.2', 3003);
  assert.deepEqual(summary(os), [['DNAT', 1, '10.180.0.3', 80, true]]);
  assert.deepEqual(chains(os[0]!), [
    'nat-prerouting', 'services', 'set nodeport-ips', 'map service-nodeports',
    'external-4AT6LBPK-ns3/svc3/tcp/p80', 'mark-for-masquerade', 'external-4AT6LBPK-ns3/svc3/tcp/p80',
    'service-4AT6LBPK-ns3/svc3/tcp/p80', 'endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80',
    'nat-postrouting', 'masquerading', 'masquerading',
  ]);
});

test('a port the ClusterIP does not serve is rejected by cluster-ips-check; an unrelated address is NO-MATCH', () => {
  const wrong = walk('10.0.0.5', '172.30.0.41', 81);
  assert.deepEqual(summary(wrong), [['REJECT', 1, null, null, false]]);
  assert.deepEqual(wrong[0]!.steps, [
    step('filter-forward', 'ct state new jump cluster-ips-check', 45),
    step('cluster-ips-check', 'ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"', 41),
    element('set cluster-ips', '172.30.0.41'),
  ]);
  const other = walk('10.0.0.5', '8.8.8.8', 53, 'prerouting', 'UDP');
  assert.deepEqual(other, [{ verdict: 'NO-MATCH', probability: 1, dnat: null, masquerade: false, steps: [], conditions: [], dynamic: false }]);
});

test('an IPv6 packet on a dump without an ip6 kube-proxy table says so', () => {
  const os = walker.walk(packet('fd00::5', 'fd00:30::41', 80), host);
  assert.deepEqual(summary(os), [['NO-MATCH', 1, null, null, false]]);
  assert.deepEqual(os[0]!.conditions, ['the dump has no ip6 kube-proxy table']);
});

test('the `nft list ruleset` text of the same kernel state walks to the same outcomes', () => {
  const text = createNftWalker(parseNftText(sharedFixture('nft-list-TestOverallNFTablesRules.nft'), 'nft-list.nft'));
  const packets: WalkPacket[] = [
    packet('192.168.0.2', '172.30.0.41', 80, 'output'),
    packet('10.0.0.5', '172.30.0.44', 80),
    packet('203.0.113.9', '192.168.0.2', 3001),
    packet('10.0.0.5', '192.168.0.2', 3001),
    packet('10.0.0.5', '172.30.0.46', 80),
    packet('203.0.113.130', '5.6.7.8', 80),
    packet('203.0.113.2', '5.6.7.8', 80),
    packet('203.0.113.9', '192.168.0.2', 3003),
    packet('10.0.0.5', '172.30.0.41', 81),
  ];
  for (const p of packets) {
    const a = walker.walk(p, host);
    const b = text.walk(p, host);
    assert.deepEqual(summary(b), summary(a), JSON.stringify(p));
    assert.deepEqual(b.map((o) => o.steps.map((s) => [s.chain, s.rule])), a.map((o) => o.steps.map((s) => [s.chain, s.rule])));
    assert.equal(total(a), 1);
  }
  // Text dumps carry lines: the svc1 DNAT rule is on line 153 of nft-list-TestOverallNFTablesRules.nft.
  const dnat = text.walk(packets[0]!, host)[0]!.steps.find((s) => s.chain === EP1)!;
  assert.deepEqual(dnat, { table: 'ip kube-proxy', chain: EP1, rule: 'meta l4proto tcp dnat to 10.180.0.1:80', line: 153, file: 'nft-list.nft' });
});
