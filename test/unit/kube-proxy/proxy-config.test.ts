import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptsNodePort,
  detectPodTraffic,
  modelOutcomes,
  nodePortAddressesFor,
  podTrafficCidr,
  resolveProxyConfig,
} from '../../../src/analyzers/kube-proxy/index.ts';
import type { KubeProxyConfig } from '../../../src/model/cluster.ts';
import { node, P80, packet, slice, state, svc } from './builders.ts';

const nodes = [node('node-a', '192.168.0.2', { podCIDR: '10.244.0.0/24' }), node('node-b', '192.168.0.3', { podCIDR: '10.244.1.0/24' })];
const cfg = (c: Partial<KubeProxyConfig>): KubeProxyConfig => ({ source: 'configmap kube-system/kube-proxy', ...c });

describe('kube-proxy config resolution', () => {
  it('without config: node podCIDRs stand in, and every default is listed', () => {
    const v = resolveProxyConfig(null, nodes);
    assert.deepEqual(v.detector, { kind: 'stand-in', cidrs: ['10.244.0.0/24', '10.244.1.0/24'] });
    assert.equal(v.masqueradeAll, false);
    assert.equal(v.mode, 'iptables');
    assert.equal(v.modeFromConfig, false);
    assert.equal(v.evidence, null);
    assert.ok(v.assumptions.includes("kube-proxy config not in bundle: pod traffic detected by the nodes' podCIDRs (10.244.0.0/24, 10.244.1.0/24)"));
    assert.ok(v.assumptions.includes('masqueradeAll=false assumed'));
    assert.ok(v.assumptions.some((a) => a.startsWith('feature gate PreferSameTrafficDistribution=true assumed')));
    // A pod on node-b seen from node-a still counts: the stand-in is the union of all podCIDRs.
    assert.equal(detectPodTraffic(v, packet('10.244.1.5', '10.96.0.1', 80, 'pod', 'node-a'), nodes[0]!).isPodTraffic, true);
    assert.equal(detectPodTraffic(v, packet('10.245.0.1', '10.96.0.1', 80, 'external', 'node-a'), nodes[0]!).isPodTraffic, false);
  });

  it('ClusterCIDR (default mode) uses clusterCIDR, first CIDR per family', () => {
    const v = resolveProxyConfig(cfg({ clusterCIDR: '10.0.0.0/8,fd00::/48', mode: 'nftables', masqueradeAll: false }), nodes);
    assert.deepEqual(v.detector, { kind: 'cidr', cidrs: ['10.0.0.0/8', 'fd00::/48'] });
    assert.equal(podTrafficCidr(v, null, 4), '10.0.0.0/8');
    assert.equal(podTrafficCidr(v, null, 6), 'fd00::/48');
    assert.equal(v.mode, 'nftables');
    assert.deepEqual(v.evidence?.kind, 'config');
  });

  it('NodeCIDR only counts the entry node own podCIDR', () => {
    const v = resolveProxyConfig(cfg({ detectLocalMode: 'NodeCIDR' }), nodes);
    assert.equal(podTrafficCidr(v, nodes[0]!, 4), '10.244.0.0/24');
    assert.equal(detectPodTraffic(v, packet('10.244.1.5', '10.96.0.1', 80, 'pod', 'node-a'), nodes[0]!).isPodTraffic, false);
    assert.equal(detectPodTraffic(v, packet('10.244.0.5', '10.96.0.1', 80, 'pod', 'node-a'), nodes[0]!).isPodTraffic, true);
  });

  it('ClusterCIDR mode without clusterCIDR: no detector, so no masquerade and no pod short-circuit', () => {
    const config = cfg({ detectLocalMode: 'ClusterCIDR' });
    const v = resolveProxyConfig(config, nodes);
    assert.deepEqual(v.detector, { kind: 'none' });
    assert.ok(v.assumptions.some((a) => a.includes('detectLocalMode ClusterCIDR without clusterCIDR')));
    const cip = svc('ns', 'c', { clusterIP: '10.96.0.5', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] });
    const lb = svc('ns', 'l', { type: 'LoadBalancer', clusterIP: '10.96.0.6', externalTrafficPolicy: 'Local', healthCheckNodePort: 31000, ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 30080 }] }, [{ ip: '198.51.100.6' }]);
    const st = state({
      services: [cip, lb],
      slices: [slice('ns', 'c', 'c-1', P80, [{ ip: '10.244.1.9', node: 'node-b' }]), slice('ns', 'l', 'l-1', P80, [{ ip: '10.244.1.9', node: 'node-b' }])],
      nodes,
      config,
    });
    const fromOutside = modelOutcomes({ state: st, service: cip, entry: 'ClusterIP', packet: packet('203.0.113.5', '10.96.0.5', 80, 'external', 'node-a'), mode: 'iptables' });
    assert.deepEqual(fromOutside.map((o) => [o.verdict, o.sourceIPPreserved]), [['DNAT', true]]);
    // Without the "pod traffic" rule in KUBE-EXT, a pod's packet meets the Local policy: no local endpoint on node-a.
    const podToLB = modelOutcomes({ state: st, service: lb, entry: 'LoadBalancer', packet: packet('10.244.0.5', '198.51.100.6', 80, 'pod', 'node-a'), mode: 'iptables' });
    assert.deepEqual(podToLB.map((o) => o.verdict), ['DROP']);
  });

  it('masqueradeAll masquerades pod traffic to a ClusterIP too', () => {
    const cip = svc('ns', 'c', { clusterIP: '10.96.0.5', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] });
    const st = state({
      services: [cip],
      slices: [slice('ns', 'c', 'c-1', P80, [{ ip: '10.244.1.9', node: 'node-b' }])],
      nodes,
      config: cfg({ clusterCIDR: '10.244.0.0/16', masqueradeAll: true }),
    });
    const outs = modelOutcomes({ state: st, service: cip, entry: 'ClusterIP', packet: packet('10.244.0.5', '10.96.0.5', 80, 'pod', 'node-a'), mode: 'nftables' });
    assert.deepEqual(outs.map((o) => [o.verdict, o.sourceIPPreserved]), [['DNAT', false]]);
  });

  it('nodePortAddresses: iptables every address and 127.0.0.1, nftables the primary IP, IPVS no localhost', () => {
    const none = resolveProxyConfig(null, nodes);
    const ipt = nodePortAddressesFor(none, 'iptables', nodes[0]!);
    assert.equal(ipt.kind, 'all-local');
    assert.deepEqual([acceptsNodePort(ipt, '192.168.0.2'), acceptsNodePort(ipt, '172.17.0.1'), acceptsNodePort(ipt, '127.0.0.1'), acceptsNodePort(ipt, '::1')], [true, true, true, false]);
    const nft = nodePortAddressesFor(none, 'nftables', nodes[0]!);
    assert.equal(nft.kind, 'primary');
    assert.deepEqual([acceptsNodePort(nft, '192.168.0.2'), acceptsNodePort(nft, '172.17.0.1'), acceptsNodePort(nft, '127.0.0.1')], [true, false, false]);
    const ipvs = nodePortAddressesFor(none, 'ipvs', nodes[0]!);
    assert.deepEqual([acceptsNodePort(ipvs, '192.168.0.2'), acceptsNodePort(ipvs, '127.0.0.1')], [true, false]);

    const cidr = nodePortAddressesFor(resolveProxyConfig(cfg({ nodePortAddresses: ['192.168.0.0/24'] }), nodes), 'iptables', nodes[0]!);
    assert.deepEqual([acceptsNodePort(cidr, '192.168.0.2'), acceptsNodePort(cidr, '172.17.0.1'), acceptsNodePort(cidr, '127.0.0.1')], [true, false, false]);
    // primary = first InternalIP, else first ExternalIP (utilnode.GetNodeHostIPs).
    const extOnly = node('edge', '0.0.0.0');
    extOnly.status!.addresses = [{ type: 'Hostname', address: 'edge' }, { type: 'ExternalIP', address: '198.51.100.40' }];
    assert.equal(acceptsNodePort(nodePortAddressesFor(none, 'nftables', extOnly), '198.51.100.40'), true);
    const noLocalhost = nodePortAddressesFor(resolveProxyConfig(cfg({ localhostNodePorts: false }), nodes), 'iptables', nodes[0]!);
    assert.equal(acceptsNodePort(noLocalhost, '127.0.0.1'), false);
  });
});
