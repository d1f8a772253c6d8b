import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpvsadm } from '../../../src/dataplane/ipvs/parse-ipvsadm.ts';
import { schedulerShares } from '../../../src/dataplane/ipvs/schedulers.ts';
import type { VirtualService } from '../../../src/dataplane/ipvs/model.ts';
import { fixture, minikubeIpvsadm, section } from './fixtures.ts';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);
const shares = (vs: VirtualService) => schedulerShares(vs).shares.map((s) => s.share);

/** One TCP VS with real servers of the given weights (ipvsadm -Sn syntax). */
function vs(scheduler: string, weights: number[], extra = ''): VirtualService {
  const lines = [`-A -t 10.96.0.50:80 -s ${scheduler}${extra}`];
  weights.forEach((w, i) => lines.push(`-a -t 10.96.0.50:80 -r 10.244.0.${i + 1}:8080 -m -w ${w}`));
  return parseIpvsadm(lines.join('\n')).services[0]!;
}

test('minikube rr: three real servers of weight 1 get 1/3 each; kube-dns UDP gets 1', () => {
  const t = parseIpvsadm(minikubeIpvsadm());
  const web = schedulerShares(t.services.find((s) => s.key === 'TCP 10.100.108.207:80')!);
  assert.equal(web.basis, 'exact');
  assert.equal(web.dynamic, false);
  assert.equal(web.noDestination, 0);
  for (const s of web.shares) close(s.share, 1 / 3);
  const dns = schedulerShares(t.services.find((s) => s.key === 'UDP 10.96.0.10:53')!);
  assert.deepEqual(dns.shares.map((s) => [s.server.address, s.share]), [['10.244.0.2', 1]]);
});

test('issue 99162 rr: the weight-0 server is draining with share 0, the nine others 1/9 each', () => {
  const vs0 = parseIpvsadm(fixture('ipvs-real-k8s-issue-99162-weight0-graceful.txt')).services[0]!;
  const r = schedulerShares(vs0);
  const drained = r.shares.find((s) => s.server.address === '11.0.4.9')!;
  assert.equal(drained.share, 0);
  assert.equal(drained.draining, true);
  assert.match(drained.conditions.join(' '), /no new connections/);
  const others = r.shares.filter((s) => s !== drained);
  assert.equal(others.length, 9);
  for (const s of others) {
    close(s.share, 1 / 9);
    assert.equal(s.draining, false);
  }
  close(r.shares.reduce((a, s) => a + s.share, 0), 1);
});

test('wrr follows the weights: 1,2,3 -> 1/6, 2/6, 3/6, exact', () => {
  const r = schedulerShares(vs('wrr', [1, 2, 3]));
  assert.equal(r.basis, 'exact');
  assert.equal(r.dynamic, false);
  [1 / 6, 2 / 6, 3 / 6].forEach((x, i) => close(r.shares[i]!.share, x));
  // rr ignores weights other than 0: 1/3 each.
  shares(vs('rr', [1, 2, 3])).forEach((x) => close(x, 1 / 3));
});

test('wlc, sed and nq converge to weight/sum; lc to an equal split; all dynamic', () => {
  for (const s of ['wlc', 'sed', 'nq']) {
    const r = schedulerShares(vs(s, [1, 2, 3]));
    assert.equal(r.basis, 'converged', s);
    assert.equal(r.dynamic, true, s);
    [1 / 6, 2 / 6, 3 / 6].forEach((x, i) => close(r.shares[i]!.share, x));
  }
  const lc = schedulerShares(vs('lc', [1, 2, 3]));
  assert.equal(lc.dynamic, true);
  lc.shares.forEach((s) => close(s.share, 1 / 3));
  // Weight 0 is quiesced for every scheduler: lc with 1,0,1 -> 1/2, 0, 1/2.
  assert.deepEqual(shares(vs('lc', [1, 0, 1])), [0.5, 0, 0.5]);
});

test('live connection counts are carried with dynamic schedulers', () => {
  const t = parseIpvsadm(
    ['Prot LocalAddress:Port Scheduler Flags', 'TCP  10.96.0.50:80 lc', '  -> 10.244.0.1:8080  Masq 1 5 20', '  -> 10.244.0.2:8080  Masq 1 0 3'].join('\n'),
  );
  const r = schedulerShares(t.services[0]!);
  assert.deepEqual(r.shares.map((s) => [s.server.activeConns, s.server.inactiveConns, s.share]), [
    [5, 20, 0.5],
    [0, 3, 0.5],
  ]);
  assert.match(r.conditions.join(' '), /live connection counts/);
});

test('sh without a client address: hash-based bucket shares, pick not claimed', () => {
  // 256 buckets filled round by round: 256 = 3*85 + 1, so the first server in order has 86.
  const r = schedulerShares(vs('sh', [1, 1, 1]));
  assert.equal(r.basis, 'hash');
  assert.equal(r.dynamic, true);
  assert.deepEqual(r.shares.map((s) => s.share), [86 / 256, 85 / 256, 85 / 256]);
  assert.equal(r.noDestination, 0);
  assert.match(r.conditions.join(' '), /source \(client\) address/);
  assert.match(r.conditions.join(' '), /not computable/);
});

test('sh with a weight-0 server: its buckets give no destination unless sh-fallback', () => {
  // Weights 1,1,0: a weight-0 server still takes one bucket per round (3 buckets a round),
  // so the buckets are 86, 85, 85 and the third server's 85 are dead: 85/256 get ICMP unreachable.
  const r = schedulerShares(vs('sh', [1, 1, 0]));
  assert.deepEqual(r.shares.map((s) => s.share), [86 / 256, 85 / 256, 0]);
  close(r.noDestination, 85 / 256);
  // With sh-fallback the dead buckets re-hash onto the 171 live ones.
  const f = schedulerShares(vs('sh', [1, 1, 0], ' -b sh-fallback'));
  assert.deepEqual(f.shares.map((s) => s.share), [86 / 171, 85 / 171, 0]);
  assert.equal(f.noDestination, 0);
});

test('dh: destination hashing sends one VIP to one real server', () => {
  const r = schedulerShares(vs('dh', [1, 1]));
  assert.equal(r.basis, 'hash');
  assert.deepEqual(r.shares.map((s) => s.share), [128 / 256, 128 / 256]);
  assert.match(r.conditions.join(' '), /one real server takes all/);
});

test('mh (kube-proxy sets mh-port): weight/sum, a quiesced server keeps its slots', () => {
  const r = schedulerShares(vs('mh', [1, 1, 0], ' -b mh-port'));
  assert.equal(r.basis, 'hash');
  // last_weight 1 assumed for the quiesced server: slots 1:1:1, so 1/3 of clients find no destination.
  [1 / 3, 1 / 3, 0].forEach((x, i) => close(r.shares[i]!.share, x));
  close(r.noDestination, 1 / 3);
  assert.match(r.conditions.join(' '), /source address and port/);
});

test('persistence makes any scheduler dynamic with a returning-client condition (opsnull #251)', () => {
  const t = parseIpvsadm(section(fixture('ipvs-real-opsnull-251-ipvsadm-Ln.txt'), 2, 100));
  const r = schedulerShares(t.services.find((s) => s.key === 'TCP 10.254.0.1:443')!);
  assert.equal(r.basis, 'exact');
  assert.equal(r.dynamic, true);
  assert.deepEqual(r.shares.map((s) => s.share), [0.5, 0.5]);
  assert.match(r.conditions.join(' '), /persistent 10800: a client that connected in the last 10800 s returns to the same real server/);
});

test('no real servers, or all quiesced: every new connection finds no destination', () => {
  const empty = schedulerShares(vs('rr', []));
  assert.deepEqual([empty.shares.length, empty.noDestination], [0, 1]);
  const quiesced = schedulerShares(vs('wrr', [0, 0]));
  assert.deepEqual([quiesced.shares.map((s) => s.share), quiesced.noDestination], [[0, 0], 1]);
  assert.equal(schedulerShares(vs('sh', [])).noDestination, 1);
});

test('unknown scheduler: equal split, said so', () => {
  const r = schedulerShares(vs('lblcr', [1, 3]));
  assert.equal(r.basis, 'unknown');
  assert.deepEqual(r.shares.map((s) => s.share), [0.5, 0.5]);
  assert.match(r.conditions.join(' '), /lblcr is not modelled/);
});
