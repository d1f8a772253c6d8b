/**
 * The model's answer for a health-check node port on the node itself, per mode, and where kube-proxy's
 * health server listens. ns2/svc2 of TestOverallIPTablesRules (overall-state.ts): eTP=Local,
 * healthCheckNodePort 30000, its only endpoint 10.180.0.2 on no node, so the answer is 503.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { healthCheckOutcome } from '../../../src/analyzers/kube-proxy/index.ts';
import { packet } from './builders.ts';
import { overallState } from './overall-state.ts';

const base = overallState();
const svc2 = base.services.find((s) => s.metadata?.namespace === 'ns2')!;
const withConfig = (extra: { nodePortAddresses?: string[] }) => ({
  ...base,
  kubeProxyConfig: { clusterCIDR: '10.0.0.0/8', source: 'test', ...extra },
});

describe('health-check node port for the node itself (model)', () => {
  it('iptables and IPVS accept it with a rule, nftables has none (NO-MATCH); the server answers 503', () => {
    const p = packet('203.0.113.9', '192.168.0.2', 30000, 'external');
    // iptables: filter KUBE-NODEPORTS "ns2/svc2:p80 health check node port" --dport 30000 -j ACCEPT.
    // IPVS: filter KUBE-NODE-PORT --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT.
    // nftables: TestOverallNFTablesRules has no element or rule for 30000.
    const got = (['iptables', 'nftables', 'ipvs'] as const).map((m) => healthCheckOutcome(base, svc2, p, m));
    assert.deepEqual(got.map((o) => o.verdict), ['ACCEPT', 'NO-MATCH', 'ACCEPT']);
    for (const o of got) {
      assert.deepEqual([o.endpoint, o.hop, o.sourceIPPreserved, o.probability], [null, null, null, 1]);
      assert.match(o.conditions.join(' '), /health server for ns2\/svc2 on test-node, which answers 503/);
    }
  });

  it('with nodePortAddresses the server listens only on the addresses they select: 127.0.0.1 is refused', () => {
    // service_health.go: nodeIPs = 0.0.0.0 unless nodePortAddresses restricts; then one listener per node IP selected.
    const restricted = withConfig({ nodePortAddresses: ['192.168.0.0/24'] });
    const onNodeIP = healthCheckOutcome(restricted, svc2, packet('192.168.0.2', '192.168.0.2', 30000, 'node'), 'iptables');
    assert.match(onNodeIP.conditions.join(' '), /answers 503/);
    const onLoopback = healthCheckOutcome(restricted, svc2, packet('127.0.0.1', '127.0.0.1', 30000, 'node'), 'iptables');
    assert.match(onLoopback.conditions.join(' '), /listens only on the nodePortAddresses, and 127\.0\.0\.1 is not one of them: connection refused/);
    // nftables' default is `primary`: the node IP only.
    const nftLoopback = healthCheckOutcome(base, svc2, packet('127.0.0.1', '127.0.0.1', 30000, 'node'), 'nftables');
    assert.match(nftLoopback.conditions.join(' '), /connection refused/);
    const iptLoopback = healthCheckOutcome(base, svc2, packet('127.0.0.1', '127.0.0.1', 30000, 'node'), 'iptables');
    assert.match(iptLoopback.conditions.join(' '), /answers 503/);
  });
});
