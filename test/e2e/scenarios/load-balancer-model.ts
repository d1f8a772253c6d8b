import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { Cluster } from '../../harness/cluster.ts';
import { dnatToPods, installCrd } from '../../harness/load-balancer.ts';
import { probe } from '../../harness/traffic.ts';
import type { Tally } from '../../harness/traffic.ts';
import type { ServiceExplanation } from '../../../src/model/results.ts';
import { assertCountsFit, bridgeAddress, withOneResample } from '../support/compare.ts';
import { ANSWER_TIMEOUT_MS, CONNECTIONS, explainBundle } from '../support/netpath.ts';
import { inScenario } from '../support/scenario.ts';
import type { Scenario } from '../support/scenario.ts';

/** explain-svc's `loadBalancer` object, by the names agreed for issue 9 (the part checked here). */
interface LoadBalancerJson {
  implementation: string;
  targetType: 'instance' | 'ip';
  kubeProxyOnPath: boolean;
  entry: 'all-healthy-nodes' | 'single-node' | 'ecmp' | 'pods';
  nodeShares: { node: string; share: number }[];
  shares: { endpoint: { ip: string; port: number; node: string | null; pod: string | null }; share: number }[];
}

export const NOT_MERGED = 'loadBalancer model not merged yet';

/** The model, or null when this build has no loadBalancer key in explain-svc's JSON. */
function modelOf(ex: ServiceExplanation): LoadBalancerJson | null {
  const lb = (ex as unknown as { loadBalancer?: LoadBalancerJson | null }).loadBalancer;
  if (lb === undefined) return null;
  assert.ok(lb, `explain-svc ${ex.service.namespace}/${ex.service.name}: loadBalancer is null for a LoadBalancer service`);
  return lb;
}

/** Per pod (namespace/name): the source addresses it saw. */
const sourcesSeen = (tally: Tally) => Object.fromEntries(Object.entries(tally.sources).map(([pod, by]) => [pod, Object.keys(by).sort()]));

async function sendAndFit(s: Scenario, label: string, ip: string, shares: Record<string, number>): Promise<Tally> {
  const client = s.c.layout.client;
  return withOneResample(
    label,
    () => probe(s.c, { from: client.netns, address: ip, port: 80, count: CONNECTIONS, timeoutMs: ANSWER_TIMEOUT_MS, deadlineMs: 60_000 }),
    (tally) => assertCountsFit(label, CONNECTIONS, tally, shares),
  );
}

const podShares = (s: Scenario, lb: LoadBalancerJson) => Object.fromEntries(lb.shares.map((x) => [`${s.namespace}/${x.endpoint.pod}`, x.share]));

/**
 * An AWS Load Balancer Controller NLB in ip mode, played by the router: the LB address is DNATed
 * straight to the three pod IPs (2 on node-a, 1 on node-b), evenly, so kube-proxy's service rules
 * are not on the path and each pod sees the client's own address. netpath must say targetType ip,
 * entry pods, kubeProxyOnPath false, and a third per pod.
 */
export async function ipTargetLoadBalancer(c: Cluster, t: TestContext): Promise<void> {
  await inScenario(c, 'e2e-lb-ip-target', async (s) => {
    const selector = { app: 'web' };
    const pods = [await s.pod('web-0', 'node-a', selector), await s.pod('web-1', 'node-a', selector), await s.pod('web-2', 'node-b', selector)];
    const lbIP = '10.251.2.1';
    await s.service('web', {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Cluster',
      selector,
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    });
    // As the controller's Service annotations (docs: service/annotations, "nlb-target-type").
    const svc = await c.core.readNamespacedService({ namespace: s.namespace, name: 'web' });
    svc.metadata!.annotations = { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' };
    await c.core.replaceNamespacedService({ namespace: s.namespace, name: 'web', body: svc });
    // status.loadBalancer.ingress is the LB's address; the router's DNAT (not a route to a node) delivers it.
    await s.loadBalancerIngress('web', lbIP, ['node-a']);
    await s.settle({ web: (e) => e.ready === 3 });
    const undo = await dnatToPods(c, lbIP, 80, pods.map((p) => ({ ip: p.ip, port: 8080 })));
    try {
      const dir = await s.capture();
      const ex = await explainBundle(dir, s.namespace, 'web');
      const even = Object.fromEntries(pods.map((p) => [`${s.namespace}/${p.name}`, 1 / 3]));
      const tally = await sendAndFit(s, 'client -> ip-target LB (router DNAT to pods, 1/3 each)', lbIP, even);
      // No kube-proxy on the way: every pod saw the client itself.
      const client = c.layout.client.ip;
      assert.deepEqual(sourcesSeen(tally), Object.fromEntries(pods.map((p) => [`${s.namespace}/${p.name}`, [client]])));

      const lb = modelOf(ex);
      if (!lb) return void t.skip(NOT_MERGED);
      assert.equal(lb.implementation, 'aws-load-balancer-controller');
      assert.equal(lb.targetType, 'ip');
      assert.equal(lb.entry, 'pods');
      assert.equal(lb.kubeProxyOnPath, false, 'kube-proxy is not on an ip-target path: pods saw the client address');
      await sendAndFit(s, 'client -> ip-target LB [explain-svc loadBalancer.shares]', lbIP, podShares(s, lb));
    } finally {
      await undo();
    }
  });
}

/**
 * MetalLB in layer 2 mode: one node answers for the LB address (the router routes it to node-b
 * only) and a ServiceL2Status names that node. externalTrafficPolicy Cluster: node-b's kube-proxy
 * spreads over all three pods (2 on node-a, 1 on node-b) and masquerades, so no pod sees the
 * client. netpath must say entry single-node, node-b's node share 1, kube-proxy on the path.
 */
export async function metallbL2SingleNode(c: Cluster, t: TestContext): Promise<void> {
  const removeCrd = await installCrd(c, 'servicel2statuses.metallb.io');
  try {
    await inScenario(c, 'e2e-lb-metallb-l2', async (s) => {
      const selector = { app: 'web' };
      const pods = [await s.pod('web-0', 'node-a', selector), await s.pod('web-1', 'node-a', selector), await s.pod('web-2', 'node-b', selector)];
      const lbIP = '10.251.2.2';
      await s.service('web', { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', selector, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] });
      await s.loadBalancerIngress('web', lbIP, ['node-b']);
      // As MetalLB's speaker writes it (in its own namespace, here the scenario's, with its labels).
      const custom = c.kubeConfig.makeApiClient(CustomObjectsApi);
      const ref = { group: 'metallb.io', version: 'v1beta1', namespace: s.namespace, plural: 'servicel2statuses', name: 'l2-web' };
      await custom.createNamespacedCustomObject({
        ...ref,
        body: {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'ServiceL2Status',
          metadata: { name: ref.name, labels: { 'metallb.io/node': 'node-b', 'metallb.io/service-name': 'web', 'metallb.io/service-namespace': s.namespace } },
        },
      });
      await custom.patchNamespacedCustomObjectStatus({ ...ref, body: [{ op: 'add', path: '/status', value: { node: 'node-b', serviceName: 'web', serviceNamespace: s.namespace, interfaces: [{ name: 'eth0' }] } }] });
      await s.settle({ web: (e) => e.ready === 3 });
      const dir = await s.capture();
      const ex = await explainBundle(dir, s.namespace, 'web');
      const even = Object.fromEntries(pods.map((p) => [`${s.namespace}/${p.name}`, 1 / 3]));
      const tally = await sendAndFit(s, 'client -> MetalLB L2 address on node-b (kube-proxy there: 1/3 each)', lbIP, even);
      // Masquerade on the entry node shows which node that was: its bridge address towards its own
      // pod, its wire address towards the others; the client's own address nowhere.
      const seenFrom = (entry: string) =>
        Object.fromEntries(pods.map((p) => [`${s.namespace}/${p.name}`, [p.node === entry ? bridgeAddress(s.node(entry)) : s.node(entry).ip]]));
      assert.deepEqual(sourcesSeen(tally), seenFrom('node-b'), 'the router sends the L2 address to node-b only');

      const lb = modelOf(ex);
      if (!lb) return void t.skip(NOT_MERGED);
      assert.equal(lb.implementation, 'metallb');
      assert.equal(lb.entry, 'single-node');
      assert.equal(lb.kubeProxyOnPath, true);
      const entered = lb.nodeShares.filter((n) => n.share > 0);
      assert.deepEqual(entered.map((n) => n.share), [1], 'one node takes every connection');
      assert.deepEqual(sourcesSeen(tally), seenFrom(entered[0]!.node), `netpath's entry node ${entered[0]!.node} is where the kernel's connections entered`);
      await sendAndFit(s, 'client -> MetalLB L2 address [explain-svc loadBalancer.shares]', lbIP, podShares(s, lb));
    });
  } finally {
    await removeCrd();
  }
}
