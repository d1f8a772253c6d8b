// The Local-policy rules per load-balancer entry kind (src/analyzers/load-balancer/ detects it and
// cites each provider's documentation): a health-checking cloud LB avoids nodes answering 503 on
// healthCheckNodePort; ip targets (AWS LBC ip mode) send to pods, kube-proxy is off the path;
// MetalLB (L2 / BGP) and kube-vip probe nothing, so what reaches a node without a ready local
// endpoint is dropped by kube-proxy (pkg/proxy/topology.go: external traffic under Local uses
// local endpoints only). Two nodes: node-a 192.168.0.1 (pods 10.0.1.x), node-b 192.168.0.2.
import { clusterPolicySnat } from '../../../src/analyzers/findings/cluster-policy-snat.ts';
import { healthCheckDiffers } from '../../../src/analyzers/findings/health-check-differs.ts';
import { localPolicyImbalance } from '../../../src/analyzers/findings/local-policy-imbalance.ts';
import { localPolicyUnhealthyNodes } from '../../../src/analyzers/findings/local-policy-unhealthy-nodes.ts';
import { annotated, AWS_IP, GKE, GKE_WEIGHTED, loadBalancer, metallbStatus, NODES, slice } from './objects.ts';
import { testRule } from './rule-tester.ts';

const ready = (ip: string, node: string, pod: string) => ({ ip, node, pod });
/** One ready pod, on node-a: node-b answers 503 on healthCheckNodePort 32000. */
const onA = [slice('web-1', [ready('10.0.1.5', 'node-a', 'web-a1')])];
/** Two ready pods on node-a, one on node-b. */
const twoOne = [slice('web-1', [ready('10.0.1.5', 'node-a', 'web-a1'), ready('10.0.1.6', 'node-a', 'web-a2'), ready('10.0.2.5', 'node-b', 'web-b1')])];
const local = (annotations: Record<string, string>) => annotated(loadBalancer('Local'), annotations);

testRule(localPolicyUnhealthyNodes, {
  valid: [
    {
      // ip targets: the NLB probes and sends to 10.0.1.5 itself; node-b's 503 steers nothing.
      name: 'pods entry (AWS LBC ip targets): kube-proxy health check is not on the path',
      cluster: { service: local(AWS_IP), slices: onA, nodes: NODES },
    },
    {
      // Every node answers 503, but no node is a target: no-endpoints says the pods are not ready.
      name: 'pods entry (AWS LBC ip targets) with no ready pod: not a node health matter',
      cluster: { service: local(AWS_IP), slices: [slice('web-1', [{ ip: '10.0.1.5', node: 'node-a', ready: false }])], nodes: NODES },
    },
    {
      // Under Local MetalLB announces from a node with a ready local endpoint: node-a holds it all.
      name: 'single-node entry (MetalLB L2) on node-a, which has the pod: node-b gets no load-balancer traffic',
      cluster: { service: loadBalancer('Local'), slices: onA, nodes: NODES, serviceL2Statuses: [metallbStatus('ServiceL2Status', 'node-a')] },
    },
    {
      name: 'ecmp entry (MetalLB BGP) advertised from node-a only: node-b is not a next hop',
      cluster: { service: loadBalancer('Local'), slices: onA, nodes: NODES, serviceBGPStatuses: [metallbStatus('ServiceBGPStatus', 'node-a')] },
    },
  ],
  invalid: [
    {
      // GKE probes healthCheckNodePort 32000 under Local: node-b is avoided; today's message, no assumption.
      name: 'all-healthy-nodes entry (GKE): the load balancer avoids node-b',
      cluster: { service: local(GKE), slices: onA, nodes: NODES },
      findings: [{ id: 'local-policy-unhealthy-nodes', severity: 'warning', evidence: [{ kind: 'node', node: 'node-b' }], says: [/1 of 2 nodes \(node-b\)/, /marks them unhealthy, and traffic that still reaches them from outside is dropped\.$/] }],
    },
    {
      // kube-vip ARP: node-b (vipHost) holds the address, 100% enters there; it has no local pod.
      name: 'single-node entry (kube-vip vipHost node-b) without a local pod: all traffic is dropped',
      cluster: { service: local({ 'kube-vip.io/vipHost': 'node-b' }), slices: onA, nodes: NODES },
      findings: [{ id: 'local-policy-unhealthy-nodes', severity: 'error', evidence: [{ kind: 'node', node: 'node-b', detail: 'receives 100.0% of load-balancer traffic (kube-vip, entry single-node, no health check of healthCheckNodePort)' }], says: [/100\.0% of it enters node-b, where kube-proxy DROPS it/, /external traffic fails/] }],
    },
    {
      // kube-vip without vipHost: every node is an entry, 1/2 each; node-b's half is dropped.
      name: 'ecmp entry (kube-vip BGP) over both nodes: node-b\'s 50% is dropped',
      cluster: { service: local({ 'kube-vip.io/loadbalancerIPs': '203.0.113.10' }), slices: onA, nodes: NODES },
      findings: [{ id: 'local-policy-unhealthy-nodes', severity: 'warning', says: [/router spreads flows evenly over them \(ECMP\)/, /50\.0% of it enters node-b, where kube-proxy DROPS it/] }],
    },
    {
      // No ready endpoint anywhere and no health check: whatever node-a receives is dropped.
      name: 'single-node entry (MetalLB L2, stale announcer node-a) with no ready pod: error',
      cluster: { service: loadBalancer('Local'), slices: [slice('web-1', [{ ip: '10.0.1.5', node: 'node-a', ready: false }])], nodes: NODES, serviceL2Statuses: [metallbStatus('ServiceL2Status', 'node-a')] },
      findings: [{ id: 'local-policy-unhealthy-nodes', severity: 'error', says: [/2 of 2 nodes/, /100\.0% of it enters node-a/, /external traffic fails/] }],
    },
  ],
});

testRule(localPolicyImbalance, {
  valid: [
    {
      // 3 ready pods, each its own target: 1/3 each, no per-node split.
      name: 'pods entry (AWS LBC ip targets): the load balancer spreads per pod',
      cluster: { service: local(AWS_IP), slices: twoOne, nodes: NODES },
    },
    {
      // Weights 2 (node-a) and 1 (node-b): node-a 2/3 over 2 pods = 1/3 each, node-b 1/3.
      name: 'all-healthy-nodes entry (GKE pods-per-node weighting): 1/3 per pod',
      cluster: { service: local(GKE_WEIGHTED), slices: twoOne, nodes: NODES },
    },
  ],
  invalid: [
    {
      // Even over node-a, node-b: web-a1, web-a2 1/2 x 1/2 = 25%, web-b1 50%: factor 2.
      name: 'all-healthy-nodes entry (GKE, no weighting): factor 2',
      cluster: { service: local(GKE), slices: twoOne, nodes: NODES },
      findings: [{ id: 'local-policy-imbalance', severity: 'warning', says: [/gke spreads it over node-a, node-b/, /web-b1 on node-b gets 50\.0% while web-a\d on node-a gets 25\.0% \(imbalance factor 2\.00\)/] }],
    },
    {
      // All of it enters node-a: web-a1, web-a2 1/2 each, web-b1 none.
      name: 'single-node entry (MetalLB L2 on node-a): the pod on node-b gets nothing',
      cluster: { service: loadBalancer('Local'), slices: twoOne, nodes: NODES, serviceL2Statuses: [metallbStatus('ServiceL2Status', 'node-a')] },
      findings: [{ id: 'local-policy-imbalance', severity: 'warning', says: [/metallb delivers all of it to one node \(node-a\)/, /gets 50\.0% while 1 of 3 ready pods \(web-b1 on node-b\) get none/] }],
    },
    {
      // ECMP over node-a and node-b, 1/2 each: as the even model, factor 2.
      name: 'ecmp entry (MetalLB BGP over node-a, node-b): factor 2',
      cluster: { service: loadBalancer('Local'), slices: twoOne, nodes: NODES, serviceBGPStatuses: ['node-a', 'node-b'].map((n) => metallbStatus('ServiceBGPStatus', n)) },
      findings: [{ id: 'local-policy-imbalance', severity: 'warning', says: [/\(ECMP\)/, /imbalance factor 2\.00/] }],
    },
  ],
});

const healthz = (status: number, localEndpoints: number) => new Map([[32000, { status, localEndpoints, source: 'healthz.json' }]]);
/** node-a answers 503 although the slice puts web-a1 there (kube-proxy stale). */
const stale503 = { 'node-a': { healthz: healthz(503, 0) } };
testRule(healthCheckDiffers, {
  valid: [{ name: 'pods entry: node-a answers 200 as predicted', cluster: { service: local(AWS_IP), slices: onA, nodes: NODES }, views: { 'node-a': { healthz: healthz(200, 1) } } }],
  invalid: [
    {
      name: 'all-healthy-nodes entry (GKE probes 32000): the answer steers the load balancer, nothing added',
      cluster: { service: local(GKE), slices: onA, nodes: NODES },
      views: stale503,
      findings: [{ id: 'health-check-differs', severity: 'warning', says: [/predict 200 \(1 ready local endpoints\)\.$/] }],
    },
    {
      name: 'pods entry (AWS LBC ip targets): the load balancer probes the pods, the answer steers nothing',
      cluster: { service: local(AWS_IP), slices: onA, nodes: NODES },
      views: stale503,
      findings: [{ id: 'health-check-differs', severity: 'warning', says: [/aws-load-balancer-controller does not probe healthCheckNodePort \(ip targets: it probes the pods\)/] }],
    },
    {
      name: 'single-node entry (MetalLB L2): MetalLB probes nothing',
      cluster: { service: loadBalancer('Local'), slices: onA, nodes: NODES, serviceL2Statuses: [metallbStatus('ServiceL2Status', 'node-a')] },
      views: stale503,
      findings: [{ id: 'health-check-differs', severity: 'warning', says: [/metallb does not probe healthCheckNodePort, so this answer does not change where its traffic goes/] }],
    },
  ],
});

testRule(clusterPolicySnat, {
  valid: [{ name: 'pods entry under Local: nothing masqueraded', cluster: { service: local(AWS_IP), slices: twoOne, nodes: NODES } }],
  invalid: [
    {
      // Cluster policy: the NodePort is still masqueraded; the NLB's ip-target traffic never reaches kube-proxy.
      name: 'pods entry (AWS LBC ip targets) under Cluster: only the NodePort is masqueraded',
      cluster: { service: annotated(loadBalancer('Cluster'), AWS_IP), slices: twoOne, nodes: NODES },
      findings: [{ id: 'cluster-policy-snat', severity: 'info', evidence: [{ kind: 'service', detail: 'spec.externalTrafficPolicy=Cluster' }], says: [/sends to the pods' IPs directly \(ip targets\): kube-proxy does not masquerade load-balancer traffic/, /only traffic sent to the NodePort is masqueraded/] }],
    },
    {
      name: 'all-healthy-nodes entry (GKE) under Cluster: masqueraded as before',
      cluster: { service: annotated(loadBalancer('Cluster'), GKE), slices: twoOne, nodes: NODES },
      findings: [{ id: 'cluster-policy-snat', severity: 'info', says: [/external traffic is masqueraded to the node's address/] }],
    },
  ],
});
