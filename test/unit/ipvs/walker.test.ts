import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipvsModule } from '../../../src/dataplane/ipvs/index.ts';
import type { HostView, WalkOutcome, WalkPacket, Walker } from '../../../src/dataplane/types.ts';
import { fixture, minikubeIpset, minikubeIpvsadm, section } from './fixtures.ts';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);
const sum = (os: WalkOutcome[]) => os.reduce((a, o) => a + o.probability, 0);
const where = (o: WalkOutcome) => o.steps.map((s) => `${s.file}:${s.line} ${s.chain}`);
const pkt = (p: Partial<WalkPacket>): WalkPacket => ({ src: '10.244.0.9', dst: '10.100.108.207', port: 80, protocol: 'TCP', hook: 'prerouting', ...p });

/** minikube: the real ipvsadm and ipset captures with the matching kube-proxy rules (netns dump). */
function minikube(): Walker {
  return ipvsModule.load(
    new Map([
      ['ipvsadm.txt', minikubeIpvsadm()],
      ['ipset.txt', minikubeIpset()],
      ['iptables-save.txt', fixture('ipvs-netns-minikube-iptables-save.txt')],
    ]),
  );
}
// Node address of the minikube node (apiserver 192.168.49.2); the VIPs come from KUBE-IPVS-IPS.
const MINIKUBE_HOST: HostView = { localAddresses: ['127.0.0.1', '192.168.49.2'] };

test('module: files and detection', () => {
  assert.equal(ipvsModule.mode, 'ipvs');
  assert.deepEqual(ipvsModule.requiredFiles, ['ipvsadm.txt']);
  assert.deepEqual(ipvsModule.optionalFiles, ['ipset.txt', 'iptables-save.txt']);
  assert.equal(ipvsModule.detect(new Map([['ipvsadm.txt', minikubeIpvsadm()]])), true);
  assert.equal(ipvsModule.detect(new Map([['ipvsadm.txt', '\n  \n']])), false);
  assert.equal(ipvsModule.detect(new Map([['iptables-save.txt', fixture('ipvs-netns-minikube-iptables-save.txt')]])), false);
});

test('minikube, pod to ClusterIP:80: rr over three real servers, 1/3 each, no SNAT from the pod CIDR', () => {
  const os = minikube().walk(pkt({}), MINIKUBE_HOST);
  assert.deepEqual(
    os.map((o) => [o.verdict, o.dnat, o.masquerade, o.dynamic]),
    [
      ['DNAT', { ip: '10.244.0.24', port: 8000 }, false, false],
      ['DNAT', { ip: '10.244.0.25', port: 8000 }, false, false],
      ['DNAT', { ip: '10.244.0.26', port: 8000 }, false, false],
    ],
  );
  for (const o of os) close(o.probability, 1 / 3);
  // Evidence: the KUBE-SERVICES ACCEPT (iptables line 53), the VS (ipvsadm line 11) and its RS line.
  const steps = where(os[1]!);
  assert.ok(steps.includes('iptables-save.txt:53 KUBE-SERVICES'), steps.join('\n'));
  assert.ok(steps.includes('ipvsadm.txt:11 TCP 10.100.108.207:80'));
  assert.ok(steps.includes('ipvsadm.txt:13 TCP 10.100.108.207:80'));
  assert.ok(!steps.some((s) => s.includes('KUBE-MARK-MASQ')), 'source 10.244.0.9 is inside ! -s 10.244.0.0/16');
  const ipvsStep = os[1]!.steps.find((s) => s.table === 'ipvs' && s.line === 13)!;
  assert.equal(ipvsStep.rule, '-> 10.244.0.25:8000             Masq    1      0          0');
});

test('minikube hairpin: the pod reaching itself is masqueraded by KUBE-LOOP-BACK, the others are not', () => {
  const os = minikube().walk(pkt({ src: '10.244.0.25' }), MINIKUBE_HOST);
  assert.deepEqual(os.map((o) => [o.dnat?.ip, o.masquerade]), [
    ['10.244.0.24', false],
    ['10.244.0.25', true],
    ['10.244.0.26', false],
  ]);
  assert.ok(where(os[1]!).includes('iptables-save.txt:46 KUBE-POSTROUTING'));
});

test('minikube, outside client to ClusterIP: marked by KUBE-MARK-MASQ, masqueraded in KUBE-POSTROUTING', () => {
  const os = minikube().walk(pkt({ src: '192.168.49.1' }), MINIKUBE_HOST);
  assert.equal(os.length, 3);
  for (const o of os) {
    assert.equal(o.masquerade, true);
    const steps = where(o);
    assert.ok(steps.includes('iptables-save.txt:51 KUBE-SERVICES'), 'the ! -s 10.244.0.0/16 rule');
    assert.ok(steps.includes('iptables-save.txt:45 KUBE-MARK-MASQ'));
    assert.ok(steps.includes('iptables-save.txt:49 KUBE-POSTROUTING'), 'the MASQUERADE rule');
  }
  close(sum(os), 1);
});

test('minikube: a VIP on a port that is no service is rejected by KUBE-IPVS-FILTER (the ping/port-unreachable of the capture)', () => {
  const os = minikube().walk(pkt({ src: '192.168.49.1', port: 22 }), MINIKUBE_HOST);
  assert.equal(os.length, 1);
  assert.deepEqual([os[0]!.verdict, os[0]!.probability, os[0]!.dnat], ['REJECT', 1, null]);
  assert.deepEqual(where(os[0]!).at(-1), 'iptables-save.txt:25 KUBE-IPVS-FILTER');
});

test('minikube: kube-dns over UDP goes to its one real server; a node-originated query is masqueraded', () => {
  const fromPod = minikube().walk(pkt({ dst: '10.96.0.10', port: 53, protocol: 'UDP' }), MINIKUBE_HOST);
  assert.deepEqual(fromPod.map((o) => [o.verdict, o.probability, o.dnat]), [['DNAT', 1, { ip: '10.244.0.2', port: 53 }]]);
  assert.ok(where(fromPod[0]!).includes('ipvsadm.txt:16 UDP 10.96.0.10:53'));
  // From the node (nat OUTPUT, then IPVS, then filter OUTPUT): 192.168.49.2 is outside the pod CIDR.
  const fromNode = minikube().walk(pkt({ src: '192.168.49.2', dst: '10.96.0.10', port: 53, protocol: 'UDP', hook: 'output' }), MINIKUBE_HOST);
  assert.deepEqual(fromNode.map((o) => [o.verdict, o.dnat, o.masquerade]), [['DNAT', { ip: '10.244.0.2', port: 53 }, true]]);
  const steps = where(fromNode[0]!);
  assert.ok(steps.indexOf('ipvsadm.txt:15 UDP 10.96.0.10:53') < steps.indexOf('iptables-save.txt:17 OUTPUT'), 'IPVS before filter OUTPUT');
});

test('minikube: node address without a VS is delivered locally; a non-local destination bypasses IPVS', () => {
  const node = minikube().walk(pkt({ src: '192.168.49.1', dst: '192.168.49.2', port: 22 }), MINIKUBE_HOST);
  assert.deepEqual(node.map((o) => [o.verdict, o.probability, o.dnat]), [['NO-MATCH', 1, null]]);
  const fwd = minikube().walk(pkt({ dst: '10.244.0.30', port: 8000 }), MINIKUBE_HOST);
  assert.deepEqual(fwd.map((o) => [o.verdict, o.probability]), [['NO-MATCH', 1]]);
  assert.match(fwd[0]!.conditions.join(' '), /not a local address.*without IPVS/);
});

/** kube-proxy's TestLoadBalancerSourceRanges state: LB 1.2.3.4:80 allows 10.0.0.0/8 only. */
function lbSourceRanges(): Walker {
  return ipvsModule.load(
    new Map([
      ['ipvsadm.txt', fixture('ipvs-TestLoadBalancerSourceRanges-ipvsadm-Sn.txt')],
      ['ipset.txt', fixture('ipvs-netns-TestLoadBalancerSourceRanges-ipset-list.txt')],
      ['iptables-save.txt', fixture('ipvs-netns-TestLoadBalancerSourceRanges-iptables-save.txt')],
    ]),
  );
}
const LB_HOST: HostView = { localAddresses: ['127.0.0.1', '192.168.1.10'] };

test('LB source ranges: inside 10.0.0.0/8 reaches the endpoint (masqueraded), outside is dropped', () => {
  const allowed = lbSourceRanges().walk(pkt({ src: '10.1.2.3', dst: '1.2.3.4' }), LB_HOST);
  assert.deepEqual(allowed.map((o) => [o.verdict, o.probability, o.dnat, o.masquerade]), [['DNAT', 1, { ip: '10.180.0.1', port: 80 }, true]]);
  const steps = where(allowed[0]!);
  assert.ok(steps.includes('iptables-save.txt:28 KUBE-SOURCE-RANGES-FIREWALL'), 'RETURN on the source CIDR set');
  assert.ok(steps.includes('iptables-save.txt:46 KUBE-LOAD-BALANCER'), 'LB traffic is marked for masquerade');
  assert.ok(steps.includes('ipvsadm.txt:1 TCP 1.2.3.4:80'));
  assert.ok(steps.includes('ipvsadm.txt:2 TCP 1.2.3.4:80'));

  const denied = lbSourceRanges().walk(pkt({ src: '203.0.113.9', dst: '1.2.3.4' }), LB_HOST);
  assert.deepEqual(denied.map((o) => [o.verdict, o.probability, o.dnat]), [['DROP', 1, null]]);
  assert.equal(where(denied[0]!).at(-1), 'iptables-save.txt:29 KUBE-SOURCE-RANGES-FIREWALL');

  // The ClusterIP of the same service has no source-range firewall.
  const cip = lbSourceRanges().walk(pkt({ src: '203.0.113.9', dst: '10.20.30.41' }), LB_HOST);
  assert.deepEqual(cip.map((o) => [o.verdict, o.dnat, o.masquerade]), [['DNAT', { ip: '10.180.0.1', port: 80 }, true]]);
});

test('a virtual service without real servers: REJECT (ICMP port unreachable from ip_vs_leave)', () => {
  const w = ipvsModule.load(new Map([['ipvsadm.txt', '-A -t 10.96.0.50:80 -s rr\n']]));
  const os = w.walk(pkt({ dst: '10.96.0.50' }), { localAddresses: ['10.96.0.50'] });
  assert.deepEqual(os.map((o) => [o.verdict, o.probability, o.dnat]), [['REJECT', 1, null]]);
  assert.deepEqual(os[0]!.steps.map((s) => [s.file, s.line, s.rule]), [['ipvsadm.txt', 1, '-A -t 10.96.0.50:80 -s rr']]);
  const text = os[0]!.conditions.join(' | ');
  assert.match(text, /no real servers: IPVS drops the packet and answers ICMP port unreachable \(ip_vs_leave\)/);
  assert.match(text, /iptables-save.txt not in the bundle/);
});

test('issue 99162 NodePort: the weight-0 real server is listed as draining with probability 0', () => {
  const w = ipvsModule.load(new Map([['ipvsadm.txt', fixture('ipvs-real-k8s-issue-99162-weight0-graceful.txt')]]));
  const os = w.walk(pkt({ src: '192.168.1.100', dst: '192.168.1.2', port: 30232 }), { localAddresses: ['192.168.1.2'] });
  assert.equal(os.length, 10);
  const drained = os.find((o) => o.dnat?.ip === '11.0.4.9')!;
  assert.equal(drained.probability, 0);
  assert.match(drained.conditions.join(' '), /draining \(weight 0\)/);
  for (const o of os.filter((x) => x !== drained)) close(o.probability, 1 / 9);
  close(sum(os), 1);
});

test('opsnull #251: persistence makes the outcomes dynamic with a returning-client condition', () => {
  const w = ipvsModule.load(new Map([['ipvsadm.txt', section(fixture('ipvs-real-opsnull-251-ipvsadm-Ln.txt'), 2, 100)]]));
  const os = w.walk(pkt({ dst: '10.254.0.1', port: 443 }), { localAddresses: ['10.254.0.1'] });
  assert.deepEqual(os.map((o) => [o.dnat?.ip, o.probability, o.dynamic]), [
    ['172.16.16.81', 0.5, true],
    ['172.16.16.82', 0.5, true],
  ]);
  assert.match(os[0]!.conditions.join(' '), /persistent 10800/);
  // Each node address has its own NodePort VS: 10.253.102.1:32767 is one.
  const np = w.walk(pkt({ src: '172.16.16.1', dst: '10.253.102.1', port: 32767 }), { localAddresses: ['10.253.102.1'] });
  assert.deepEqual(np.map((o) => [o.verdict, o.dnat]), [['DNAT', { ip: '10.253.35.2', port: 8443 }]]);
  assert.ok(where(np[0]!).includes('ipvsadm.txt:12 TCP 10.253.102.1:32767'));
});

test('sh with a known client address: shares stay hash fractions and the pick is said to be unknown', () => {
  const text = ['-A -t 10.96.0.60:80 -s sh', '-a -t 10.96.0.60:80 -r 10.244.0.1:80 -m -w 1', '-a -t 10.96.0.60:80 -r 10.244.0.2:80 -m -w 1'].join('\n');
  const os = ipvsModule.load(new Map([['ipvsadm.txt', text]])).walk(pkt({ dst: '10.96.0.60' }), { localAddresses: ['10.96.0.60'] });
  // 256 buckets, two servers of weight 1: 128 each.
  assert.deepEqual(os.map((o) => [o.probability, o.dynamic]), [
    [0.5, true],
    [0.5, true],
  ]);
  assert.match(os[0]!.conditions.join(' '), /not computable from the dump/);
});
