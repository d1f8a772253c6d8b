import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { userspaceModule } from '../../../src/dataplane/userspace/index.ts';
import type { HostView, WalkPacket } from '../../../src/dataplane/types.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
const USERSPACE = 'userspace-netns-xuxinkun-iptables-save.txt';
const files = (name: string) => new Map([['iptables-save.txt', fixture(name)]]);
// The xuxinkun node: 10.0.0.5 (its KUBE-PORTALS-HOST rules DNAT to 10.0.0.5:PORT).
const host: HostView = { localAddresses: ['127.0.0.1', '10.0.0.5'] };
const pkt = (p: Partial<WalkPacket>): WalkPacket => ({ src: '10.244.1.5', dst: '10.254.132.107', port: 2222, protocol: 'TCP', hook: 'prerouting', ...p });

test('detect: the userspace portal chains, not iptables- or IPVS-mode dumps', () => {
  assert.equal(userspaceModule.detect(files(USERSPACE)), true);
  assert.equal(userspaceModule.detect(files('iptables-save-kernel-TestOverallIPTablesRules.txt')), false);
  assert.equal(userspaceModule.detect(files('ipvs-netns-minikube-iptables-save.txt')), false);
  assert.equal(userspaceModule.detect(new Map()), false);
  assert.deepEqual([userspaceModule.mode, userspaceModule.requiredFiles], ['userspace', ['iptables-save.txt']]);
});

test('pod to ClusterIP: KUBE-PORTALS-CONTAINER REDIRECTs to the proxy port, with the userspace caveats', () => {
  const w = userspaceModule.load(files(USERSPACE));
  const [o, ...rest] = w.walk(pkt({}), host);
  assert.equal(rest.length, 0);
  assert.equal(o!.verdict, 'DNAT');
  assert.equal(o!.probability, 1);
  // REDIRECT from PREROUTING: the node's own address on the receiving interface, port 36463 (line 18).
  assert.deepEqual(o!.dnat, { ip: '10.0.0.5', port: 36463 });
  assert.deepEqual(o!.steps.map((s) => [s.chain, s.line]), [['PREROUTING', 11], ['KUBE-PORTALS-CONTAINER', 18]]);
  assert.equal(o!.masquerade, true);
  const text = o!.conditions.join(' | ');
  assert.match(text, /default\/ssh-service1:/);
  assert.match(text, /terminates the connection and opens a new one/);
  assert.match(text, /round robin/);
  assert.match(text, /source IP always lost/);
  assert.match(text, /user space/);
});

test('node to ClusterIP: KUBE-PORTALS-HOST DNATs to node IP:proxy port', () => {
  const w = userspaceModule.load(files(USERSPACE));
  const [o] = w.walk(pkt({ src: '10.0.0.5', dst: '10.254.0.1', port: 443, hook: 'output' }), host);
  assert.deepEqual([o!.verdict, o!.dnat], ['DNAT', { ip: '10.0.0.5', port: 53940 }]);
  assert.deepEqual(o!.steps.map((s) => [s.chain, s.line]), [['OUTPUT', 13], ['KUBE-PORTALS-HOST', 19]]);
});

test('NodePort on a local address goes through KUBE-NODEPORT-CONTAINER; elsewhere nothing matches', () => {
  const w = userspaceModule.load(files(USERSPACE));
  const [o] = w.walk(pkt({ src: '198.51.100.9', dst: '10.0.0.5', port: 30239 }), host);
  assert.deepEqual([o!.verdict, o!.dnat], ['DNAT', { ip: '10.0.0.5', port: 36463 }]);
  assert.deepEqual(o!.steps.map((s) => [s.chain, s.line]), [['PREROUTING', 12], ['KUBE-NODEPORT-CONTAINER', 15]]);
  for (const p of [
    pkt({ dst: '10.0.0.9', port: 30239 }), // not a local address: the addrtype jump does not match
    pkt({ port: 2223 }),
    pkt({ dst: '10.254.0.1', port: 443, protocol: 'UDP' }),
  ]) {
    const [n, ...more] = w.walk(p, host);
    assert.equal(more.length, 0);
    assert.deepEqual([n!.verdict, n!.probability, n!.dnat, n!.steps], ['NO-MATCH', 1, null, []]);
  }
});

test('notices: upgrade advice, and no "unknown target REDIRECT" noise from the portal rules', () => {
  const w = userspaceModule.load(files(USERSPACE));
  w.walk(pkt({}), host);
  const messages = w.notices().map((n) => n.message);
  assert.ok(messages.some((m) => /removed in Kubernetes 1\.26.*upgrade kube-proxy to the iptables or nftables mode/.test(m)));
  assert.ok(!messages.some((m) => /REDIRECT/.test(m)), messages.join('\n'));
});
