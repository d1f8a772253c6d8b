// trace of packets to the nodes themselves on examples/real-local-lb (real kube-proxy v1.36.3,
// iptables mode, localhostNodePorts unset = true): shop/web is a Local LoadBalancer with NodePort
// 31106 and healthCheckNodePort 30549; ready pods web-a1, web-a2 on node-a (10.240.0.11), web-b1 on
// node-b (10.240.0.12), none on node-c (10.240.0.13); health observed 200/200/503. Line numbers read
// from nodes/node-*/iptables-save.txt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceBundle } from './bundle-helpers.ts';

const BUNDLE = 'examples/real-local-lb';

test('a node IP on the health-check node port from outside: entry is that node, ACCEPT by KUBE-NODEPORTS, 503 on node-c', async () => {
  const t = await traceBundle(BUNDLE, '10.240.0.13:30549', 'external');
  assert.equal(t.packet.entryNode, 'node-c');
  assert.equal(t.basis, 'dataplane');
  assert.equal(t.outcomes.length, 1);
  const [o] = t.outcomes;
  assert.equal(o!.verdict, 'ACCEPT');
  assert.deepEqual([o!.endpoint, o!.hop, o!.sourceIPPreserved], [null, null, null]);
  // node-c line 40: -A KUBE-NODEPORTS -p tcp -m comment --comment "shop/web:http health check node port" -m tcp --dport 30549 -j ACCEPT
  assert.deepEqual([o!.steps.at(-1)!.table, o!.steps.at(-1)!.chain, o!.steps.at(-1)!.line, o!.steps.at(-1)!.node], ['filter', 'KUBE-NODEPORTS', 40, 'node-c']);
  // node-c has no ready endpoint of shop/web: kube-proxy's health server answers 503 (observed 503).
  assert.ok(o!.conditions.some((c) => /health server for shop\/web on node-c, which answers 503/.test(c)), o!.conditions.join('; '));
});

test('the health-check node port from the node itself and from another node: ACCEPT, 200 where pods run', async () => {
  const own = await traceBundle(BUNDLE, '10.240.0.11:30549', 'node/node-a');
  assert.deepEqual(own.outcomes.map((o) => o.verdict), ['ACCEPT']);
  // The node's own packet loops back: nat OUTPUT, filter OUTPUT, nat POSTROUTING, then filter INPUT.
  const chains = own.outcomes[0]!.steps.map((s) => `${s.table}/${s.chain}`);
  assert.deepEqual(chains.filter((c) => /^(nat\/OUTPUT|filter\/OUTPUT|nat\/POSTROUTING|filter\/INPUT)$/.test(c)).filter((c, i, a) => a.indexOf(c) === i), [
    'nat/OUTPUT',
    'filter/OUTPUT',
    'nat/POSTROUTING',
    'filter/INPUT',
  ]);
  assert.ok(own.outcomes[0]!.conditions.some((c) => /on node-a, which answers 200/.test(c)));
  const other = await traceBundle(BUNDLE, '10.240.0.12:30549', 'node/node-a');
  assert.equal(other.packet.entryNode, 'node-b');
  assert.deepEqual(other.outcomes.map((o) => o.verdict), ['ACCEPT']);
  assert.ok(other.outcomes[0]!.conditions.some((c) => /on node-b, which answers 200/.test(c)));
});

test('127.0.0.1:NodePort from the node: source 127.0.0.1, the -d 127.0.0.0/8 rule, every endpoint 1/3, masqueraded', async () => {
  const t = await traceBundle(BUNDLE, '127.0.0.1:31106', 'node/node-a');
  // The kernel picks 127.0.0.1 as the source of a connection to 127.0.0.1.
  assert.deepEqual([t.packet.src, t.packet.dst, t.packet.entryNode], ['127.0.0.1', '127.0.0.1', 'node-a']);
  assert.deepEqual(t.service, { namespace: 'shop', name: 'web', entry: 'NodePort' });
  // KUBE-EXT: "masquerade LOCAL traffic" (127.0.0.1 is addrtype LOCAL) then "route LOCAL traffic" to
  // KUBE-SVC: 3 endpoints, 1/3 each; the source must not leave as 127.0.0.1, so all masqueraded.
  assert.deepEqual(
    t.outcomes.map((o) => [o.verdict, o.endpoint?.pod, Math.round(o.probability * 3), o.sourceIPPreserved]),
    [['DNAT', 'web-a1', 1, false], ['DNAT', 'web-a2', 1, false], ['DNAT', 'web-b1', 1, false]],
  );
  for (const o of t.outcomes) {
    // node-a line 68: -A KUBE-NODEPORTS -d 127.0.0.0/8 ... --dport 31106 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-...
    // line 64: "masquerade LOCAL traffic for shop/web:http external destinations" -j KUBE-MARK-MASQ
    const lines = o.steps.filter((s) => s.table === 'nat').map((s) => s.line);
    assert.ok(lines.includes(68) && lines.includes(64), `lines ${lines.join(',')}`);
  }
  const same = await traceBundle(BUNDLE, '127.0.0.1:31106', '127.0.0.1', { node: 'node-a' });
  assert.deepEqual(same.outcomes.map((o) => [o.endpoint?.pod, o.sourceIPPreserved]), t.outcomes.map((o) => [o.endpoint?.pod, o.sourceIPPreserved]));
});

test('loopback questions that cannot be asked: no node for --from 127.0.0.1, or a loopback target from outside', async () => {
  await assert.rejects(traceBundle(BUNDLE, '127.0.0.1:31106', '127.0.0.1'), /--node is needed: --from 127\.0\.0\.1 is a node's loopback address/);
  await assert.rejects(traceBundle(BUNDLE, '127.0.0.1:31106', 'external'), /127\.0\.0\.1 is the loopback address of whichever host sends to it/);
});
