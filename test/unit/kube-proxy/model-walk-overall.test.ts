/**
 * The model walk against the answers of the real rules in
 * test/fixtures/iptables-TestOverallIPTablesRules.txt (same six services, as API objects).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { modelOutcomes } from '../../../src/analyzers/kube-proxy/index.ts';
import type { Outcome } from '../../../src/model/outcome.ts';
import type { EntryKind } from '../../../src/model/results.ts';
import type { Origin } from '../../../src/model/packet.ts';
import { packet } from './builders.ts';
import { overallState } from './overall-state.ts';

const st = overallState();
const service = (ns: string) => {
  const s = st.services.find((x) => x.metadata?.namespace === ns);
  assert.ok(s);
  return s;
};
const walk = (ns: string, entry: EntryKind, src: string, dst: string, port: number, origin: Origin, mode: 'iptables' | 'nftables' | 'ipvs' = 'iptables') =>
  modelOutcomes({ state: st, service: service(ns), entry, packet: packet(src, dst, port, origin), mode });
const eps = (outs: Outcome[]) => outs.map((o) => [o.verdict, o.endpoint?.ip ?? null, o.probability]);

describe('model walk = TestOverallIPTablesRules', () => {
  it('ns4/svc4 ClusterIP: two endpoints, 1/2 each, sorted by IP:port; pod traffic keeps its source', () => {
    // KUBE-SVC-4SW47YFZTEDKD3PK: "-> 10.180.0.4:80" --probability 0.5, then "-> 10.180.0.5:80" unconditional.
    const outs = walk('ns4', 'ClusterIP', '10.0.0.7', '172.30.0.44', 80, 'pod');
    assert.deepEqual(eps(outs), [
      ['DNAT', '10.180.0.4', 0.5],
      ['DNAT', '10.180.0.5', 0.5],
    ]);
    // 10.180.0.4 has no nodeName (remote), 10.180.0.5 is on test-node.
    assert.deepEqual(outs.map((o) => [o.endpoint?.node, o.hop]), [[null, 'remote'], ['test-node', 'local']]);
    // "! -s 10.0.0.0/8 -j KUBE-MARK-MASQ" does not match 10.0.0.7.
    assert.deepEqual(outs.map((o) => o.sourceIPPreserved), [true, true]);
    assert.ok(outs.every((o) => !o.dynamic && o.conditions.length === 0));
    assert.match(outs[0]?.steps.at(-1)?.rule ?? '', /EndpointSlice ns4\/svc4-1: 10\.180\.0\.4:80 ready/);
    for (const s of outs.flatMap((o) => o.steps)) {
      assert.equal(s.table, 'model');
      assert.equal(s.chain, 'kube-proxy');
      assert.equal(s.line, null);
      assert.equal(s.node, 'test-node');
    }
  });

  it('ns4/svc4 ClusterIP from outside the pod CIDR is masqueraded', () => {
    const outs = walk('ns4', 'ClusterIP', '203.0.113.9', '172.30.0.44', 80, 'external');
    assert.deepEqual(outs.map((o) => o.sourceIPPreserved), [false, false]);
  });

  it('ns4/svc4 external IP (eTP Cluster): KUBE-EXT marks for masquerade, then 1/2 each', () => {
    const outs = walk('ns4', 'ExternalIP', '203.0.113.9', '192.168.99.33', 80, 'external');
    assert.deepEqual(eps(outs), [['DNAT', '10.180.0.4', 0.5], ['DNAT', '10.180.0.5', 0.5]]);
    assert.deepEqual(outs.map((o) => o.sourceIPPreserved), [false, false]);
  });

  it('ns2/svc2 NodePort 3001 from outside: DROP (eTP Local, no local endpoint)', () => {
    // filter KUBE-EXTERNAL-SERVICES "ns2/svc2:p80 has no local endpoints" --dst-type LOCAL --dport 3001 -j DROP
    const outs = walk('ns2', 'NodePort', '203.0.113.2', '192.168.0.2', 3001, 'external');
    assert.deepEqual(eps(outs), [['DROP', null, 1]]);
    assert.match(outs[0]?.steps.at(-1)?.rule ?? '', /has no local endpoints/);
  });

  it('ns2/svc2 NodePort 3001 from a pod: short-circuit to 10.180.0.2:80, source kept', () => {
    // KUBE-EXT-GNZBNJ2PO5MGZ6GT "pod traffic ..." -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT -> 10.180.0.2:80
    const outs = walk('ns2', 'NodePort', '10.0.0.7', '192.168.0.2', 3001, 'pod');
    assert.deepEqual(eps(outs), [['DNAT', '10.180.0.2', 1]]);
    assert.equal(outs[0]?.endpoint?.port, 80);
    assert.equal(outs[0]?.hop, 'remote');
    assert.equal(outs[0]?.sourceIPPreserved, true);
  });

  it('ns2/svc2 NodePort from the node itself: short-circuit, masqueraded', () => {
    // "masquerade LOCAL traffic" --src-type LOCAL -j KUBE-MARK-MASQ; "route LOCAL traffic" -j KUBE-SVC-...
    const outs = walk('ns2', 'NodePort', '192.168.0.2', '192.168.0.2', 3001, 'node');
    assert.deepEqual(eps(outs), [['DNAT', '10.180.0.2', 1]]);
    assert.equal(outs[0]?.sourceIPPreserved, false);
  });

  it('ns2/svc2 LB IP and external IP from outside: DROP; ClusterIP still works', () => {
    assert.deepEqual(eps(walk('ns2', 'LoadBalancer', '203.0.113.2', '1.2.3.4', 80, 'external')), [['DROP', null, 1]]);
    assert.deepEqual(eps(walk('ns2', 'ExternalIP', '203.0.113.2', '192.168.99.22', 80, 'external')), [['DROP', null, 1]]);
    assert.deepEqual(eps(walk('ns2', 'ClusterIP', '10.0.0.7', '172.30.0.42', 80, 'pod')), [['DNAT', '10.180.0.2', 1]]);
  });

  it('ns6/svc6 without endpoints: REJECT', () => {
    // filter KUBE-SERVICES "ns6/svc6:p80 has no endpoints" -d 172.30.0.46 --dport 80 -j REJECT
    const outs = walk('ns6', 'ClusterIP', '10.0.0.7', '172.30.0.46', 80, 'pod');
    assert.deepEqual(eps(outs), [['REJECT', null, 1]]);
    assert.equal(outs[0]?.sourceIPPreserved, null);
    assert.equal(outs[0]?.hop, null);
  });

  it('ns5/svc5 LB 5.6.7.8 from 203.0.113.130: DROP (outside 203.0.113.0/25)', () => {
    // KUBE-FW-NUKIZ6OKUXPJNT4C admits -s 203.0.113.0/25 (.0-.127); the rest hits KUBE-PROXY-FIREWALL DROP.
    const outs = walk('ns5', 'LoadBalancer', '203.0.113.130', '5.6.7.8', 80, 'external');
    assert.deepEqual(eps(outs), [['DROP', null, 1]]);
    assert.match(outs[0]?.steps.at(-1)?.rule ?? '', /203\.0\.113\.0\/25/);
  });

  it('ns5/svc5 LB 5.6.7.8 from 203.0.113.2: DNAT 10.180.0.3:80, masqueraded, affinity makes it dynamic', () => {
    const outs = walk('ns5', 'LoadBalancer', '203.0.113.2', '5.6.7.8', 80, 'external');
    assert.deepEqual(eps(outs), [['DNAT', '10.180.0.3', 1]]);
    assert.equal(outs[0]?.sourceIPPreserved, false);
    assert.equal(outs[0]?.dynamic, true);
    assert.match(outs[0]?.conditions[0] ?? '', /new client.*10800s/);
  });

  it('ns5/svc5 NodePort 3002 ignores loadBalancerSourceRanges', () => {
    const outs = walk('ns5', 'NodePort', '203.0.113.130', '192.168.0.2', 3002, 'external');
    assert.deepEqual(eps(outs), [['DNAT', '10.180.0.3', 1]]);
  });

  it('ns1/svc1 ClusterIP and ns3/svc3 NodePort 3003', () => {
    assert.deepEqual(eps(walk('ns1', 'ClusterIP', '10.0.0.7', '172.30.0.41', 80, 'pod')), [['DNAT', '10.180.0.1', 1]]);
    const np = walk('ns3', 'NodePort', '203.0.113.2', '192.168.0.2', 3003, 'external');
    assert.deepEqual(eps(np), [['DNAT', '10.180.0.3', 1]]);
    assert.equal(np[0]?.sourceIPPreserved, false);
  });

  it('NodePort on 127.0.0.1: iptables captures it (localhostNodePorts), nftables does not', () => {
    // KUBE-NODEPORTS -d 127.0.0.0/8 --dport 3003 ... -j KUBE-EXT-X27LE4BHSL4DOUIK
    assert.deepEqual(eps(walk('ns3', 'NodePort', '127.0.0.1', '127.0.0.1', 3003, 'node')), [['DNAT', '10.180.0.3', 1]]);
    assert.deepEqual(eps(walk('ns3', 'NodePort', '127.0.0.1', '127.0.0.1', 3003, 'node', 'nftables')), [['NO-MATCH', null, 1]]);
  });

  it('a wrong port on a ClusterIP: no rule in iptables, REJECT in nftables and IPVS', () => {
    assert.deepEqual(eps(walk('ns1', 'ClusterIP', '10.0.0.7', '172.30.0.41', 8080, 'pod')), [['NO-MATCH', null, 1]]);
    assert.deepEqual(eps(walk('ns1', 'ClusterIP', '10.0.0.7', '172.30.0.41', 8080, 'pod', 'nftables')), [['REJECT', null, 1]]);
    assert.deepEqual(eps(walk('ns1', 'ClusterIP', '10.0.0.7', '172.30.0.41', 8080, 'pod', 'ipvs')), [['REJECT', null, 1]]);
  });

  it('IPVS: no endpoint anywhere is a virtual server without real servers: REJECT (ICMP)', () => {
    const outs = walk('ns6', 'ClusterIP', '10.0.0.7', '172.30.0.46', 80, 'pod', 'ipvs');
    assert.deepEqual(eps(outs), [['REJECT', null, 1]]);
    assert.match(outs[0]?.steps.at(-1)?.rule ?? '', /ICMP port unreachable/);
  });
});
