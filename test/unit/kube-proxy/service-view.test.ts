import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_FEATURE_GATES,
  loadBalancerVIPs,
  modelOutcomes,
  serviceSummary,
  serviceView,
  servicePortFlags,
} from '../../../src/analyzers/kube-proxy/index.ts';
import { node, packet, SPEC_P80, state, svc } from './builders.ts';
import { overallState } from './overall-state.ts';

const gates = DEFAULT_FEATURE_GATES;
const st = overallState();
const view = (ns: string) => {
  const s = st.services.find((x) => x.metadata?.namespace === ns);
  assert.ok(s);
  return serviceView(s, gates);
};
const flags = (ns: string) => {
  const v = view(ns);
  const p = v.ports[0];
  assert.ok(p);
  return servicePortFlags(v, p);
};

describe('service view', () => {
  it('reads ports, addresses, policies and the kube-proxy port name', () => {
    const v = view('ns2');
    assert.deepEqual(v.ports, [
      { name: 'p80', port: 80, protocol: 'TCP', targetPort: null, nodePort: 3001, portName: 'ns2/svc2:p80' },
    ]);
    assert.deepEqual(v.clusterIPs, ['172.30.0.42']);
    assert.deepEqual(v.externalIPs, ['192.168.99.22']);
    assert.deepEqual(loadBalancerVIPs(v), ['1.2.3.4']);
    assert.equal(v.externalPolicyLocal, true);
    assert.equal(v.healthCheckNodePort, 30000);
    assert.equal(v.notProxiedReason, null);
  });

  it('trims loadBalancerSourceRanges; no health check under eTP Cluster; ClientIP affinity', () => {
    const v = view('ns5');
    assert.deepEqual(v.loadBalancerSourceRanges, ['203.0.113.0/25']);
    assert.equal(v.healthCheckNodePort, null);
    assert.deepEqual(v.sessionAffinity, { type: 'ClientIP', timeoutSeconds: 10800 });
  });

  it('flags as kube-proxy computes them (serviceport.go)', () => {
    assert.deepEqual(flags('ns1'), { externallyAccessible: false, usesClusterEndpoints: true, usesLocalEndpoints: false });
    // eTP=Local and externally reachable: both lists (cluster for the short-circuit).
    assert.deepEqual(flags('ns2'), { externallyAccessible: true, usesClusterEndpoints: true, usesLocalEndpoints: true });
    // svc4 has no nodePort but an external IP.
    assert.equal(flags('ns4').externallyAccessible, true);
    const itpLocal = serviceView(
      svc('a', 'b', { clusterIP: '10.96.0.9', ports: SPEC_P80, internalTrafficPolicy: 'Local' }),
      gates,
    );
    assert.deepEqual(servicePortFlags(itpLocal, itpLocal.ports[0]!), {
      externallyAccessible: false,
      usesClusterEndpoints: false,
      usesLocalEndpoints: true,
    });
  });

  it('eTP=Local on a plain ClusterIP service without external IPs is not Local policy', () => {
    const v = serviceView(svc('a', 'b', { clusterIP: '10.96.0.9', ports: SPEC_P80, externalTrafficPolicy: 'Local' }), gates);
    assert.equal(v.externalPolicyLocal, false);
  });

  it('ipMode Proxy ingress is not programmed, unless the LoadBalancerIPMode gate is off', () => {
    const s = svc('a', 'lb', { type: 'LoadBalancer', clusterIP: '10.96.0.9', ports: SPEC_P80 }, [
      { ip: '198.51.100.1', ipMode: 'Proxy' },
      { ip: '198.51.100.2', ipMode: 'VIP' },
    ]);
    assert.deepEqual(loadBalancerVIPs(serviceView(s, gates)), ['198.51.100.2']);
    assert.deepEqual(loadBalancerVIPs(serviceView(s, { ...gates, LoadBalancerIPMode: false })), ['198.51.100.1', '198.51.100.2']);
    const outs = modelOutcomes({
      state: state({ services: [s], slices: [], nodes: [node('n1', '192.168.0.2')] }),
      service: s,
      entry: 'LoadBalancer',
      packet: packet('203.0.113.2', '198.51.100.1', 80, 'external', 'n1'),
      mode: 'iptables',
    });
    assert.deepEqual(outs.map((o) => o.verdict), ['NO-MATCH']);
    assert.match(outs[0]?.steps.at(-1)?.rule ?? '', /ipMode Proxy/);
  });

  it('headless, ExternalName and other-proxy services have no kube-proxy path', () => {
    const headless = svc('a', 'h', { clusterIP: 'None', ports: SPEC_P80 });
    const ext = svc('a', 'e', { type: 'ExternalName', externalName: 'db.example.com' });
    const other = svc('a', 'o', { clusterIP: '10.96.0.7', ports: SPEC_P80 }, [], { 'service.kubernetes.io/service-proxy-name': 'cilium' });
    const st2 = state({ services: [headless, ext, other], slices: [], nodes: [node('n1', '192.168.0.2')] });
    for (const s of [headless, ext, other]) {
      assert.notEqual(serviceView(s, gates).notProxiedReason, null);
      const outs = modelOutcomes({ state: st2, service: s, entry: 'ClusterIP', packet: packet('10.0.0.1', '10.96.0.7', 80, 'pod', 'n1'), mode: 'iptables' });
      assert.deepEqual(outs, []);
    }
    assert.equal(serviceView(headless, gates).headless, true);
    assert.equal(serviceView(ext, gates).externalName, 'db.example.com');
  });

  it('summarises a service for explain-svc', () => {
    const s = st.services.find((x) => x.metadata?.namespace === 'ns5');
    assert.ok(s);
    assert.deepEqual(serviceSummary(s, gates), {
      namespace: 'ns5',
      name: 'svc5',
      type: 'LoadBalancer',
      clusterIPs: ['172.30.0.45'],
      ports: [{ name: 'p80', port: 80, protocol: 'TCP', targetPort: null, nodePort: 3002 }],
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: null,
      healthCheckNodePort: 30000,
      externalIPs: [],
      loadBalancerIPs: ['5.6.7.8'],
      loadBalancerSourceRanges: ['203.0.113.0/25'],
      sessionAffinity: { type: 'ClientIP', timeoutSeconds: 10800 },
      trafficDistribution: null,
      externalName: null,
      headless: false,
    });
  });
});
