/**
 * Hand-built results for the render tests. A LoadBalancer service shop/checkout with
 * externalTrafficPolicy Local and three ready pods: two on node-a, one on node-b; node-c and
 * node-d have none. Long pod names and full-length iptables rules on purpose.
 *
 * ClusterIP probabilities as iptables-save prints them: rule 1 fires with 0.3333333333, rule 2
 * with 0.5, rule 3 takes the rest, so the effective shares are
 *   0.3333333333, (1 - 0.3333333333) * 0.5 = 0.33333333335, (1 - 0.3333333333) * 0.5 = 0.33333333335.
 * LB shares: the LB spreads evenly over the nodes passing the health check (node-a, node-b), 1/2
 * each; node-a splits its half between two pods: 1/4, 1/4; node-b gives its half to one: 1/2.
 * Imbalance factor = 0.5 / 0.25 = 2.
 */
import type { Finding } from '../../../src/model/finding.ts';
import type { EndpointRef, Outcome, Step } from '../../../src/model/outcome.ts';
import type { NodeReport, PathReport, ServiceExplanation, TraceReport } from '../../../src/model/results.ts';

export const POD_A1 = 'checkout-api-backend-production-7d9f8b6c5d-x2k9p';
export const POD_A2 = 'checkout-api-backend-production-7d9f8b6c5d-q8w4r';
export const POD_B1 = 'checkout-api-backend-production-7d9f8b6c5d-m3n7z';

export const A1: EndpointRef = { ip: '10.244.1.5', port: 8080, node: 'node-a', pod: POD_A1 };
export const A2: EndpointRef = { ip: '10.244.1.6', port: 8080, node: 'node-a', pod: POD_A2 };
export const B1: EndpointRef = { ip: '10.244.2.7', port: 8080, node: 'node-b', pod: POD_B1 };

const SEP = ['KUBE-SEP-ZX7GRIZKSNUQ3LAJ', 'KUBE-SEP-OYPFS5VJICHGATKP', 'KUBE-SEP-C6EBXVWJJZMIWKLZ'];
const SVC_CHAIN = 'KUBE-SVC-XGLOHA7QRQ3V22RZ';

/** The rule texts are 120 to 190 characters long: longer than the default width. */
export const SERVICES_RULE =
  '-A KUBE-SERVICES -d 10.96.12.34/32 -p tcp -m comment --comment "shop/checkout:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-XGLOHA7QRQ3V22RZ';

export function svcRule(i: number): string {
  const probability = ['-m statistic --mode random --probability 0.33333333349 ', '-m statistic --mode random --probability 0.50000000000 ', ''][i];
  const ep = [A1, A2, B1][i]!;
  return `-A ${SVC_CHAIN} -m comment --comment "shop/checkout:http -> ${ep.ip}:${ep.port}" ${probability}-j ${SEP[i]}`;
}

export function sepRule(i: number): string {
  const ep = [A1, A2, B1][i]!;
  return `-A ${SEP[i]} -p tcp -m comment --comment "shop/checkout:http" -m tcp -j DNAT --to-destination ${ep.ip}:${ep.port}`;
}

/** The four steps of a ClusterIP packet DNATed to endpoint i (lines as in a made-up dump). */
export function clusterIPSteps(node: string, i: number): Step[] {
  return [
    { node, table: 'nat', chain: 'PREROUTING', rule: '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES', line: 12, file: 'iptables-save.txt' },
    { node, table: 'nat', chain: 'KUBE-SERVICES', rule: SERVICES_RULE, line: 40, file: 'iptables-save.txt' },
    { node, table: 'nat', chain: SVC_CHAIN, rule: svcRule(i), line: 51 + i, file: 'iptables-save.txt' },
    { node, table: 'nat', chain: SEP[i]!, rule: sepRule(i), line: 61 + 2 * i, file: 'iptables-save.txt' },
  ];
}

export const CLUSTER_IP_SHARES = [0.3333333333, 0.33333333335, 0.33333333335];

function dnat(endpoint: EndpointRef, probability: number, hop: 'local' | 'remote', steps: Step[], preserved = true): Outcome {
  return { verdict: 'DNAT', probability, endpoint, hop, sourceIPPreserved: preserved, steps, conditions: [], dynamic: false };
}

export function clusterIPOutcomes(node: string): Outcome[] {
  return [A1, A2, B1].map((ep, i) => dnat(ep, CLUSTER_IP_SHARES[i]!, ep.node === node ? 'local' : 'remote', clusterIPSteps(node, i)));
}

const NODE_IPS: Record<string, string> = { 'node-a': '192.168.0.11', 'node-b': '192.168.0.12', 'node-c': '192.168.0.13', 'node-d': '192.168.0.14' };

export const XLB_DROP_RULE =
  '-A KUBE-EXT-XGLOHA7QRQ3V22RZ -m comment --comment "shop/checkout:http has no local endpoints" -j KUBE-MARK-DROP';

function nodePortPath(node: string): PathReport {
  const base = { entry: 'NodePort' as const, node, address: NODE_IPS[node]!, port: 30080, protocol: 'TCP' as const, basis: 'dataplane' as const, from: 'external' };
  const step = (rule: string, line: number): Step => ({ node, table: 'nat', chain: rule.split(' ')[1]!, rule, line, file: 'iptables-save.txt' });
  if (node === 'node-a') {
    return { ...base, outcomes: [dnat(A1, 0.5, 'local', [step(svcRule(0), 70)]), dnat(A2, 0.5, 'local', [step(svcRule(1), 71)])] };
  }
  if (node === 'node-b') return { ...base, outcomes: [dnat(B1, 1, 'local', [step(svcRule(2), 70)])] };
  const drop: Outcome = {
    verdict: 'DROP', probability: 1, endpoint: null, hop: null, sourceIPPreserved: null,
    steps: [step(XLB_DROP_RULE, 75)], conditions: [], dynamic: false,
  };
  return { ...base, outcomes: [drop] };
}

function nodeReport(name: string, local: number, observed: NodeReport['healthCheck']['observed']): NodeReport {
  return {
    name,
    proxyMode: 'iptables',
    proxyModeSource: 'proxy-mode',
    readyLocalEndpoints: local,
    healthCheck: local > 0
      ? { status: 200, reason: `${local} ready local endpoint${local > 1 ? 's' : ''}`, ...(observed === undefined ? {} : { observed }) }
      : { status: 503, reason: 'no ready local endpoints: the load balancer should take this node out of rotation', ...(observed === undefined ? {} : { observed }) },
  };
}

export const FINDINGS: Finding[] = [
  {
    id: 'lb-imbalance-local-policy',
    severity: 'warning',
    message: `externalTrafficPolicy Local with uneven pods per node: ${POD_B1} on node-b receives 50.0% of load balancer traffic, twice the share of each pod on node-a.`,
    remediation: 'Spread the pods evenly over nodes (topologySpreadConstraints), or use externalTrafficPolicy Cluster if client source IPs are not needed.',
    evidence: [
      { kind: 'endpointslice', namespace: 'shop', name: 'checkout-8xq2p', endpoint: '10.244.2.7', detail: 'ready on node-b' },
      { kind: 'service', namespace: 'shop', name: 'checkout', detail: 'externalTrafficPolicy: Local' },
    ],
  },
  {
    id: 'healthz-observed-mismatch',
    severity: 'error',
    message: 'node-c answers 503 on healthCheckNodePort 32123 as predicted, but the load balancer still lists it.',
    remediation: 'Check the load balancer health check targets port 32123 path /healthz.',
    evidence: [
      { kind: 'healthz', node: 'node-c', port: 32123, detail: '{"service":{"namespace":"shop","name":"checkout"},"localEndpoints":0}' },
      { kind: 'rule', node: 'node-c', file: 'iptables-save.txt', line: 75, table: 'nat', chain: 'KUBE-EXT-XGLOHA7QRQ3V22RZ', rule: XLB_DROP_RULE },
    ],
  },
];

export const ASSUMPTIONS = [
  'kube-proxy ConfigMap absent: the cluster CIDR is taken from the node podCIDRs 10.244.0.0/24, 10.244.1.0/24, 10.244.2.0/24, 10.244.3.0/24, and detectLocalMode ClusterCIDR is assumed',
  'feature gates: defaults of Kubernetes 1.33 assumed',
];

export function explanation(): ServiceExplanation {
  // Keys deliberately not in contract order (findings first, kind before apiVersion): the
  // JSON test checks that the output has the contract's order anyway.
  return {
    findings: FINDINGS,
    assumptions: ASSUMPTIONS,
    kind: 'ServiceExplanation',
    apiVersion: 'netpath/v1alpha1',
    service: {
      name: 'checkout',
      namespace: 'shop',
      type: 'LoadBalancer',
      clusterIPs: ['10.96.12.34', 'fd00:10:96::c'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }],
      externalTrafficPolicy: 'Local',
      internalTrafficPolicy: 'Cluster',
      healthCheckNodePort: 32123,
      externalIPs: [],
      loadBalancerIPs: ['203.0.113.10'],
      loadBalancerSourceRanges: ['198.51.100.0/24'],
      sessionAffinity: { type: 'None', timeoutSeconds: null },
      trafficDistribution: 'PreferClose',
      externalName: null,
      headless: false,
    },
    nodes: [
      nodeReport('node-a', 2, { status: 200, localEndpoints: 2, source: 'nodes/node-a/healthz/32123.json' }),
      nodeReport('node-b', 1, undefined),
      nodeReport('node-c', 0, { status: 503, localEndpoints: 0, source: 'nodes/node-c/healthz/32123.json' }),
      nodeReport('node-d', 0, null),
    ],
    paths: [
      ...['node-a', 'node-b'].map((node): PathReport => ({
        outcomes: clusterIPOutcomes(node),
        entry: 'ClusterIP', node, address: '10.96.12.34', port: 80, protocol: 'TCP', basis: 'dataplane', from: 'pod',
      })),
      ...['node-a', 'node-b', 'node-c', 'node-d'].map(nodePortPath),
    ],
    loadBalancerShares: [
      { endpoint: A1, share: 0.25 },
      { endpoint: A2, share: 0.25 },
      { endpoint: B1, share: 0.5 },
    ],
    imbalanceFactor: 2,
    loadBalancer: null,
  };
}

export function trace(): TraceReport {
  return {
    outcomes: clusterIPOutcomes('node-c'),
    apiVersion: 'netpath/v1alpha1',
    kind: 'Trace',
    packet: { from: 'pod shop/client-0', src: '10.244.3.9', dst: '10.96.12.34', port: 80, protocol: 'TCP', entryNode: 'node-c' },
    basis: 'dataplane',
    proxyMode: 'iptables',
    service: { namespace: 'shop', name: 'checkout', entry: 'ClusterIP' },
    findings: [FINDINGS[0]!],
    assumptions: ASSUMPTIONS,
  };
}
