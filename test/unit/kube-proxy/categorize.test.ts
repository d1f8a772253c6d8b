import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { categorizeEndpoints, DEFAULT_FEATURE_GATES } from '../../../src/analyzers/kube-proxy/index.ts';
import type { ServiceEndpoint, ServicePortFlags } from '../../../src/analyzers/kube-proxy/index.ts';

const CLUSTER: ServicePortFlags = { externallyAccessible: false, usesClusterEndpoints: true, usesLocalEndpoints: false };
const ITP_LOCAL: ServicePortFlags = { externallyAccessible: false, usesClusterEndpoints: false, usesLocalEndpoints: true };
const ETP_LOCAL: ServicePortFlags = { externallyAccessible: true, usesClusterEndpoints: true, usesLocalEndpoints: true };
const ZONE_A = { 'topology.kubernetes.io/zone': 'a' };
const gates = DEFAULT_FEATURE_GATES;

function ep(ip: string, o: Partial<ServiceEndpoint> = {}): ServiceEndpoint {
  return {
    ip,
    port: 80,
    key: `${ip}:80`,
    nodeName: null,
    zone: null,
    ready: true,
    serving: true,
    terminating: false,
    zoneHints: [],
    nodeHints: [],
    pod: null,
    slice: { namespace: 'ns', name: 'svc-1' },
    ...o,
  };
}
const ips = (eps: ServiceEndpoint[]) => eps.map((e) => e.ip);
const terminating = { ready: false, serving: true, terminating: true };

describe('categorizeEndpoints', () => {
  it('falls back to serving-terminating endpoints when none is ready', () => {
    const eps = [
      ep('10.0.0.1', terminating),
      ep('10.0.0.2', terminating),
      ep('10.0.0.3', { ready: false, serving: false, terminating: true }),
      ep('10.0.0.4', { ready: false }),
    ];
    const c = categorizeEndpoints(eps, CLUSTER, 'n1', {}, gates);
    assert.deepEqual(ips(c.clusterEndpoints), ['10.0.0.1', '10.0.0.2']);
    assert.equal(c.hasAnyEndpoints, true);
    assert.equal(c.clusterReason, 'no ready endpoints: using 2 terminating ones');
  });

  it('has no endpoints when nothing is ready or serving-terminating', () => {
    const c = categorizeEndpoints([ep('10.0.0.3', { ready: false, serving: false, terminating: true })], CLUSTER, 'n1', {}, gates);
    assert.deepEqual(c.clusterEndpoints, []);
    assert.equal(c.hasAnyEndpoints, false);
  });

  it('topology hints: zone a keeps only the endpoints hinted for zone a', () => {
    const eps = [ep('10.0.0.1', { zoneHints: ['a'] }), ep('10.0.0.2', { zoneHints: ['a'] }), ep('10.0.0.3', { zoneHints: ['b'] })];
    const c = categorizeEndpoints(eps, CLUSTER, 'n1', ZONE_A, gates);
    assert.equal(c.topologyMode, 'PreferSameZone');
    assert.deepEqual(ips(c.clusterEndpoints), ['10.0.0.1', '10.0.0.2']);
    assert.equal(c.clusterReason, 'topology hints: zone a (2 of 3 ready endpoints)');
  });

  it('topology hints are ignored when one ready endpoint lacks a hint (but a non-ready one may)', () => {
    const hinted = [ep('10.0.0.1', { zoneHints: ['a'] }), ep('10.0.0.2', { zoneHints: ['b'] })];
    const withUnhintedReady = categorizeEndpoints([...hinted, ep('10.0.0.3')], CLUSTER, 'n1', ZONE_A, gates);
    assert.equal(withUnhintedReady.topologyMode, '');
    assert.deepEqual(ips(withUnhintedReady.clusterEndpoints), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    assert.equal(withUnhintedReady.clusterReason, '3 ready endpoints (zone hints ignored: 1 ready endpoint without one)');
    const withUnhintedNotReady = categorizeEndpoints([...hinted, ep('10.0.0.3', { ready: false })], CLUSTER, 'n1', ZONE_A, gates);
    assert.deepEqual(ips(withUnhintedNotReady.clusterEndpoints), ['10.0.0.1']);
  });

  it('topology hints are ignored when none names the node zone or the node has no zone label', () => {
    const eps = [ep('10.0.0.1', { zoneHints: ['b'] }), ep('10.0.0.2', { zoneHints: ['c'] })];
    assert.deepEqual(ips(categorizeEndpoints(eps, CLUSTER, 'n1', ZONE_A, gates).clusterEndpoints), ['10.0.0.1', '10.0.0.2']);
    const noLabel = categorizeEndpoints([ep('10.0.0.1', { zoneHints: ['a'] })], CLUSTER, 'n1', {}, gates);
    assert.equal(noLabel.topologyMode, '');
    assert.match(noLabel.clusterReason ?? '', /has no topology\.kubernetes\.io\/zone label/);
  });

  it('node hints (PreferSameNode) win over zone hints, only with PreferSameTrafficDistribution', () => {
    const eps = [
      ep('10.0.0.1', { nodeHints: ['n1'], zoneHints: ['a'] }),
      ep('10.0.0.2', { nodeHints: ['n2'], zoneHints: ['a'] }),
      ep('10.0.0.3', { nodeHints: ['n3'], zoneHints: ['b'] }),
    ];
    const on = categorizeEndpoints(eps, CLUSTER, 'n1', ZONE_A, gates);
    assert.equal(on.topologyMode, 'PreferSameNode');
    assert.deepEqual(ips(on.clusterEndpoints), ['10.0.0.1']);
    const off = categorizeEndpoints(eps, CLUSTER, 'n1', ZONE_A, { ...gates, PreferSameTrafficDistribution: false });
    assert.equal(off.topologyMode, 'PreferSameZone');
    assert.deepEqual(ips(off.clusterEndpoints), ['10.0.0.1', '10.0.0.2']);
  });

  it('Local policy: local ready endpoints, else local serving-terminating ones; topology never applies', () => {
    const eps = [ep('10.0.0.1', { nodeName: 'n1', zoneHints: ['b'] }), ep('10.0.0.2', { nodeName: 'n2', zoneHints: ['a'] })];
    const c = categorizeEndpoints(eps, ITP_LOCAL, 'n1', ZONE_A, gates);
    assert.deepEqual(ips(c.localEndpoints), ['10.0.0.1']);
    assert.deepEqual(c.clusterEndpoints, []);
    assert.equal(c.localReason, '1 ready local endpoint on n1');

    const term = categorizeEndpoints([ep('10.0.0.1', { nodeName: 'n1', ...terminating }), ep('10.0.0.2', { nodeName: 'n2' })], ITP_LOCAL, 'n1', {}, gates);
    assert.deepEqual(ips(term.localEndpoints), ['10.0.0.1']);
    assert.equal(term.localReason, 'no ready local endpoints: using 1 terminating one on n1');
    assert.equal(term.hasAnyEndpoints, true);
    assert.equal(term.reason, 'local: no ready local endpoints: using 1 terminating one on n1');

    const none = categorizeEndpoints([ep('10.0.0.2', { nodeName: 'n2' })], ITP_LOCAL, 'n1', {}, gates);
    assert.deepEqual(none.localEndpoints, []);
    assert.equal(none.hasAnyEndpoints, true);
    assert.equal(none.localReason, 'no local endpoints on n1');
  });

  it('allReachable merges zone-filtered cluster endpoints with a local endpoint of another zone', () => {
    const eps = [
      ep('10.0.0.1', { zoneHints: ['a'] }),
      ep('10.0.0.2', { zoneHints: ['a'] }),
      ep('10.0.0.3', { nodeName: 'n1', zoneHints: ['b'] }),
    ];
    const c = categorizeEndpoints(eps, ETP_LOCAL, 'n1', ZONE_A, gates);
    assert.deepEqual(ips(c.clusterEndpoints), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(ips(c.localEndpoints), ['10.0.0.3']);
    assert.deepEqual(ips(c.allReachable), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    assert.equal(c.reason, 'cluster: topology hints: zone a (2 of 3 ready endpoints); local: 1 ready local endpoint on n1');
  });
});
