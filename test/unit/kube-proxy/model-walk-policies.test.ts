import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { modelOutcomes } from '../../../src/analyzers/kube-proxy/index.ts';
import { EndpointIndex } from '../../../src/analyzers/endpoint-index.ts';
import { placeOutcome } from '../../../src/analyzers/enrich-outcome.ts';
import type { Outcome } from '../../../src/model/outcome.ts';
import { node, P80, packet, slice, state, svc } from './builders.ts';
import { shopState } from './local-lb.ts';

const NODES = () => [
  node('node-a', '192.168.0.11', { podCIDR: '10.244.0.0/24', zone: 'z1' }),
  node('node-b', '192.168.0.12', { podCIDR: '10.244.1.0/24', zone: 'z2' }),
];
const CONFIG = { clusterCIDR: '10.244.0.0/16', source: 'test' };
const brief = (outs: Outcome[]) => outs.map((o) => [o.verdict, o.endpoint?.ip ?? null, o.probability]);

describe('internalTrafficPolicy=Local', () => {
  const itp = svc('ns', 'itp', { clusterIP: '10.96.0.40', internalTrafficPolicy: 'Local', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] });
  const st = state({ services: [itp], slices: [slice('ns', 'itp', 'itp-1', P80, [{ ip: '10.244.1.5', node: 'node-b' }])], nodes: NODES(), config: CONFIG });
  const walk = (from: string, mode: 'iptables' | 'nftables' | 'ipvs') =>
    modelOutcomes({ state: st, service: itp, entry: 'ClusterIP', packet: packet(from === 'node-a' ? '10.244.0.5' : '10.244.1.6', '10.96.0.40', 80, 'pod', from), mode });

  it('no local endpoint: DROP in iptables and nftables', () => {
    assert.deepEqual(brief(walk('node-a', 'iptables')), [['DROP', null, 1]]);
    assert.deepEqual(brief(walk('node-a', 'nftables')), [['DROP', null, 1]]);
    assert.match(walk('node-a', 'iptables')[0]?.steps.at(-1)?.rule ?? '', /no local endpoints on node-a/);
  });

  it('no local endpoint in IPVS (ClusterIP-only service): no real server, REJECT', () => {
    const outs = walk('node-a', 'ipvs');
    assert.deepEqual(brief(outs), [['REJECT', null, 1]]);
    assert.match(outs[0]?.steps.at(-1)?.rule ?? '', /ICMP port unreachable/);
  });

  it('on the node with the endpoint: only that local endpoint', () => {
    assert.deepEqual(brief(walk('node-b', 'iptables')), [['DNAT', '10.244.1.5', 1]]);
    assert.equal(walk('node-b', 'iptables')[0]?.hop, 'local');
  });

  it('IPVS falls back to cluster endpoints when the service is also a NodePort', () => {
    const np = svc('ns', 'itpnp', { type: 'NodePort', clusterIP: '10.96.0.41', internalTrafficPolicy: 'Local', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 30041 }] });
    const st2 = state({ services: [np], slices: [slice('ns', 'itpnp', 'itpnp-1', P80, [{ ip: '10.244.1.5', node: 'node-b' }])], nodes: NODES(), config: CONFIG });
    const w = (mode: 'iptables' | 'ipvs') => modelOutcomes({ state: st2, service: np, entry: 'ClusterIP', packet: packet('10.244.0.5', '10.96.0.41', 80, 'pod', 'node-a'), mode });
    assert.deepEqual(brief(w('ipvs')), [['DNAT', '10.244.1.5', 1]]);
    assert.deepEqual(brief(w('iptables')), [['DROP', null, 1]]);
  });
});

describe('externalTrafficPolicy=Local in IPVS', () => {
  it('no local endpoint: falls back to all cluster endpoints, source kept, remote replies lost', () => {
    const { st, service } = shopState('Local');
    const pk = packet('203.0.113.7', '192.168.0.13', 30080, 'external', 'node-c');
    // The reply path is decided where walkers' and the model's outcomes meet (placeOutcome).
    const index = new EndpointIndex(st);
    const outs = modelOutcomes({ state: st, service, entry: 'NodePort', packet: pk, mode: 'ipvs' }).map((o) => placeOutcome(o, pk, index));
    // 3 endpoints, 1/3 each (iptables would DROP here).
    assert.deepEqual(outs.map((o) => o.endpoint?.pod), ['a1', 'a2', 'b1']);
    for (const o of outs) {
      assert.equal(o.verdict, 'DNAT');
      assert.ok(Math.abs(o.probability - 1 / 3) < 1e-12);
      assert.equal(o.sourceIPPreserved, true);
      assert.equal(o.hop, 'remote');
      assert.equal(o.reply?.returns, false);
      assert.match(o.conditions[0] ?? '', /answers 203\.0\.113\.7 directly/);
    }
  });

  it('with local endpoints: only those, even for pod traffic (no short-circuit in IPVS)', () => {
    const { st, service } = shopState('Local');
    const w = (mode: 'iptables' | 'ipvs') =>
      modelOutcomes({ state: st, service, entry: 'LoadBalancer', packet: packet('10.244.1.99', '198.51.100.20', 80, 'pod', 'node-b'), mode });
    assert.deepEqual(w('ipvs').map((o) => o.endpoint?.pod), ['b1']);
    // iptables/nftables: pod traffic short-circuits to all three.
    assert.deepEqual(w('iptables').map((o) => o.endpoint?.pod), ['a1', 'a2', 'b1']);
  });

  it('a least-connection scheduler makes the split dynamic', () => {
    const { st, service } = shopState('Cluster');
    st.kubeProxyConfig = { clusterCIDR: '10.244.0.0/16', mode: 'ipvs', ipvsScheduler: 'lc', source: 'test' };
    const outs = modelOutcomes({ state: st, service, entry: 'ClusterIP', packet: packet('10.244.0.5', '10.96.0.20', 80, 'pod', 'node-a'), mode: 'ipvs' });
    assert.equal(outs.length, 3);
    assert.ok(outs.every((o) => o.dynamic && /scheduler lc/.test(o.conditions.join(' '))));
  });
});

describe('endpoint selection in the walk', () => {
  const topo = (lastHint: string[] | undefined) => {
    const s = svc('ns', 'topo', { clusterIP: '10.96.0.50', trafficDistribution: 'PreferClose', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] });
    const st = state({
      services: [s],
      nodes: NODES(),
      config: CONFIG,
      slices: [
        slice('ns', 'topo', 'topo-1', P80, [
          { ip: '10.244.0.7', node: 'node-a', zone: 'z1', zoneHints: ['z1'] },
          { ip: '10.244.0.8', node: 'node-a', zone: 'z1', zoneHints: ['z1'] },
          { ip: '10.244.1.7', node: 'node-b', zone: 'z2', ...(lastHint ? { zoneHints: lastHint } : {}) },
        ]),
      ],
    });
    return modelOutcomes({ state: st, service: s, entry: 'ClusterIP', packet: packet('10.244.0.5', '10.96.0.50', 80, 'pod', 'node-a'), mode: 'iptables' });
  };

  it('zone hints keep only the same-zone endpoints (1/2 each)', () => {
    const outs = topo(['z2']);
    assert.deepEqual(brief(outs), [['DNAT', '10.244.0.7', 0.5], ['DNAT', '10.244.0.8', 0.5]]);
    assert.ok(outs[0]?.steps.some((s) => s.rule.includes('topology hints: zone z1 (2 of 3 ready endpoints)')));
  });

  it('one ready endpoint without a hint: all three, 1/3 each', () => {
    const outs = topo(undefined);
    assert.deepEqual(outs.map((o) => o.endpoint?.ip), ['10.244.0.7', '10.244.0.8', '10.244.1.7']);
    assert.ok(outs.every((o) => Math.abs(o.probability - 1 / 3) < 1e-12));
  });

  it('no ready endpoint: the terminating ones serve, and the step says so', () => {
    const s = svc('ns', 'term', { clusterIP: '10.96.0.60', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] });
    const st = state({
      services: [s],
      nodes: NODES(),
      config: CONFIG,
      slices: [
        slice('ns', 'term', 'term-1', P80, [
          { ip: '10.244.0.9', node: 'node-a', ready: false, serving: true, terminating: true },
          { ip: '10.244.1.9', node: 'node-b', ready: false, serving: true, terminating: true },
          { ip: '10.244.1.10', node: 'node-b', ready: false, serving: false, terminating: true },
        ]),
      ],
    });
    const outs = modelOutcomes({ state: st, service: s, entry: 'ClusterIP', packet: packet('10.244.0.5', '10.96.0.60', 80, 'pod', 'node-a'), mode: 'iptables' });
    assert.deepEqual(brief(outs), [['DNAT', '10.244.0.9', 0.5], ['DNAT', '10.244.1.9', 0.5]]);
    assert.ok(outs[0]?.steps.some((x) => x.rule.includes('no ready endpoints: using 2 terminating ones')));
  });

  it('hairpin: a pod reaching itself through the service is masqueraded, the other branch is not', () => {
    const { st, service } = shopState('Cluster');
    const outs = modelOutcomes({ state: st, service, entry: 'ClusterIP', packet: packet('10.244.0.10', '10.96.0.20', 80, 'pod', 'node-a'), mode: 'iptables' });
    assert.deepEqual(outs.map((o) => [o.endpoint?.pod, o.sourceIPPreserved]), [['a1', false], ['a2', true], ['b1', true]]);
  });

  it('a Service without a ClusterIP of the packet family gets no rule', () => {
    const { st, service } = shopState('Cluster');
    const outs = modelOutcomes({ state: st, service, entry: 'NodePort', packet: packet('2001:db8::7', 'fd00::11', 30080, 'external', 'node-a'), mode: 'iptables' });
    assert.deepEqual(brief(outs), [['NO-MATCH', null, 1]]);
  });
});

describe('loadBalancerSourceRanges', () => {
  const lb = (ranges: string[]) =>
    svc('ns', 'fw', { type: 'LoadBalancer', clusterIP: '10.96.0.70', loadBalancerSourceRanges: ranges, ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 30070 }] }, [{ ip: '198.51.100.9' }]);
  const walk = (ranges: string[]) => {
    const s = lb(ranges);
    const st = state({ services: [s], nodes: NODES(), config: CONFIG, slices: [slice('ns', 'fw', 'fw-1', P80, [{ ip: '10.244.1.5', node: 'node-b' }])] });
    // A VIP-style LB IP bound on the node: the node's own packet leaves with the LB IP as source.
    return modelOutcomes({ state: st, service: s, entry: 'LoadBalancer', packet: packet('198.51.100.9', '198.51.100.9', 80, 'node', 'node-a'), mode: 'iptables' });
  };

  it('admits the LB IP itself as source when a range contains the node IP (192.168.0.11)', () => {
    assert.deepEqual(brief(walk(['192.168.0.0/24'])), [['DNAT', '10.244.1.5', 1]]);
  });

  it('drops it otherwise', () => {
    assert.deepEqual(brief(walk(['203.0.113.0/24'])), [['DROP', null, 1]]);
  });
});
