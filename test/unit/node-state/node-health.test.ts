// The node-health analyzer: on the real example bundle (numbers read by hand from its files, see
// test/fixtures/*-harness*.md) and on hand-made states for each finding.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { nodeHealth } from '../../../src/analyzers/node-health.ts';
import type { NodeHealthInput } from '../../../src/analyzers/node-health.ts';
import { parseIptablesDump } from '../../../src/dataplane/iptables/parse.ts';
import type { NodeState } from '../../../src/dataplane/node-state/node-state.ts';
import { readNodeState } from '../../../src/dataplane/node-state/node-state.ts';
import { parseProxyMetrics } from '../../../src/dataplane/node-state/proxy-metrics.ts';

const dir = new URL('../../../examples/real-kernel/nodes/node-a/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir), 'utf8');
const files = new Map(['iptables-save.txt', 'conntrack.txt', 'conntrack-stats.txt', 'conntrack-count', 'kube-proxy-metrics.txt', 'kube-proxy-healthz.json'].map((f) => [f, read(f)]));
const dump = { node: 'node-a', location: 'nodes/node-a', proxyMode: 'iptables', files, healthz: new Map() };

const emptyState: NodeState = { conntrack: null, conntrackStats: null, conntrackCount: null, metrics: null, healthz: null, files: {} };
const base = (over: Partial<NodeHealthInput>): NodeHealthInput => ({
  node: 'n', mode: 'iptables', state: emptyState, iptables: null, nft: null, syncPeriod: { seconds: 30, source: 'default' }, now: null, ...over,
});

test('example bundle node-a: rule count equals grep, sync age from healthz currentTime, conntrack 48/262144', () => {
  const state = readNodeState(dump);
  const h = nodeHealth(base({ node: 'node-a', state, iptables: parseIptablesDump(files.get('iptables-save.txt')!, 'f'), now: state.healthz!.currentTime }));
  // grep -c '^\[[0-9]*:[0-9]*\] -A' iptables-save.txt -> 50; KUBE-SERVICES: 4 rules (grep -c '\] -A KUBE-SERVICES ')
  assert.equal(h.rules!.rules, 50);
  assert.equal(h.rules!.serviceDispatchRules, 4);
  // 7 KUBE-SEP chains (6 of kernel/web, 1 of default/kubernetes), 2 rules each
  assert.deepEqual(h.rules!.byKind.endpoint, { chains: 7, rules: 14 });
  const v4 = h.sync.find((s) => s.family === 'IPv4')!;
  // currentTime 03:10:37.936642747 - last sync 1796353832.359209 (03:10:32.359209) = 5.577 s
  assert.ok(Math.abs(v4.ageSeconds! - 5.577) < 0.001, String(v4.ageSeconds));
  assert.equal(h.kubeProxyVersion, 'v1.36.3');
  assert.deepEqual({ count: h.conntrack!.count, max: h.conntrack!.max, drop: h.conntrack!.drop, entries: h.conntrack!.entriesRead }, { count: 48, max: 262144, drop: 0, entries: 48 });
  assert.ok(Math.abs(h.conntrack!.fill! - 48 / 262144) < 1e-12);
  assert.equal(h.iptablesBackend!.inUse, 'nf_tables');
  assert.deepEqual(h.findings, []);
});

test('conntrack: 235930 of 262144 is 90.0% (warning), 262144 of 262144 is full (error), drops counted', () => {
  const near = nodeHealth(base({ state: { ...emptyState, conntrackCount: { count: 235930, max: 262144 } } }));
  // 235930 / 262144 = 0.90000
  assert.deepEqual(near.findings.map((f) => [f.id, f.severity]), [['conntrack-near-full', 'warning']]);
  assert.match(near.findings[0]!.message, /235930 of 262144 entries \(90\.0%\)/);
  const below = nodeHealth(base({ state: { ...emptyState, conntrackCount: { count: 235929, max: 262144 } } }));
  assert.deepEqual(below.findings, []);
  const full = nodeHealth(base({
    state: { ...emptyState, conntrackCount: { count: 262144, max: 262144 }, conntrackStats: { cpus: 2, totals: { drop: 0, early_drop: 12, insert_failed: 3 } } },
  }));
  assert.deepEqual(full.findings.map((f) => [f.id, f.severity]), [['conntrack-near-full', 'error'], ['conntrack-drops', 'warning']]);
  assert.match(full.findings[1]!.message, /drop 0, early_drop 12, insert_failed 3/);
});

test('kube-proxy not synced: a change queued 61 s ago after the last sync, with a 30 s period (healthTimeout 2 × 30 s); not at 60 s, nor when synced after it', () => {
  const read = (text: string) => ({ ...emptyState, metrics: parseProxyMetrics(text, 'm'), files: { 'kube-proxy-metrics.txt': 'kube-proxy-metrics.txt' } });
  // Last sync at 1000 s, a change queued at 1010 s and not synced since.
  const pending = read('kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="IPv4"} 1000\nkubeproxy_sync_proxy_rules_last_queued_timestamp_seconds{ip_family="IPv4"} 1010\n');
  // 1010 + 60 = 1070 s: not yet late; 1071 s: 61 s > 60 s.
  assert.deepEqual(nodeHealth(base({ state: pending, now: 1_070_000 })).findings, []);
  const late = nodeHealth(base({ state: pending, now: 1_071_000 }));
  assert.deepEqual(late.findings.map((f) => f.id), ['kube-proxy-not-synced']);
  assert.match(late.findings[0]!.message, /IPv4 rules has waited 61 s without a successful sync, longer than 2 × its sync period \(60 s/);
  // An idle kube-proxy: last sync an hour ago, nothing queued since. Healthy, as its /healthz says.
  const idle = read('kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="IPv6"} 1000\nkubeproxy_sync_proxy_rules_last_queued_timestamp_seconds{ip_family="IPv6"} 990\n');
  assert.deepEqual(nodeHealth(base({ state: idle, now: 4_600_000 })).findings, []);
});

test('rules in both backends: iptables-nft-save warned about legacy tables', () => {
  const text = '# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n# Generated by iptables-nft-save v1.8.9 (nf_tables) on Fri Dec  4 03:10:37 2026\n*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n';
  const h = nodeHealth(base({ iptables: parseIptablesDump(text, 'f') }));
  assert.deepEqual(h.findings.map((f) => f.id), ['iptables-both-backends']);
});

test('scale: 1000 KUBE-SERVICES rules in iptables mode is noted, 999 is not; IPVS on v1.35 is deprecated', () => {
  const dumpWith = (n: number) => parseIptablesDump(
    `*nat\n:KUBE-SERVICES - [0:0]\n${Array.from({ length: n }, (_, i) => `-A KUBE-SERVICES -d 10.96.${i >> 8}.${i & 255}/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-X\n`).join('')}COMMIT\n`, 'f');
  assert.deepEqual(nodeHealth(base({ iptables: dumpWith(999) })).findings, []);
  const big = nodeHealth(base({ iptables: dumpWith(1000) }));
  assert.deepEqual(big.findings.map((f) => [f.id, f.severity]), [['iptables-mode-at-scale', 'info']]);
  assert.match(big.findings[0]!.message, /kubernetes\.io\/blog\/2025\/02\/28\/nftables-kube-proxy/);
  const metrics = (v: string) => parseProxyMetrics(`kubernetes_build_info{git_version="${v}"} 1\n`, 'm');
  assert.deepEqual(nodeHealth(base({ mode: 'ipvs', state: { ...emptyState, metrics: metrics('v1.35.0') } })).findings.map((f) => f.id), ['ipvs-mode-deprecated']);
  assert.deepEqual(nodeHealth(base({ mode: 'ipvs', state: { ...emptyState, metrics: metrics('v1.34.2') } })).findings, []);
});
