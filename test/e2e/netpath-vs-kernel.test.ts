// End-to-end: what netpath says against what the kernel does. One real mini cluster per kube-proxy
// mode (scripts/cluster/up: real kube-apiserver, EndpointSlice controller and kube-proxy in network
// namespaces), every scenario in it in turn, each in its own namespace and cleaned after. Each
// scenario builds its objects through the API, captures a bundle, runs explain-svc and trace on it
// as the commands do, then sends real connections and checks the kernel against netpath (see
// support/compare.ts). Needs root. NETPATH_E2E_MODES=iptables,nftables picks the modes,
// NETPATH_K8S_VERSION the Kubernetes version. Run serially (--test-concurrency=1): one harness
// cluster per machine.
import { describe, test } from 'node:test';
import { useCluster } from '../harness/cluster.ts';
import type { ProxyMode } from '../harness/layout.ts';
import { captureEquality } from './scenarios/capture-equality.ts';
import { nodePlanLocalPolicy } from './scenarios/node-plan.ts';
import { damagedDump } from './scenarios/damaged-dump.ts';
import { clusterIPThreeEndpoints } from './scenarios/clusterip.ts';
import { notReadyPod, terminatingPods } from './scenarios/endpoint-states.ts';
import { nodePortAndLoadBalancer } from './scenarios/external.ts';
import { ipTargetLoadBalancer, metallbL2SingleNode } from './scenarios/load-balancer-model.ts';
import { hostNetworkEndpoints } from './scenarios/host-network.ts';
import { nodeItself } from './scenarios/node-itself.ts';
import { internalTrafficPolicyLocal, loadBalancerSourceRanges, noEndpoints, sessionAffinityClientIP } from './scenarios/policies.ts';
import { handMadeSliceWrongNode, podToOtherNodesLocalNodePort } from './scenarios/return-path.ts';
import { staleKubeProxy } from './scenarios/stale.ts';
import { kernelState } from './scenarios/kernel-state.ts';
import { trafficDistribution } from './scenarios/topology.ts';

const MODES = (process.env.NETPATH_E2E_MODES ?? 'iptables,nftables').split(',') as ProxyMode[];
const version = process.env.NETPATH_K8S_VERSION;
const skip = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

// BUG (nftables mode on Kubernetes v1.36): kube-proxy v1.36 DNATs a service without affinity in
// one rule, `meta l4proto tcp dnat ip addr . port to numgen random mod N map { 0 : IP . PORT, ... }`
// (pkg/proxy/nftables/proxier.go writeServiceToEndpointDNATs; v1.35 jumped to per-endpoint chains
// through a numgen vmap). netpath's nftables walker (src/dataplane/nftables, eval-expr.ts) does not
// evaluate that map, assumes the rule does not match and answers REJECT for every ClusterIP with
// endpoints and NO-MATCH for NodePorts and LB IPs, plus dataplane-stale on every node: the
// scenarios' first kernel check fails in that mode until the walker understands the rule.
for (const mode of MODES) {
  describe(`netpath against the kernel, kube-proxy ${mode}`, { skip }, () => {
    const cluster = useCluster({ mode, ...(version ? { version } : {}) });
    test('ClusterIP with 3 endpoints: from a pod (TCP, UDP), from a node, hairpin', () => clusterIPThreeEndpoints(cluster()));
    test('NodePort and LoadBalancer, Cluster and Local, pods 2/1/0: every node, LB shares, health checks', () => nodePortAndLoadBalancer(cluster()));
    // The load-balancer model (issue 9) does not depend on the proxy mode: one pass is enough.
    test('load balancer in ip mode (router DNAT to pods): no kube-proxy, client address kept, loadBalancer.shares', { skip: mode !== 'iptables' && 'iptables pass only' }, (t) => ipTargetLoadBalancer(cluster(), t));
    test('MetalLB L2: one node answers, ServiceL2Status names it, loadBalancer entry single-node', { skip: mode !== 'iptables' && 'iptables pass only' }, (t) => metallbL2SingleNode(cluster(), t));
    test('internalTrafficPolicy Local', () => internalTrafficPolicyLocal(cluster()));
    test('sessionAffinity ClientIP', () => sessionAffinityClientIP(cluster()));
    test('no endpoints: REJECT', () => noEndpoints(cluster()));
    test('loadBalancerSourceRanges: client inside, then outside the range', () => loadBalancerSourceRanges(cluster()));
    test('a not-ready pod', () => notReadyPod(cluster()));
    test('terminating pods', () => terminatingPods(cluster()));
    test('trafficDistribution PreferClose, PreferSameZone, PreferSameNode', () => trafficDistribution(cluster()));
    test('hostNetwork endpoints of two services on one node address', () => hostNetworkEndpoints(cluster()));
    test('to the node itself: health-check port from outside and from the node, localhost NodePort, another node\'s NodePort', () => nodeItself(cluster()));
    test('live explain-svc (--local-netns) equals explain-svc on its capture', () => captureEquality(cluster()));
    test('live Local-policy explain-svc reads only the planned nodes and answers as --all-nodes does', () => nodePlanLocalPolicy(cluster()));
    test('a node whose dump is damaged in the captured bundle: exit 3 naming the file', () => damagedDump(cluster()));
    test('return path: a pod to another node\'s Local NodePort', () => podToOtherNodesLocalNodePort(cluster()));
    test('return path: a hand-made EndpointSlice with a wrong nodeName', () => handMadeSliceWrongNode(cluster()));
    // Last: it stops kube-proxy on node-b for good.
    test('kube-proxy stopped on node-b: dataplane-stale there only', () => staleKubeProxy(cluster()));
    test('kernel state: counters and conntrack per endpoint equal the pods\' tallies; stale UDP entries and their clearing command', () => kernelState(cluster()));
  });
}
