/** Each crash the fuzzer found (issue 13), as the smallest input that showed it: now a typed error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import { explainFrom } from '../../../src/pipeline/explain-svc.ts';
import { DumpParseError } from '../../../src/dataplane/errors.ts';
import { NetpathError } from '../../../src/errors.ts';
import { parseIpsetList } from '../../../src/dataplane/ipvs/index.ts';
import { parseProxyMetrics } from '../../../src/dataplane/node-state/proxy-metrics.ts';
import { createNftWalker, parseNftJson, parseNftText } from '../../../src/dataplane/nftables/index.ts';
import type { WalkPacket } from '../../../src/dataplane/types.ts';

const packet: WalkPacket = { src: '10.1.0.5', dst: '10.0.0.1', port: 80, protocol: 'TCP', hook: 'prerouting' };
const nft = (rules: unknown[]) =>
  JSON.stringify({
    nftables: [
      { table: { family: 'ip', name: 't' } },
      { chain: { family: 'ip', table: 't', name: 'pre', type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' } },
      { chain: { family: 'ip', table: 't', name: 'x' } },
      ...rules.map((expr) => ({ rule: { family: 'ip', table: 't', chain: 'pre', expr } })),
    ],
  });
const walk = (text: string) => createNftWalker(parseNftJson(text)).walk(packet, { localAddresses: [] });

test('nft text: U+2028 inside a chain name is part of the word (the tokenizer looped until out of memory)', () => {
  assert.throws(
    () => parseNftText('add table ip t\nadd rule ip t a\u2028b counter\n', 'r.nft'),
    (e: unknown) => e instanceof DumpParseError && /r\.nft:2: .*chain "a\u2028b", which ip t does not declare/.test(e.message),
  );
});

test('nft JSON: expressions nested 20,000 deep are refused by depth, not by a stack overflow', () => {
  // Built as text: JSON.stringify itself overflows on this depth.
  const deep = `{"nftables":[{"table":{"family":"ip","name":"t"}},{"rule":{"family":"ip","table":"t","chain":"c","expr":[{"match":{"op":"==","left":${'{"&":['.repeat(20_000)}{"meta":{"key":"mark"}}${',1]}'.repeat(20_000)},"right":1}}]}}]}`;
  assert.throws(() => parseNftJson(deep), /nft\.json: nftables\[1\]: nested deeper than 64 levels/);
});

test('nft JSON: a mark shifted by 2^40 bits is 0 in a 32-bit register (BigInt threw "Maximum BigInt size")', () => {
  const out = walk(nft([[{ mangle: { key: { meta: { key: 'mark' } }, value: { '<<': [{ meta: { key: 'mark' } }, 2 ** 40] } } }, { match: { op: '==', left: { meta: { key: 'mark' } }, right: 0 } }, { drop: null }]]));
  // mark starts at 0 and 0 << anything is 0 in 32 bits: the match holds and the packet drops.
  assert.deepEqual(out.map((o) => [o.verdict, o.probability]), [['DROP', 1]]);
});

test('nft JSON: a numgen modulus of 1.5 or 1e309 is not evaluated (BigInt threw on both)', () => {
  for (const mod of ['1.5', '1e309']) {
    const text = nft([[{ vmap: { key: { numgen: { mode: 'random', mod: 0, offset: 0 } }, data: { set: [[0, { drop: null }]] } } }]]).replace('"mod":0', `"mod":${mod}`);
    const out = walk(text);
    assert.equal(out.length, 1, mod);
    assert.ok(Math.abs(out[0]!.probability - 1) < 1e-9);
    assert.ok(out[0]!.conditions.some((c) => /modulus must be an integer/.test(c)), `${mod}: ${out[0]!.conditions.join('; ')}`);
  }
});

test('nft JSON: a jump without a target is a parse error naming the rule (the walk read .rules of undefined)', () => {
  assert.throws(() => walk(nft([[{ jump: {} }]])), (e: unknown) => e instanceof DumpParseError && /nft\.json.*jump without a target chain/.test(e.message));
});

test('ipset: a member line with a CR inside is a typed error, not a TypeError', () => {
  const text = 'Name: KUBE-CLUSTER-IP\nType: hash:ip,port\nRevision: 6\nHeader: family inet hashsize 1024 maxelem 65536\nMembers:\n10.96.0.1,tcp:443 timeout\r 5\n';
  assert.throws(() => parseIpsetList(text), (e: unknown) => e instanceof DumpParseError && /ipset\.txt:6: unknown option in member of KUBE-CLUSTER-IP/.test(e.message));
});

test('kube-proxy metrics: a sample value of 1e309 is out of float64 range, not +Inf (node reported Infinity services)', () => {
  const text = '# TYPE kubeproxy_sync_proxy_rules_no_local_endpoints_total gauge\nkubeproxy_sync_proxy_rules_no_local_endpoints_total{ip_family="IPv4",traffic_policy="external"} 1e309\n';
  assert.throws(() => parseProxyMetrics(text, 'm.txt'), (e: unknown) => e instanceof DumpParseError && /m\.txt:2: not a sample value: "1e309"/.test(e.message));
});

test('kube-proxy metrics: +Inf and NaN are valid Prometheus text but no count, time or duration kube-proxy reports', () => {
  for (const v of ['+Inf', 'NaN']) {
    const text = `kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="IPv4"} 1.7e9\nkubeproxy_sync_proxy_rules_duration_seconds_sum ${v}\n`;
    assert.throws(() => parseProxyMetrics(text, 'm.txt'), (e: unknown) => e instanceof DumpParseError && /m\.txt:2: kubeproxy_sync_proxy_rules_duration_seconds_sum is (Infinity|NaN): expected a finite number/.test(e.message), v);
  }
  // A metric netpath does not read may hold them (histogram buckets and other components' gauges do).
  assert.equal(parseProxyMetrics('some_other_gauge +Inf\n', 'm.txt').version, null);
});

test('kube-proxy metrics: a last-sync time of 4.3e18 s is no date (node threw RangeError: Invalid time value)', () => {
  // 4294967295.7648e+09 s is past the 8.64e12 s (8.64e15 ms) a Date holds; 8.64e12 itself still is one.
  const at = (v: string) => `kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="IPv4"} ${v}\n`;
  assert.throws(() => parseProxyMetrics(at('4294967295.7648e+09'), 'm.txt'), (e: unknown) => e instanceof DumpParseError && /m\.txt:1: kubeproxy_sync_proxy_rules_last_timestamp_seconds is 4294967295764800000: not a time in epoch seconds/.test(e.message));
  assert.equal(parseProxyMetrics(at('8.64e12'), 'm.txt').families.IPv4!.lastSync, 8.64e12);
});

test('bundle: a node whose spec.taints is -1 is refused on read, naming nodes.json (explain threw "taints.some is not a function")', async () => {
  const work = await mkdtemp(join(tmpdir(), 'netpath-regression-'));
  try {
    const dir = join(work, 'bundle');
    await cp(new URL('../../../examples/real-local-lb', import.meta.url).pathname, dir, { recursive: true });
    const file = join(dir, 'cluster/nodes.json');
    const doc = JSON.parse(await readFile(file, 'utf8')) as { items: { spec: { taints: unknown } }[] };
    doc.items[0]!.spec.taints = -1;
    await writeFile(file, JSON.stringify(doc));
    const source = await SnapshotSource.open(dir);
    try {
      await assert.rejects(explainFrom(source, 'shop', 'web', true), (e: unknown) => e instanceof NetpathError && e.exitCode === 3 && /nodes\.json.*taints/.test(e.message));
    } finally {
      await source.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
