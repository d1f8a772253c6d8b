// Parsers of the node-state files on real outputs of the e2e harness (test/fixtures/*-harness*.md
// give the hand counts asserted here) and on hand-made bad input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseConntrack } from '../../../src/dataplane/node-state/conntrack.ts';
import { parseConntrackCount } from '../../../src/dataplane/node-state/conntrack-count.ts';
import { parseConntrackStats } from '../../../src/dataplane/node-state/conntrack-stats.ts';
import { parseProxyHealthz } from '../../../src/dataplane/node-state/proxy-healthz.ts';
import { parseProxyMetrics } from '../../../src/dataplane/node-state/proxy-metrics.ts';
import { DumpParseError } from '../../../src/dataplane/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

test('conntrack -L -o extended: 48 entries, per endpoint 9/10/11 TCP and 3/5/4 UDP', () => {
  const entries = parseConntrack(fixture('conntrack-L-extended-harness-clusterip.txt'), 'f');
  assert.equal(entries.length, 48);
  const count = (proto: string, port: number, ip: string) =>
    entries.filter((e) => e.protocol === proto && e.original.dst === '10.96.54.29' && e.original.dport === port && e.reply.src === ip).length;
  assert.deepEqual([count('tcp', 80, '10.244.1.2'), count('tcp', 80, '10.244.2.2'), count('tcp', 80, '10.244.3.2')], [9, 10, 11]);
  assert.deepEqual([count('udp', 81, '10.244.1.2'), count('udp', 81, '10.244.2.2'), count('udp', 81, '10.244.3.2')], [3, 5, 4]);
  const first = entries[0]!;
  // Line 1: ipv4 2 tcp 6 119 TIME_WAIT src=10.244.1.3 dst=10.96.54.29 sport=35620 dport=80 src=10.244.3.2 ... [ASSURED]
  assert.deepEqual(first, {
    line: 1, family: 'ipv4', protocol: 'tcp', timeout: 119, state: 'TIME_WAIT',
    original: { src: '10.244.1.3', dst: '10.96.54.29', sport: 35620, dport: 80 },
    reply: { src: '10.244.3.2', dst: '10.244.1.3', sport: 8080, dport: 35620 },
    flags: ['ASSURED'],
  });
  const udp = entries.find((e) => e.protocol === 'udp')!;
  assert.equal(udp.state, null); // UDP has no state word
});

test('conntrack -L (plain): 62 entries, 8 UDP ones to the removed 10.244.3.2', () => {
  const entries = parseConntrack(fixture('conntrack-L-harness-stale-udp.txt'), 'f');
  assert.equal(entries.length, 62);
  assert.equal(entries.filter((e) => e.protocol === 'udp' && e.original.dport === 81 && e.reply.src === '10.244.3.2').length, 8);
  assert.equal(entries[0]!.family, null);
});

test('conntrack -L: UNREPLIED flag, icmp without ports, the stderr summary line', () => {
  const text = [
    'udp      17 29 src=10.0.0.1 dst=10.96.0.10 sport=5000 dport=53 [UNREPLIED] src=10.244.1.5 dst=10.0.0.1 sport=53 dport=5000 mark=0 use=1',
    'icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=7 src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=7 mark=0 use=1',
    'conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.',
  ].join('\n');
  const [u, i] = parseConntrack(text, 'f');
  assert.deepEqual(u!.flags, ['UNREPLIED']);
  assert.equal(u!.reply.src, '10.244.1.5');
  assert.equal(i!.original.sport, null);
});

test('conntrack -L: a bad line is an error with file and line', () => {
  assert.throws(() => parseConntrack('tcp 6 10 ESTABLISHED src=1.1.1.1 dst=2.2.2.2\nnonsense here', 'n/conntrack.txt'), (e: unknown) =>
    e instanceof DumpParseError && e.message.startsWith('n/conntrack.txt:1:'));
  assert.throws(() => parseConntrack('tcp 6 x', 'f'), /f:1: .*timeout/);
});

test('conntrack -S: 2 CPUs, counters summed', () => {
  const s = parseConntrackStats(fixture('conntrack-S-harness.txt'), 'f');
  assert.equal(s.cpus, 2);
  assert.equal(s.totals.insert_failed, 0);
  assert.equal(s.totals.early_drop, 0);
  // Hand-made: drop 3 + 4 = 7.
  const h = parseConntrackStats('cpu=0 found=1 drop=3 early_drop=0\ncpu=1 found=2 drop=4 early_drop=1\n', 'f');
  assert.deepEqual(h.totals, { found: 3, drop: 7, early_drop: 1 });
  assert.throws(() => parseConntrackStats('cpu=0 drop=x', 'g'), /g:1:/);
  assert.throws(() => parseConntrackStats('', 'g'), /g: empty/);
});

test('conntrack count/max: 48 of 262144; one line is an error', () => {
  assert.deepEqual(parseConntrackCount(fixture('conntrack-count-harness.txt'), 'f'), { count: 48, max: 262144 });
  assert.throws(() => parseConntrackCount('48\n', 'c'), /c: expected 2 lines/);
  assert.throws(() => parseConntrackCount('48\nmany\n', 'c'), /c:2:/);
});

test('kube-proxy metrics: version, last sync, mean sync duration, rule totals', () => {
  const m = parseProxyMetrics(fixture('kube-proxy-metrics-harness-v1.36.3-iptables.txt'), 'f');
  assert.equal(m.version, 'v1.36.3');
  const v4 = m.families.IPv4!;
  assert.equal(v4.lastSync, 1.796353832359209e9);
  // 1.243723662 s over 3 syncs
  assert.equal(v4.syncSeconds!.count, 3);
  assert.ok(Math.abs(v4.syncSeconds!.mean - 1.243723662 / 3) < 1e-12);
  assert.deepEqual(v4.programmingSeconds, { mean: 1.3589959, count: 1 });
  assert.deepEqual(v4.ruleTotals, { filter: 4, nat: 32 });
  assert.deepEqual(v4.noLocalEndpoints, { external: 0, internal: 0 });
  assert.deepEqual(m.pendingChanges, { services: 0, endpoints: 0 });
  assert.throws(() => parseProxyMetrics('# HELP x\nkubeproxy_x{a="1" 3\n', 'm'), /m:2:/);
});

test('kube-proxy healthz: per-family last update is the sync time', () => {
  const h = parseProxyHealthz(fixture('kube-proxy-healthz-harness-v1.36.3.json'), 'f');
  assert.equal(h.healthy, true);
  assert.equal(h.families.IPv4!.lastUpdated, Date.parse('2026-12-04T03:10:32.359Z'));
  assert.throws(() => parseProxyHealthz('{"localEndpoints": 1}', 'h'), /h: no lastUpdated/);
  assert.throws(() => parseProxyHealthz('<html>', 'h'), /h: invalid JSON/);
});
