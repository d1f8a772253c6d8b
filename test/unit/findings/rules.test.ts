// Tiny valid/invalid cases for every finding rule, one suite per rule. Expectations follow
// kube-proxy v1.36 (~/go/pkg/mod/k8s.io/kubernetes@v1.36.3/pkg/proxy/, files cited per case),
// not what netpath prints.
import type { Drift } from '../../../src/analyzers/findings/index.ts';
import { clusterPolicySnat } from '../../../src/analyzers/findings/cluster-policy-snat.ts';
import { dataplaneStale } from '../../../src/analyzers/findings/dataplane-stale.ts';
import { dumpNotUnderstood } from '../../../src/analyzers/findings/dump-not-understood.ts';
import { endpointDuplicated } from '../../../src/analyzers/findings/endpoint-duplicated.ts';
import { endpointNodeMismatch } from '../../../src/analyzers/findings/endpoint-node-mismatch.ts';
import { endpointsNotReady } from '../../../src/analyzers/findings/endpoints-not-ready.ts';
import { endpointsTerminating } from '../../../src/analyzers/findings/endpoints-terminating.ts';
import { externalnameDnsOnly } from '../../../src/analyzers/findings/externalname-dns-only.ts';
import { headlessNoProxy } from '../../../src/analyzers/findings/headless-no-proxy.ts';
import { healthCheckDiffers } from '../../../src/analyzers/findings/health-check-differs.ts';
import { internalLocalDrop } from '../../../src/analyzers/findings/internal-local-drop.ts';
import { localPolicyImbalance } from '../../../src/analyzers/findings/local-policy-imbalance.ts';
import { localPolicyUnhealthyNodes } from '../../../src/analyzers/findings/local-policy-unhealthy-nodes.ts';
import { mixedProxyModes } from '../../../src/analyzers/findings/mixed-proxy-modes.ts';
import { noEndpoints } from '../../../src/analyzers/findings/no-endpoints.ts';
import { noKubeProxyRules } from '../../../src/analyzers/findings/no-kube-proxy-rules.ts';
import { proxyModeMismatch } from '../../../src/analyzers/findings/proxy-mode-mismatch.ts';
import { sessionAffinity } from '../../../src/analyzers/findings/session-affinity.ts';
import { sourceBlockedByRanges } from '../../../src/analyzers/findings/source-blocked-by-ranges.ts';
import { sourceRangesInEffect } from '../../../src/analyzers/findings/source-ranges-in-effect.ts';
import { topologyAwareRouting } from '../../../src/analyzers/findings/topology-aware-routing.ts';
import { userspaceMode } from '../../../src/analyzers/findings/userspace-mode.ts';
import type { PathReport } from '../../../src/model/results.ts';
import { loadBalancer, node, NODES, pod, service, slice } from './objects.ts';
import { testRule } from './rule-tester.ts';

const ready = (ip: string, n: string, p?: string) => ({ ip, node: n, ...(p ? { pod: p } : {}) });
/** One ready endpoint on each node: every node has a local endpoint. */
const both = [slice('web-1', [ready('10.0.1.5', 'node-a'), ready('10.0.2.5', 'node-b')])];
/** One ready endpoint, on node-a only. */
const onA = [slice('web-1', [ready('10.0.1.5', 'node-a')])];
const plain = { service: service(), slices: both, nodes: NODES };

// pkg/proxy/util/utils.go ShouldSkipService: ExternalName and clusterIP None are not proxied.
testRule(externalnameDnsOnly, {
  valid: [{ name: 'a ClusterIP service is proxied', cluster: plain }],
  invalid: [
    {
      name: 'ExternalName: DNS only',
      cluster: { service: service({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: undefined, clusterIPs: undefined, ports: undefined }), nodes: NODES },
      findings: [{ id: 'externalname-dns-only', severity: 'info', evidence: [{ kind: 'service', name: 'web' }], says: [/CNAME to db\.example\.com/] }],
    },
  ],
});

testRule(headlessNoProxy, {
  valid: [
    { name: 'a ClusterIP service is proxied', cluster: plain },
    { name: 'ExternalName has its own finding', cluster: { service: service({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: undefined, clusterIPs: undefined }), nodes: NODES } },
  ],
  invalid: [
    {
      name: 'clusterIP None',
      cluster: { service: service({ clusterIP: 'None', clusterIPs: ['None'] }), slices: both, nodes: NODES },
      findings: [{ id: 'headless-no-proxy', severity: 'info', evidence: [{ kind: 'service', detail: 'spec.clusterIP=None' }] }],
    },
  ],
});

// pkg/proxy/topology.go CategorizeEndpoints: ready endpoints, else serving terminating ones; none: REJECT.
testRule(noEndpoints, {
  valid: [
    { name: 'one ready endpoint', cluster: plain },
    { name: 'only a terminating endpoint that still serves: kube-proxy falls back to it', cluster: { service: service(), slices: [slice('web-1', [{ ip: '10.0.1.5', node: 'node-a', ready: false, serving: true, terminating: true }])], nodes: NODES } },
  ],
  invalid: [
    {
      name: 'the only endpoint is not ready',
      cluster: { service: service(), slices: [slice('web-1', [{ ip: '10.0.1.5', node: 'node-a', ready: false }])], nodes: NODES },
      findings: [{ id: 'no-endpoints', severity: 'error', evidence: [{ kind: 'endpointslice', name: 'web-1', endpoint: '10.0.1.5:8080' }] }],
    },
    {
      name: 'no EndpointSlice at all',
      cluster: { service: service(), nodes: NODES },
      findings: [{ id: 'no-endpoints', severity: 'error', evidence: [{ kind: 'service', detail: 'no EndpointSlice lists an endpoint' }] }],
    },
  ],
});

const clusterPath = (n: string): PathReport => ({ entry: 'ClusterIP', node: n, address: '10.96.0.10', port: 80, protocol: 'TCP', basis: 'dataplane', from: `pod on ${n}`, outcomes: [] });
const goneDrift = (n: string): Drift => ({ path: clusterPath(n), expected: [], onlyInDataplane: ['10.0.1.9:8080'], onlyInModel: [] });
testRule(dataplaneStale, {
  valid: [{ name: 'rules agree with the API', cluster: plain, drifts: [] }],
  invalid: [
    {
      name: 'one removed pod seen on two nodes is one finding with both as evidence',
      cluster: plain,
      drifts: [goneDrift('node-a'), goneDrift('node-b')],
      findings: [{ id: 'dataplane-stale', severity: 'error', evidence: [{ kind: 'service', detail: 'ClusterIP 10.96.0.10:80 on node-a' }, { kind: 'service', detail: 'ClusterIP 10.96.0.10:80 on node-b' }], says: [/10\.0\.1\.9:8080/] }],
    },
    {
      name: 'a missing endpoint is another cause',
      cluster: plain,
      drifts: [goneDrift('node-a'), { path: clusterPath('node-b'), expected: [], onlyInDataplane: [], onlyInModel: ['10.0.2.5:8080'] }],
      findings: [
        { id: 'dataplane-stale', severity: 'error', says: [/on node-a/] },
        { id: 'dataplane-stale', severity: 'error', says: [/on node-b/, /EndpointSlices list 10\.0\.2\.5:8080/] },
      ],
    },
  ],
});

// pkg/proxy/healthcheck/service_health.go: 503 on healthCheckNodePort where a node has no local endpoint.
testRule(localPolicyUnhealthyNodes, {
  valid: [
    { name: 'a ready endpoint on every node', cluster: { service: loadBalancer('Local'), slices: both, nodes: NODES } },
    { name: 'Cluster policy has no health check node port', cluster: { service: loadBalancer('Cluster'), slices: onA, nodes: NODES } },
  ],
  invalid: [
    {
      name: 'node-b has no local endpoint: 1 of 2 nodes fails',
      cluster: { service: loadBalancer('Local'), slices: onA, nodes: NODES },
      findings: [{ id: 'local-policy-unhealthy-nodes', severity: 'warning', evidence: [{ kind: 'node', node: 'node-b' }], says: [/1 of 2 nodes \(node-b\)/, /marks them unhealthy/, /load-balancer model assumed: implementation unknown/] }],
    },
    {
      name: 'no endpoint is ready: every node fails',
      cluster: { service: loadBalancer('Local'), slices: [slice('web-1', [{ ip: '10.0.1.5', node: 'node-a', ready: false }])], nodes: NODES },
      findings: [{ id: 'local-policy-unhealthy-nodes', severity: 'error', evidence: [{ kind: 'node', node: 'node-a' }, { kind: 'node', node: 'node-b' }] }],
    },
  ],
});

const healthz = (status: number, localEndpoints: number) => new Map([[32000, { status, localEndpoints, source: 'healthz.json' }]]);
testRule(healthCheckDiffers, {
  valid: [{ name: 'node-a answers 200 as its one local endpoint predicts', cluster: { service: loadBalancer('Local'), slices: onA, nodes: NODES }, views: { 'node-a': { healthz: healthz(200, 1) } } }],
  invalid: [
    {
      name: 'node-a answers 503 although the slice puts a ready endpoint there',
      cluster: { service: loadBalancer('Local'), slices: onA, nodes: NODES },
      views: { 'node-a': { healthz: healthz(503, 0) } },
      findings: [{ id: 'health-check-differs', severity: 'warning', evidence: [{ kind: 'healthz', node: 'node-a', port: 32000 }], says: [/answered 503/, /predict 200/] }],
    },
  ],
});

// pkg/proxy/iptables/proxier.go: internalTrafficPolicy Local with no local endpoint: DROP "has no local endpoints".
testRule(internalLocalDrop, {
  valid: [
    { name: 'a local endpoint on every node', cluster: { service: service({ internalTrafficPolicy: 'Local' }), slices: both, nodes: NODES } },
    { name: 'Cluster policy sends node-b traffic to node-a', cluster: { service: service({ internalTrafficPolicy: 'Cluster' }), slices: onA, nodes: NODES } },
  ],
  invalid: [
    {
      name: 'node-b has no local endpoint',
      cluster: { service: service({ internalTrafficPolicy: 'Local' }), slices: onA, nodes: NODES },
      findings: [{ id: 'internal-local-drop', severity: 'warning', evidence: [{ kind: 'service', detail: 'spec.internalTrafficPolicy=Local' }], says: [/pods on node-b have no local endpoint/] }],
    },
  ],
});

testRule(endpointsNotReady, {
  valid: [
    { name: 'all ready', cluster: plain },
    { name: 'a terminating endpoint is the other rule', cluster: { service: service(), slices: [slice('web-1', [ready('10.0.1.5', 'node-a'), { ip: '10.0.2.5', node: 'node-b', ready: false, terminating: true }])], nodes: NODES } },
  ],
  invalid: [
    {
      name: 'one of two not ready',
      cluster: { service: service(), slices: [slice('web-1', [ready('10.0.1.5', 'node-a'), { ip: '10.0.2.5', node: 'node-b', ready: false }])], nodes: NODES },
      findings: [{ id: 'endpoints-not-ready', severity: 'warning', evidence: [{ kind: 'endpointslice', endpoint: '10.0.2.5:8080' }], says: [/1 endpoint\(s\)/] }],
    },
  ],
});

// pkg/proxy/topology.go: serving terminating endpoints are used only when no endpoint is ready.
testRule(endpointsTerminating, {
  valid: [{ name: 'none terminating', cluster: plain }],
  invalid: [
    {
      name: 'a ready endpoint exists: the terminating one gets nothing new',
      cluster: { service: service(), slices: [slice('web-1', [ready('10.0.1.5', 'node-a'), { ip: '10.0.2.5', node: 'node-b', ready: false, serving: true, terminating: true }])], nodes: NODES },
      findings: [{ id: 'endpoints-terminating', severity: 'info', evidence: [{ kind: 'endpointslice', endpoint: '10.0.2.5:8080' }] }],
    },
    {
      name: 'no ready endpoint: kube-proxy falls back to the serving terminating one',
      cluster: { service: service(), slices: [slice('web-1', [{ ip: '10.0.2.5', node: 'node-b', ready: false, serving: true, terminating: true }])], nodes: NODES },
      findings: [{ id: 'endpoints-terminating', severity: 'warning', says: [/falls back to 1 terminating/] }],
    },
  ],
});

// pkg/proxy/endpointslicecache.go addEndpoints: local means the slice's nodeName equals the node's name.
testRule(endpointNodeMismatch, {
  valid: [{ name: 'slice and pod agree', cluster: { service: service(), slices: [slice('web-1', [ready('10.0.2.7', 'node-b', 'web-x')])], nodes: NODES, pods: [pod('web-x', 'node-b', '10.0.2.7')] } }],
  invalid: [
    {
      name: 'the slice says node-a, the pod runs on node-b',
      cluster: { service: service(), slices: [slice('web-1', [ready('10.0.2.7', 'node-a', 'web-x')])], nodes: NODES, pods: [pod('web-x', 'node-b', '10.0.2.7')] },
      findings: [{ id: 'endpoint-node-mismatch', severity: 'warning', evidence: [{ kind: 'endpointslice', name: 'web-1', detail: 'nodeName node-a' }, { kind: 'pod', name: 'web-x' }] }],
    },
  ],
});

// pkg/proxy/endpointslicecache.go addEndpoints (v1.36): any non-terminating copy replaces the one kept.
testRule(endpointDuplicated, {
  valid: [{ name: 'two slices agree on node and readiness', cluster: { service: service(), slices: [slice('web-1', [ready('10.0.1.5', 'node-a')]), slice('web-2', [ready('10.0.1.5', 'node-a')])], nodes: NODES } }],
  invalid: [
    {
      name: 'two slices put 10.0.1.5 on different nodes',
      cluster: { service: service(), slices: [slice('web-1', [ready('10.0.1.5', 'node-a')]), slice('web-2', [ready('10.0.1.5', 'node-b')])], nodes: NODES },
      findings: [{ id: 'endpoint-duplicated', severity: 'warning', evidence: [{ name: 'web-1', endpoint: '10.0.1.5' }, { name: 'web-2', endpoint: '10.0.1.5' }] }],
    },
  ],
});

// Under Local the LB splits evenly over healthy nodes, each node over its own pods
// (pkg/proxy/topology.go: external traffic uses local endpoints only).
const pods = (a: number, b: number) => [
  slice('web-1', [...Array.from({ length: a }, (_, i) => ready(`10.0.1.${i + 5}`, 'node-a')), ...Array.from({ length: b }, (_, i) => ready(`10.0.2.${i + 5}`, 'node-b'))]),
];
testRule(localPolicyImbalance, {
  valid: [
    { name: 'one pod per node: 50% each', cluster: { service: loadBalancer('Local'), slices: pods(1, 1), nodes: NODES } },
    { name: 'Cluster policy spreads over all pods: 1/3 each', cluster: { service: loadBalancer('Cluster'), slices: pods(2, 1), nodes: NODES } },
  ],
  invalid: [
    {
      // node-a's two pods get 1/2 × 1/2 = 25% each, node-b's one 50%: factor 50/25 = 2.
      name: 'two pods on node-a, one on node-b: factor 2',
      cluster: { service: loadBalancer('Local'), slices: pods(2, 1), nodes: NODES },
      findings: [{ id: 'local-policy-imbalance', severity: 'warning', says: [/gets 50\.0% while .* gets 25\.0%/, /imbalance factor 2\.00/, /evenly per healthy node \(load-balancer model assumed: implementation unknown\)/] }],
    },
    {
      // node-a's three get 1/2 × 1/3 = 1/6 each, node-b's two 1/4 each: factor (1/4)/(1/6) = 1.5.
      name: 'three on node-a, two on node-b: factor 1.5',
      cluster: { service: loadBalancer('Local'), slices: pods(3, 2), nodes: NODES },
      findings: [{ id: 'local-policy-imbalance', severity: 'info', says: [/imbalance factor 1\.50/] }],
    },
  ],
});

const ranges = { loadBalancerSourceRanges: ['198.51.100.0/24'] };
const dropPath: PathReport = {
  entry: 'LoadBalancer',
  node: 'node-a',
  address: '203.0.113.10',
  port: 80,
  protocol: 'TCP',
  basis: 'dataplane',
  from: 'external 192.0.2.1',
  outcomes: [
    {
      verdict: 'DROP',
      probability: 1,
      endpoint: null,
      hop: null,
      sourceIPPreserved: null,
      conditions: [],
      dynamic: false,
      steps: [{ node: 'node-a', file: 'iptables-save.txt', line: 21, table: 'nat', chain: 'KUBE-FW-ABC', rule: '-A KUBE-FW-ABC -j KUBE-MARK-DROP' }],
    },
  ],
};
// pkg/proxy/iptables/proxier.go: loadBalancerSourceRanges filter the LB IP (KUBE-FW-*), not the NodePort.
testRule(sourceBlockedByRanges, {
  valid: [{ name: 'explain-svc sends from inside the ranges', cluster: { service: loadBalancer('Cluster', ranges), slices: both, nodes: NODES } }],
  invalid: [
    {
      name: 'a trace from outside the ranges is dropped at the LB IP',
      cluster: { service: loadBalancer('Cluster', ranges), slices: both, nodes: NODES },
      paths: [dropPath],
      findings: [{ id: 'source-blocked-by-ranges', severity: 'warning', evidence: [{ kind: 'rule', chain: 'KUBE-FW-ABC', line: 21 }], says: [/external 192\.0\.2\.1 is outside/] }],
    },
  ],
});

testRule(sourceRangesInEffect, {
  valid: [
    { name: 'no ranges', cluster: { service: loadBalancer('Cluster'), slices: both, nodes: NODES } },
    { name: 'a blocked path is the other rule', cluster: { service: loadBalancer('Cluster', ranges), slices: both, nodes: NODES }, paths: [dropPath] },
  ],
  invalid: [
    {
      name: 'ranges set, nothing blocked',
      cluster: { service: loadBalancer('Cluster', ranges), slices: both, nodes: NODES },
      findings: [{ id: 'source-ranges-in-effect', severity: 'info', evidence: [{ kind: 'service', detail: 'spec.loadBalancerSourceRanges=198.51.100.0/24' }] }],
    },
  ],
});

// pkg/proxy/topology.go: with zone hints on every endpoint, a node uses the endpoints hinted for its zone.
const zoned = [node('node-a', '192.168.0.1', '10.0.1.0/24', 'zone-a'), node('node-b', '192.168.0.2', '10.0.2.0/24', 'zone-b')];
testRule(topologyAwareRouting, {
  valid: [{ name: 'no hints, no trafficDistribution', cluster: plain }],
  invalid: [
    {
      name: 'each node keeps ClusterIP traffic in its zone',
      cluster: {
        service: service({ trafficDistribution: 'PreferClose' }),
        slices: [slice('web-1', [{ ...ready('10.0.1.5', 'node-a'), zone: 'zone-a' }, { ...ready('10.0.2.5', 'node-b'), zone: 'zone-b' }])],
        nodes: zoned,
      },
      findings: [{ id: 'topology-aware-routing', severity: 'info', evidence: [{ kind: 'endpointslice', endpoint: '10.0.1.5:8080', detail: 'forZones zone-a' }], says: [/node-a -> 10\.0\.1\.5; node-b -> 10\.0\.2\.5/] }],
    },
  ],
});

// pkg/proxy/iptables/proxier.go: KUBE-EXT-* masquerades external traffic unless the policy is Local.
testRule(clusterPolicySnat, {
  valid: [
    { name: 'Local keeps the client IP', cluster: { service: loadBalancer('Local'), slices: both, nodes: NODES } },
    { name: 'ClusterIP only', cluster: plain },
  ],
  invalid: [
    {
      name: 'Cluster policy NodePort/LoadBalancer',
      cluster: { service: loadBalancer('Cluster'), slices: onA, nodes: NODES },
      findings: [{ id: 'cluster-policy-snat', severity: 'info', evidence: [{ kind: 'service', detail: 'spec.externalTrafficPolicy=Cluster' }], says: [/second hop/] }],
    },
  ],
});

// ClientIP affinity's default timeout is 10800 s (v1.DefaultClientIPServiceAffinitySeconds).
testRule(sessionAffinity, {
  valid: [{ name: 'no affinity', cluster: plain }],
  invalid: [
    {
      name: 'ClientIP with the default timeout',
      cluster: { service: service({ sessionAffinity: 'ClientIP' }), slices: both, nodes: NODES },
      findings: [{ id: 'session-affinity', severity: 'info', evidence: [{ kind: 'service', detail: 'spec.sessionAffinity=ClientIP, timeoutSeconds=10800' }] }],
    },
  ],
});

testRule(proxyModeMismatch, {
  valid: [{ name: 'no disagreement', cluster: plain, views: { 'node-a': { mode: 'iptables', reportedMode: 'iptables' } } }],
  invalid: [
    {
      name: 'kube-proxy reports ipvs, the dump holds iptables rules',
      cluster: plain,
      views: { 'node-a': { mode: 'iptables', reportedMode: 'ipvs', location: 'nodes/node-a', problems: ['kube-proxy reports mode ipvs but the dump holds iptables rules'] } },
      findings: [{ id: 'proxy-mode-mismatch', severity: 'warning', evidence: [{ kind: 'node', node: 'node-a', detail: 'reported mode ipvs; dump at nodes/node-a' }] }],
    },
  ],
});

testRule(dumpNotUnderstood, {
  valid: [{ name: 'every rule understood', cluster: plain, views: { 'node-a': { notices: [] } } }],
  invalid: [
    {
      name: 'one rule netpath cannot evaluate',
      cluster: plain,
      views: { 'node-b': { notices: [{ message: 'unknown match -m bpf', file: 'iptables-save.txt', line: 7 }] } },
      findings: [{ id: 'dump-not-understood', severity: 'warning', evidence: [{ kind: 'node', node: 'node-b', detail: 'iptables-save.txt:7' }] }],
    },
  ],
});

testRule(mixedProxyModes, {
  valid: [{ name: 'both iptables', cluster: plain, views: { 'node-a': { mode: 'iptables' }, 'node-b': { mode: 'iptables' } } }],
  invalid: [
    {
      name: 'iptables on node-a, ipvs on node-b',
      cluster: plain,
      views: { 'node-a': { mode: 'iptables' }, 'node-b': { mode: 'ipvs' } },
      findings: [{ id: 'mixed-proxy-modes', severity: 'warning', evidence: [{ node: 'node-a', detail: 'kube-proxy mode iptables' }, { node: 'node-b', detail: 'kube-proxy mode ipvs' }] }],
    },
  ],
});

testRule(userspaceMode, {
  valid: [{ name: 'iptables', cluster: plain, views: { 'node-a': { mode: 'iptables' } } }],
  invalid: [
    {
      name: 'node-a runs userspace',
      cluster: plain,
      views: { 'node-a': { mode: 'userspace' } },
      findings: [{ id: 'userspace-mode', severity: 'warning', evidence: [{ kind: 'node', node: 'node-a' }] }],
    },
  ],
});

testRule(noKubeProxyRules, {
  valid: [{ name: 'no dump read: basis model, not a bare dump', cluster: plain }],
  invalid: [
    {
      name: "node-b's nft.json has no kube-proxy table",
      cluster: plain,
      views: { 'node-b': { location: 'nodes/node-b', withoutKubeProxyRules: ['nft.json'] } },
      findings: [{ id: 'no-kube-proxy-rules', severity: 'warning', evidence: [{ kind: 'node', node: 'node-b', detail: 'nodes/node-b/nft.json: no kube-proxy table; no /proxyMode answer' }] }],
    },
  ],
});
