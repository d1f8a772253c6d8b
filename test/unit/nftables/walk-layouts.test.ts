/**
 * Layouts of other kube-proxy releases and states: stale empty chains (TestSyncProxyRulesRepeated),
 * the older real k3s table (filter chains at -110, filter-output-post-dnat, port in the masquerade
 * check), the ~1.29 layout from knftables' copy of kube-proxy's test (endpoints-check, fib daddr
 * NodePorts) and the inlined masquerade mark of PR #135800. Line numbers were read in the files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNftWalker, parseNftJson, parseNftText } from '../../../src/dataplane/nftables/index.ts';
import type { WalkOutcome, WalkPacket } from '../../../src/dataplane/types.ts';
import { chains, localFixture, packet, sharedFixture, summary, total } from './helpers.ts';

const overallHost = { localAddresses: ['192.168.0.2', '127.0.0.1'] };

test('svc2 deleted, its chains still there but empty: the stale chains change nothing', () => {
  const name = 'nftables-TestSyncProxyRulesRepeated-svc2-deleted-stale-chains.nft';
  const text = sharedFixture(name);
  const walker = createNftWalker(parseNftText(text, name));
  // 172.30.0.42 is no longer in cluster-ips nor service-ips, but inside the service CIDR 172.30.0.0/16:
  // filter-forward (line 33) -> cluster-ips-check `ip daddr { 172.30.0.0/16 } drop` (line 30).
  const gone = walker.walk(packet('10.0.0.5', '172.30.0.42', 8080), overallHost);
  assert.deepEqual(summary(gone), [['DROP', 1, null, null, false]]);
  assert.deepEqual(gone[0]!.steps.map((s) => [s.chain, s.line]), [['filter-forward', 33], ['cluster-ips-check', 30]]);
  // svc3 still has its endpoint 10.0.3.1 in this state (line 74: dnat to 10.0.3.1:80).
  const svc3 = walker.walk(packet('10.0.0.5', '172.30.0.43', 80), overallHost);
  assert.deepEqual(summary(svc3), [['DNAT', 1, '10.0.3.1', 80, false]]);
  assert.equal(svc3[0]!.steps.at(-1)!.line, 74);
  assert.deepEqual(walker.notices().map((n) => n.message), [
    'ip kube-proxy: 2 empty chain(s) nothing refers to (stale, kube-proxy deletes them after a delay): service-MHHHYRWA-ns2/svc2/tcp/p8080, endpoint-7RVP4LUQ-ns2/svc2/tcp/p8080__10.0.2.1/8080',
  ]);
  // The same table without the two stale `add chain` lines walks identically.
  const pruned = createNftWalker(parseNftText(text.split('\n').filter((l) => !/^add chain ip kube-proxy (service-MHHHYRWA|endpoint-7RVP4LUQ)-/.test(l)).join('\n'), name));
  assert.deepEqual(pruned.notices(), []);
  for (const p of [packet('10.0.0.5', '172.30.0.42', 8080), packet('10.0.0.5', '172.30.0.41', 80), packet('192.168.0.2', '172.30.0.43', 80, 'output'), packet('10.0.0.5', '172.30.0.99', 80)]) {
    assert.deepEqual(summary(pruned.walk(p, overallHost)), summary(walker.walk(p, overallHost)));
  }
});

test('an endpoint changed, the old endpoint chain left empty: traffic follows the vmap to the new one', () => {
  const name = 'nftables-TestSyncProxyRulesRepeated-endpoint-changed-stale-chain.nft';
  const walker = createNftWalker(parseNftText(sharedFixture(name), name));
  const os = walker.walk(packet('10.0.0.5', '172.30.0.43', 80), overallHost);
  // service-ips element (line 58) -> service-4AT6LBPK vmap -> endpoint-SWWHDC7X, dnat on line 74.
  assert.deepEqual(summary(os), [['DNAT', 1, '10.0.3.2', 80, false]]);
  assert.deepEqual(os[0]!.steps.at(-1), {
    table: 'ip kube-proxy',
    chain: 'endpoint-SWWHDC7X-ns3/svc3/tcp/p80__10.0.3.2/80',
    rule: 'meta l4proto tcp dnat to 10.0.3.2:80',
    line: 74,
    file: name,
  });
  assert.equal(os[0]!.steps[2]!.line, 58);
  assert.ok(!chains(os[0]!).includes('endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80'));
  assert.match(walker.notices()[0]!.message, /1 empty chain\(s\) .*: endpoint-2OCDJSZQ-ns3\/svc3\/tcp\/p80__10\.0\.3\.1\/80$/);
});

test('real k3s table (older layout): riset/hellopod-np-svc NodePort 30000 spreads 1/9 over nine endpoints', () => {
  const k3s = createNftWalker(parseNftText(sharedFixture('nftables-real-k3s-nft-list-table.nft'), 'k3s.nft'));
  const host = { localAddresses: ['10.34.4.246', '127.0.0.1'] };
  const nine = ['10.42.2.218', '10.42.4.201', '10.42.4.202', '10.42.4.203', '10.42.4.204', '10.42.4.205', '10.42.4.206', '10.42.4.207', '10.42.5.164'];
  // nodeport-ips {10.34.4.246} -> service-nodeports `tcp . 30000` (line 31) -> external chain (mark) ->
  // service chain `numgen random mod 9 vmap { 0 : ..., 8 : ... }`: index i -> nine[i], 1/9 each; eTP=Cluster masquerades.
  const np = k3s.walk(packet('198.51.100.7', '10.34.4.246', 30000), host);
  assert.deepEqual(summary(np), nine.map((ip) => ['DNAT', 1 / 9, ip, 8080, true]));
  assert.ok(Math.abs(total(np) - 1) < 1e-9);
  assert.equal(np[0]!.steps[3]!.line, 31);
  assert.equal(np[0]!.steps.find((s) => s.rule.startsWith('meta l4proto tcp dnat'))!.line, 253);
  // ClusterIP 10.43.195.72:8000 from a pod: same shares, source kept. From the node, the masquerade
  // rule of this release still matches the port: `ip daddr 10.43.195.72 tcp dport 8000 ip saddr != 10.42.0.0/16` (line 46).
  assert.deepEqual(summary(k3s.walk(packet('10.42.1.5', '10.43.195.72', 8000), host)), nine.map((ip) => ['DNAT', 1 / 9, ip, 8080, false]));
  const node = k3s.walk(packet('10.34.4.246', '10.43.195.72', 8000, 'output'), host);
  assert.deepEqual(summary(node), nine.map((ip) => ['DNAT', 1 / 9, ip, 8080, true]));
  assert.equal(node[0]!.steps.find((s) => s.chain === 'service-P6J77WGM-riset/hellopod-np-svc/tcp/')!.line, 46);
});

test('real k3s table: no-endpoint REJECT and unallocated DROP through the older filter chains', () => {
  const k3s = createNftWalker(parseNftText(sharedFixture('nftables-real-k3s-nft-list-table.nft'), 'k3s.nft'));
  const host = { localAddresses: ['10.34.4.246', '127.0.0.1'] };
  // otelcol-opentelemetry-collector has no endpoints: element on line 62, `reject` on line 143.
  const pod = k3s.walk(packet('10.42.1.5', '10.43.21.102', 4317), host);
  assert.deepEqual(summary(pod), [['REJECT', 1, null, null, false]]);
  assert.deepEqual(pod[0]!.steps.map((s) => [s.chain, s.line]), [['filter-forward', 89], ['service-endpoints-check', 119], ['map no-endpoint-services', 62], ['reject-chain', 143]]);
  const node = k3s.walk(packet('10.34.4.246', '10.43.21.102', 4317, 'output'), host);
  assert.deepEqual(node[0]!.steps.map((s) => [s.chain, s.line]), [['filter-output', 95], ['service-endpoints-check', 119], ['map no-endpoint-services', 62], ['reject-chain', 143]]);
  // An unallocated address of the service CIDR from the node: filter-output-post-dnat (priority -90,
  // line 101) -> `ip daddr 10.43.0.0/16 drop` (line 134).
  const unalloc = k3s.walk(packet('10.34.4.246', '10.43.99.99', 80, 'output'), host);
  assert.deepEqual(summary(unalloc), [['DROP', 1, null, null, false]]);
  assert.deepEqual(unalloc[0]!.steps.map((s) => [s.chain, s.line]), [['filter-output-post-dnat', 101], ['cluster-ips-check', 134]]);
});

test('~1.29 layout: NodePorts by `fib daddr type local`, one endpoints-check chain', () => {
  const w = createNftWalker(parseNftJson(localFixture('nft-json-knftables-kube-proxy-example.json')));
  // svc2 NodePort from outside: 192.168.0.2 is local, so `fib daddr type local ip daddr != 127.0.0.0/8`
  // holds in services (no local endpoints: no DNAT) and again in endpoints-check -> `tcp . 3001 : drop`.
  const drop = w.walk(packet('203.0.113.9', '192.168.0.2', 3001), overallHost);
  assert.deepEqual(summary(drop), [['DROP', 1, null, null, false]]);
  assert.deepEqual(drop[0]!.steps.slice(-3).map((s) => [s.chain, s.rule]), [
    ['filter-input', 'ct state new jump endpoints-check'],
    ['endpoints-check', 'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports'],
    ['map no-endpoint-nodeports', 'tcp . 3001 comment "ns2/svc2:p80" : drop'],
  ]);
  assert.deepEqual(summary(w.walk(packet('203.0.113.9', '192.168.0.2', 3003), overallHost)), [['DNAT', 1, '10.180.0.3', 80, true]]);
  // 127.0.0.1 is local but excluded by `ip daddr != 127.0.0.0/8`: nftables mode serves no localhost NodePorts.
  assert.deepEqual(summary(w.walk(packet('127.0.0.1', '127.0.0.1', 3003, 'output'), overallHost)), [['NO-MATCH', 1, null, null, false]]);
  // An address that is not local is not a NodePort target at all.
  assert.deepEqual(summary(w.walk(packet('203.0.113.9', '192.168.0.77', 3003), overallHost)), [['NO-MATCH', 1, null, null, false]]);
  // svc1 from the node: masquerade rule with the port (`tcp dport 80`) of this release.
  const svc1 = w.walk(packet('192.168.0.2', '172.30.0.41', 80, 'output'), overallHost);
  assert.deepEqual(summary(svc1), [['DNAT', 1, '10.180.0.1', 80, true]]);
  assert.ok(svc1[0]!.steps.some((s) => s.rule === 'ip daddr 172.30.0.41 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade'));
});

test('mark-for-masquerade inlined (PR #135800): the mark set in the service chain still masquerades', () => {
  const w = createNftWalker(parseNftJson(localFixture('nft-json-overall-inline-masq.json')));
  const node = w.walk(packet('192.168.0.2', '172.30.0.41', 80, 'output'), overallHost);
  assert.deepEqual(summary(node), [['DNAT', 1, '10.180.0.1', 80, true]]);
  assert.deepEqual(chains(node[0]!), ['nat-output', 'services', 'map service-ips', 'service-ULMVA6XW-ns1/svc1/tcp/p80', 'service-ULMVA6XW-ns1/svc1/tcp/p80', 'endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80', 'nat-postrouting', 'masquerading', 'masquerading']);
  assert.equal(node[0]!.steps[3]!.rule, 'ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 meta mark set meta mark | 0x00004000');
  const cases: [WalkPacket, unknown[]][] = [
    [packet('10.0.0.5', '172.30.0.41', 80), [['DNAT', 1, '10.180.0.1', 80, false]]],
    [packet('203.0.113.9', '192.168.0.2', 3003), [['DNAT', 1, '10.180.0.3', 80, true]]],
    [packet('192.168.0.2', '192.168.0.2', 3001, 'output'), [['DNAT', 1, '10.180.0.2', 80, true]]],
    [packet('203.0.113.9', '192.168.0.2', 3001), [['DROP', 1, null, null, false]]],
  ];
  for (const [p, expected] of cases) assert.deepEqual(summary(w.walk(p, overallHost)), expected, JSON.stringify(p));
});

test('the mark is read, not assumed: a packet reaching masquerading without the mark keeps its source', () => {
  const w = createNftWalker(parseNftJson(sharedFixture('nft-json-TestOverallNFTablesRules.json')));
  // svc4 from a pod: mark 0 -> `meta mark & 0x00004000 == 0x00000000 return`; no masquerade, and the
  // jump to masquerading leaves no step because nothing happened there.
  const os: WalkOutcome[] = w.walk(packet('10.0.0.5', '172.30.0.44', 80), overallHost);
  assert.ok(os.every((o) => !o.masquerade && !chains(o).includes('masquerading')));
});
