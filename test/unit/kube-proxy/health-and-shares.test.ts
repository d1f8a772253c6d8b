import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { explainService } from '../../../src/analyzers/explain.ts';
import { runFacts } from '../../../src/analyzers/run-facts.ts';
import { nodeViews } from '../../../src/pipeline/node-views.ts';
import type { ClusterState } from '../../../src/model/cluster.ts';
import {
  DEFAULT_FEATURE_GATES,
  modelOutcomes,
  predictHealthCheck,
  readyLocalEndpoints,
} from '../../../src/analyzers/kube-proxy/index.ts';
import { node, packet, slice, state, svc } from './builders.ts';
import { NODES, shopState } from './local-lb.ts';

const gates = DEFAULT_FEATURE_GATES;
const NAMES = ['node-a', 'node-b', 'node-c'];
/** LB shares as explain-svc computes them, on nodes without dumps (model basis). */
function loadBalancerShares(st: ClusterState, service: V1Service) {
  const facts = runFacts(st);
  const r = explainService({ state: st, service, nodes: nodeViews(facts, st.nodes.map((n) => n.metadata?.name ?? ''), new Map()), facts });
  return { shares: r.loadBalancerShares, imbalanceFactor: r.imbalanceFactor };
}
const shareOf = (r: ReturnType<typeof loadBalancerShares>) =>
  r.shares.map((s) => [s.endpoint.pod, s.share]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));

describe('health check prediction and ready local endpoints', () => {
  it('Local LB with pods 2/1/0: 200/200/503 and 2/1/0 ready local endpoints', () => {
    const { st, service } = shopState('Local');
    assert.deepEqual(NAMES.map((n) => predictHealthCheck(st, service, n, gates).status), [200, 200, 503]);
    assert.deepEqual(NAMES.map((n) => readyLocalEndpoints(st, service, n, gates)), [2, 1, 0]);
    assert.match(predictHealthCheck(st, service, 'node-a', gates).reason, /\(a1, a2\)/);
    assert.equal(
      predictHealthCheck(st, service, 'node-c', gates).reason,
      'no ready endpoint of web/shop on node node-c; port 32000 answers 503 and the load balancer marks this node unhealthy',
    );
  });

  it('counts distinct IPs over all ports (a pod serving two ports is one endpoint)', () => {
    const { st, service } = shopState('Local', { extraPorts: true });
    assert.deepEqual(NAMES.map((n) => readyLocalEndpoints(st, service, n, gates)), [2, 1, 0]);
  });

  it('a node with only a terminating pod fails the health check', () => {
    const { st, service } = shopState('Local');
    st.endpointSlices.push(slice('web', 'shop', 'shop-x2', [{ name: 'http', port: 8080 }], [
      { ip: '10.244.2.10', node: 'node-c', pod: 'c1', ready: false, serving: true, terminating: true },
    ]));
    const hc = predictHealthCheck(st, service, 'node-c', gates);
    assert.equal(hc.status, 503);
    assert.equal(hc.readyLocalEndpoints, 0);
    assert.equal(readyLocalEndpoints(st, service, 'node-c', gates), 0);
    assert.match(hc.reason, /1 terminating endpoint on it does not count/);
    // The LB skips node-c although kube-proxy there would still forward to c1.
    const r = loadBalancerShares(st, service);
    assert.deepEqual(shareOf(r), [['a1', 0.25], ['a2', 0.25], ['b1', 0.5], ['c1', 0]]);
  });

  it('no health check under Cluster policy, but ready local endpoints are still counted', () => {
    const { st, service } = shopState('Cluster');
    assert.deepEqual(NAMES.map((n) => predictHealthCheck(st, service, n, gates).status), [null, null, null]);
    assert.deepEqual(NAMES.map((n) => readyLocalEndpoints(st, service, n, gates)), [2, 1, 0]);
  });
});

describe('load balancer shares', () => {
  it('Local: 1/2 of traffic to node-a split over 2 pods, 1/2 to node-b over 1 pod: 1/4, 1/4, 1/2, factor 2', () => {
    const { st, service } = shopState('Local');
    const r = loadBalancerShares(st, service);
    assert.deepEqual(shareOf(r), [['a1', 0.25], ['a2', 0.25], ['b1', 0.5]]);
    assert.equal(r.imbalanceFactor, 2); // 0.5 / 0.25
  });

  it('Cluster: every node spreads over all 3 pods: 3 x (1/3 x 1/3) = 1/3 each, factor 1', () => {
    const { st, service } = shopState('Cluster');
    const r = loadBalancerShares(st, service);
    for (const s of r.shares) assert.ok(Math.abs(s.share - 1 / 3) < 1e-12);
    assert.ok(Math.abs((r.imbalanceFactor ?? 0) - 1) < 1e-12);
  });

  it('a node labelled exclude-from-external-load-balancers is no target: Local with node-b excluded gives 1/2, 1/2, 0', () => {
    const nodes = NODES();
    nodes[1]!.metadata!.labels!['node.kubernetes.io/exclude-from-external-load-balancers'] = 'true';
    const { st, service } = shopState('Local', { nodes });
    const r = loadBalancerShares(st, service);
    assert.deepEqual(shareOf(r), [['a1', 0.5], ['a2', 0.5], ['b1', 0]]);
    assert.equal(r.imbalanceFactor, 1); // zero shares do not count
  });

  it('cordoned nodes stay targets; ToBeDeletedByClusterAutoscaler nodes do not', () => {
    const nodes = NODES();
    nodes[0]!.spec!.unschedulable = true;
    nodes[1]!.spec!.taints = [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }];
    const { st, service } = shopState('Local', { nodes });
    const r = loadBalancerShares(st, service);
    assert.deepEqual(shareOf(r), [['a1', 0.5], ['a2', 0.5], ['b1', 0]]);
  });

  it('no shares for a ClusterIP service, nor when no node passes', () => {
    const c = svc('web', 'inner', { clusterIP: '10.96.0.30', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
    const st = state({ services: [c], slices: [], nodes: NODES() });
    assert.deepEqual(loadBalancerShares(st, c), { shares: [], imbalanceFactor: null });
    const { st: st2, service } = shopState('Local', { nodes: [node('node-c', '192.168.0.13')] });
    const r = loadBalancerShares(st2, service);
    assert.deepEqual(shareOf(r), [['a1', 0], ['a2', 0], ['b1', 0]]);
    assert.equal(r.imbalanceFactor, null);
  });

  it('the model walk agrees: node-a keeps the client IP on its 2 pods, node-c drops', () => {
    const { st, service } = shopState('Local');
    const at = (n: string) => modelOutcomes({ state: st, service, entry: 'LoadBalancer', packet: packet('203.0.113.7', '198.51.100.20', 80, 'external', n), mode: 'iptables' });
    assert.deepEqual(at('node-a').map((o) => [o.verdict, o.endpoint?.pod, o.probability, o.hop, o.sourceIPPreserved]), [
      ['DNAT', 'a1', 0.5, 'local', true],
      ['DNAT', 'a2', 0.5, 'local', true],
    ]);
    assert.deepEqual(at('node-c').map((o) => o.verdict), ['DROP']);
  });
});
