// ipvsadm-stats.txt (ipvsadm -Ln --stats --exact) and ipvsadm-conns.txt (ipvsadm -Ln) on real
// outputs: kube-router#160 (--stats, cut excerpt) and kubernetes#99162 (-Ln), see their .md notes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpvsadmConnections, parseIpvsadmStats } from '../../../src/dataplane/ipvs/parse-ipvsadm-listing.ts';
import { DumpParseError } from '../../../src/dataplane/errors.ts';
import { fixture } from './fixtures.ts';

const STATS = 'ipvs-real-kube-router-160-ipvsadm-Ln-stats.txt';
/** The excerpt without its cut last line (`  -> 10.2.1.30:80`, line 17, no counters). */
const statsWhole = () => fixture(STATS).split('\n').slice(0, 16).join('\n');

const fails = (fn: () => unknown, file: string, line: number | null, detail: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof DumpParseError && e.file === file && e.line === line && detail.test(e.detail));

test('kube-router#160 --stats: the cut last line is an error at line 17, not a real server with no counters', () => {
  fails(() => parseIpvsadmStats(fixture(STATS), 'ipvsadm-stats.txt'), 'ipvsadm-stats.txt', 17, /expected 5 counters, got 0/);
});

test('kube-router#160 --stats: Conns, packets and bytes per virtual and real server', () => {
  const t = parseIpvsadmStats(statsWhole(), 'ipvsadm-stats.txt');
  assert.deepEqual(t.services.map((vs) => [vs.key, vs.stats?.conns, vs.realServers.length]), [
    ['TCP 10.3.0.1:443', 0, 1],
    ['TCP 10.3.0.10:53', 0, 1],
    ['TCP 10.3.0.42:80', 14209, 8],
  ]);
  const web = t.services[2]!;
  assert.deepEqual(web.stats, { conns: 14209, inPkts: 111769, outPkts: 74613, inBytes: 7207174, outBytes: 8334358 });
  assert.deepEqual(web.realServers.map((r) => [r.address, r.stats?.conns]), [
    ['10.2.1.22', 2], ['10.2.1.23', 2], ['10.2.1.24', 2], ['10.2.1.25', 3], ['10.2.1.26', 3], ['10.2.1.27', 3], ['10.2.1.28', 3], ['10.2.1.29', 3],
  ]);
  // 10.2.1.25 line 12: 3 18 12 1161 1341; the default-listing columns are absent, not zero.
  const r = web.realServers[3]!;
  assert.deepEqual([r.stats, r.line, r.weight, r.activeConns], [{ conns: 3, inPkts: 18, outPkts: 12, inBytes: 1161, outBytes: 1341 }, 12, null, null]);
});

test('kubernetes#99162 ipvsadm -Ln: ActiveConn and InActConn per real server, the weight-0 one included', () => {
  const t = parseIpvsadmConnections(fixture('ipvs-real-k8s-issue-99162-weight0-graceful.txt'), 'ipvsadm-conns.txt');
  const vs = t.services[0]!;
  assert.equal(vs.key, 'TCP 192.168.1.2:30232');
  // 2 x (1, 671), 7 x (0, 672), 11.0.4.9 (weight 0) (0, 329): active 2, inactive 2*671 + 7*672 + 329 = 1342 + 4704 + 329 = 6375
  assert.equal(vs.realServers.reduce((a, r) => a + r.activeConns!, 0), 2);
  assert.equal(vs.realServers.reduce((a, r) => a + r.inactiveConns!, 0), 6375);
});

test('each file holds its own listing: the other listing, a save (-Sn) or nothing is an error with file and line', () => {
  // Line 1 of the 99162 file is the pasted command (`# ...`), line 2 its title.
  fails(() => parseIpvsadmStats(fixture('ipvs-real-k8s-issue-99162-weight0-graceful.txt'), 's'), 's', 2, /not the ipvsadm -Ln --stats --exact listing/);
  fails(() => parseIpvsadmConnections(statsWhole(), 'c'), 'c', 2, /not the ipvsadm -Ln listing/);
  fails(() => parseIpvsadmStats(fixture('ipvs-TestLoadBalancerSourceRanges-ipvsadm-Sn.txt'), 's'), 's', 1, /expected the ipvsadm -Ln --stats --exact title line first/);
  fails(() => parseIpvsadmConnections('', 'c'), 'c', null, /no ipvsadm -Ln title line/);
});

test('--exact prints counters past 100 million whole; without it ipvsadm abbreviates (hand-made lines, ipvsadm.c print_largenum formats)', () => {
  const title = 'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\n';
  // %*llu with width len + 1 for numbers past 8 digits: 123456789012 stays exact.
  const exact = parseIpvsadmStats(`${title}TCP  10.96.0.1:443                123456789012        1        1        1        1\n`, 's');
  assert.equal(exact.services[0]!.stats!.conns, 123456789012);
  // %8lluM for 1e9 <= n < 1e11: 12345678901 prints as 12345M, read back as 12345 * 1e6 (the precision it kept)
  const abbreviated = parseIpvsadmStats(`${title}TCP  10.96.0.1:443                   12345M        1        1        1        1\n`, 's');
  assert.equal(abbreviated.services[0]!.stats!.conns, 12345000000);
});
