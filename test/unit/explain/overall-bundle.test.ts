// Acceptance on the bundle built from the real kernel dump of kube-proxy's TestOverallIPTablesRules
// (examples/overall; services as described in test/fixtures/iptables-TestOverallIPTablesRules.md).
// Line numbers are those of examples/overall/nodes/test-node/iptables-save.txt, read by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainBundle, traceBundle } from './bundle-helpers.ts';
import type { Outcome } from '../../../src/model/outcome.ts';

const BUNDLE = 'examples/overall';
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;
const sum = (os: Outcome[]) => os.reduce((s, o) => s + o.probability, 0);
const last = (o: Outcome) => o.steps[o.steps.length - 1];

test('ns4/svc4 ClusterIP from a pod: two endpoints at 0.5 each, one local, one remote, source kept', async () => {
  const r = await explainBundle(BUNDLE, 'ns4', 'svc4');
  const path = r.paths.find((p) => p.entry === 'ClusterIP' && p.node === 'test-node');
  assert.ok(path);
  assert.equal(path.basis, 'dataplane');
  assert.equal(path.address, '172.30.0.44');
  const byIP = new Map(path.outcomes.map((o) => [o.endpoint?.ip, o]));
  assert.equal(path.outcomes.length, 2);
  // Rule 122 fires with p=0.5; rule 123 takes the rest: 1 - 0.5 = 0.5.
  assert.ok(close(byIP.get('10.180.0.4')?.probability ?? 0, 0.5));
  assert.ok(close(byIP.get('10.180.0.5')?.probability ?? 0, 0.5));
  assert.equal(byIP.get('10.180.0.4')?.hop, 'remote', 'no nodeName in the slice');
  assert.equal(byIP.get('10.180.0.5')?.hop, 'local', 'nodeName test-node');
  assert.equal(byIP.get('10.180.0.5')?.sourceIPPreserved, true, 'pod source 10.0.0.254 is inside 10.0.0.0/8: no KUBE-MARK-MASQ');
  const dnatStep = byIP.get('10.180.0.4')!.steps.find((s) => s.rule.includes('-j DNAT'));
  assert.equal(dnatStep?.line, 110, 'DNAT rule of KUBE-SEP-UKSFD7AGPMPPLUHC');
  assert.equal(dnatStep?.chain, 'KUBE-SEP-UKSFD7AGPMPPLUHC');
  assert.ok(close(sum(path.outcomes), 1));
  assert.deepEqual(r.findings.filter((f) => f.id === 'dataplane-stale'), [], 'rules and API agree');
});

test('ns2/svc2 (Local, no local endpoint): NodePort from outside DROPs with the KUBE-EXTERNAL-SERVICES line; health 503', async () => {
  const r = await explainBundle(BUNDLE, 'ns2', 'svc2');
  const np = r.paths.find((p) => p.entry === 'NodePort' && p.node === 'test-node');
  assert.ok(np);
  assert.equal(np.port, 3001);
  assert.equal(np.outcomes.length, 1);
  const drop = np.outcomes[0]!;
  assert.equal(drop.verdict, 'DROP');
  assert.equal(drop.probability, 1);
  assert.equal(last(drop)?.chain, 'KUBE-EXTERNAL-SERVICES');
  assert.equal(last(drop)?.line, 38);
  for (const entry of ['LoadBalancer', 'ExternalIP'] as const) {
    const p = r.paths.find((x) => x.entry === entry);
    assert.equal(p?.outcomes[0]?.verdict, 'DROP', entry);
    assert.equal(last(p!.outcomes[0]!)?.line, entry === 'LoadBalancer' ? 37 : 36);
  }
  const node = r.nodes.find((n) => n.name === 'test-node');
  assert.equal(node?.healthCheck.status, 503);
  assert.equal(node?.readyLocalEndpoints, 0);
  assert.ok(r.findings.some((f) => f.id === 'local-policy-unhealthy-nodes' && f.severity === 'error'));
  assert.deepEqual(r.findings.filter((f) => f.id === 'dataplane-stale'), []);
});

test('ns2/svc2 NodePort from a pod short-circuits to the remote endpoint', async () => {
  const t = await traceBundle(BUNDLE, '192.168.0.2:3001', '10.0.0.5');
  assert.equal(t.packet.entryNode, 'test-node');
  assert.equal(t.service?.entry, 'NodePort');
  assert.equal(t.outcomes.length, 1);
  assert.equal(t.outcomes[0]?.verdict, 'DNAT');
  assert.deepEqual(t.outcomes[0]?.endpoint, { ip: '10.180.0.2', port: 80, node: null, pod: null });
  assert.ok(t.outcomes[0]?.steps.some((s) => s.chain === 'KUBE-EXT-GNZBNJ2PO5MGZ6GT' && s.line === 80), '"pod traffic for ns2/svc2:p80" rule');
});

test('ns6/svc6 without endpoints REJECTs at the filter KUBE-SERVICES line', async () => {
  const r = await explainBundle(BUNDLE, 'ns6', 'svc6');
  const p = r.paths.find((x) => x.entry === 'ClusterIP');
  assert.equal(p?.outcomes[0]?.verdict, 'REJECT');
  assert.equal(last(p!.outcomes[0]!)?.line, 45);
  assert.ok(r.findings.some((f) => f.id === 'no-endpoints' && f.severity === 'error'));
});

test('ns5/svc5 LB IP: 203.0.113.130 is outside 203.0.113.0/25 and dropped; 203.0.113.2 reaches 10.180.0.3:80 masqueraded', async () => {
  const blocked = await traceBundle(BUNDLE, '5.6.7.8:80', 'external:203.0.113.130');
  assert.equal(blocked.outcomes.length, 1);
  assert.equal(blocked.outcomes[0]?.verdict, 'DROP');
  assert.equal(blocked.outcomes[0]?.probability, 1);
  assert.equal(last(blocked.outcomes[0]!)?.line, 44, 'KUBE-PROXY-FIREWALL rule');
  assert.ok(blocked.findings.some((f) => f.id === 'source-blocked-by-ranges'));

  const allowed = await traceBundle(BUNDLE, '5.6.7.8:80', 'external:203.0.113.2');
  assert.equal(allowed.outcomes.length, 1);
  const o = allowed.outcomes[0]!;
  assert.equal(o.verdict, 'DNAT');
  assert.deepEqual([o.endpoint?.ip, o.endpoint?.port], ['10.180.0.3', 80]);
  assert.equal(o.sourceIPPreserved, false, 'KUBE-EXT marks for masquerade (eTP Cluster)');
  assert.equal(o.dynamic, true, 'sessionAffinity ClientIP');
  assert.ok(allowed.findings.some((f) => f.id === 'session-affinity'));
});

test('no service in the example has drift between its rules and its API objects', async () => {
  for (const [ns, name] of [['ns1', 'svc1'], ['ns2', 'svc2'], ['ns3', 'svc3'], ['ns4', 'svc4'], ['ns5', 'svc5'], ['ns6', 'svc6']] as const) {
    const r = await explainBundle(BUNDLE, ns, name);
    assert.deepEqual(r.findings.filter((f) => f.id === 'dataplane-stale').map((f) => f.message), [], `${ns}/${name}`);
    for (const p of r.paths) assert.ok(close(sum(p.outcomes), 1), `${ns}/${name} ${p.entry} sums to 1`);
  }
});
