import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { Cluster } from '../../harness/cluster.ts';
import { lastProxySyncs } from '../../harness/sync.ts';
import { LiveSource } from '../../../src/cluster/live/live-source.ts';
import { nodeAccessOf } from '../../../src/cluster/live/node-access-options.ts';
import { explainFrom } from '../../../src/commands/explain-svc.ts';
import type { ServiceExplanation } from '../../../src/model/results.ts';
import { inScenario } from '../support/scenario.ts';
import { jsonDifferences } from '../support/json-diff.ts';
import type { JsonDifference } from '../support/json-diff.ts';

/** Only the kubeconfig given: nothing of this machine's environment or home. */
const ISOLATED = { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' };

/**
 * What differs by design between a planned read and --all-nodes: which nodes were read (`reads`,
 * each path's `basis`, where a node's mode came from, the assumption naming the nodes answered
 * from the model), and what only a read node can tell (its live health-check answer, its
 * node-state health, its counters and conntrack, what its dump holds besides the service's rules).
 * Everything the service's answer consists of (outcomes, shares, node reports' predictions,
 * findings) must be equal.
 */
function byDesign(d: JsonDifference): boolean {
  return (
    /^reads(\.|$)/.test(d.path) ||
    /^paths\[\d+\]\.basis$/.test(d.path) ||
    /^nodes\[\d+\]\.proxyModeSource$/.test(d.path) ||
    /^assumptions(\[\d+\])?$/.test(d.path) ||
    /^nodes\[\d+\]\.healthCheck\.observed(\.|$)/.test(d.path) ||
    /^nodeHealth(\[\d+\])?(\.|$)/.test(d.path) ||
    /^observed(\.|$)/.test(d.path)
  );
}

async function explainLive(c: Cluster, ns: string, allNodes: boolean): Promise<ServiceExplanation> {
  const localNetns = [c.layout.nodes.map((n) => `${n.name}=${n.netns}`).join(',')];
  const source = LiveSource.open({ kubeconfig: c.layout.kubeconfig }, nodeAccessOf({ localNetns }), ISOLATED);
  try {
    return await explainFrom(source, ns, 'web', allNodes);
  } finally {
    await source.close();
  }
}

/**
 * Issue 11's node plan against the harness: a Local LoadBalancer service whose two pods both sit
 * on node-a. The nodes whose answer can differ are node-a (its endpoints) and one of node-b and
 * node-c (no endpoints, same kube-proxy version and mode: health check 503, external traffic
 * dropped), the first by name, node-b; node-c is answered from kube-proxy's semantics. That run
 * must say so and give the same answer (outcomes, shares, findings, predicted health) as an
 * --all-nodes run that walks node-c's real rules too.
 */
export async function nodePlanLocalPolicy(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-node-plan', async (s) => {
    const selector = { app: 'web' };
    await s.pod('web-0', 'node-a', selector);
    await s.pod('web-1', 'node-a', selector);
    await s.service('web', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    await s.loadBalancerIngress('web', '10.251.7.1', ['node-a', 'node-b', 'node-c']);
    await s.settle({ web: (e) => e.ready === 2 });

    // Both readings must see the same rules: read again if kube-proxy synced in between.
    let pair: [ServiceExplanation, ServiceExplanation] | undefined;
    for (let attempt = 1; attempt <= 3 && !pair; attempt++) {
      const before = await lastProxySyncs(c);
      const taken: [ServiceExplanation, ServiceExplanation] = [await explainLive(c, s.namespace, false), await explainLive(c, s.namespace, true)];
      if (isDeepStrictEqual(await lastProxySyncs(c), before)) pair = taken;
      else console.error(`# ${s.namespace}: kube-proxy synced during the readings (attempt ${attempt}); reading again`);
    }
    assert.ok(pair, 'two readings without a kube-proxy sync in between');
    const [planned, every] = pair;

    assert.deepEqual(planned.reads?.nodesRead, ['node-a', 'node-b']);
    assert.deepEqual(planned.reads?.nodesModel, ['node-c']);
    assert.equal(planned.reads?.reasons['node-a'], 'endpoints');
    // The harness runs no kubelet, so its Nodes report no version; the mode is the ConfigMap's.
    assert.equal(planned.reads?.reasons['node-b'], `no endpoints, for 2 such nodes with kube-proxy version unknown, ${every.nodes[0]?.proxyMode} mode`);
    // --local-netns: no debug pod; the API was read (service, slices, pods, nodes, ConfigMap at least).
    assert.equal(planned.reads?.debugPods, 0);
    // 10 API calls: get service, list endpointslices, list pods (by selector), list nodes, get
    // configmap kube-proxy, and the five optional load-balancer lists (ingresses, ingress classes,
    // TargetGroupBindings, MetalLB L2 and BGP statuses; a 404 for an absent CRD is a call too),
    // each one page; --local-netns reads the nodes without the API.
    assert.equal(planned.reads?.apiCalls, 10);
    assert.deepEqual(
      [...new Set(planned.paths.filter((p) => p.basis === 'model').map((p) => p.node))],
      ['node-c'],
      'only node-c answered from the model',
    );
    assert.deepEqual(every.reads?.nodesRead, ['node-a', 'node-b', 'node-c']);
    assert.deepEqual(every.reads?.nodesModel, []);
    assert.ok(every.paths.every((p) => p.basis === 'dataplane'), '--all-nodes walked every node\'s rules');
    // The prediction for node-c is what the real rules say: 503 and no local endpoint.
    assert.deepEqual(planned.nodes.map((n) => [n.name, n.healthCheck.status]), [['node-a', 200], ['node-b', 503], ['node-c', 503]]);

    // How a model node's answer was derived differs by design: the steps of an outcome are the
    // rules walked or kube-proxy's reasoning, a finding's evidence for it a rule line or the
    // model's sentence. The outcomes themselves (verdict, probability, endpoint, hop, source IP)
    // and each finding's id, severity and message must not.
    const modelNodes = new Set(planned.reads?.nodesModel ?? []);
    // What a dump holds beyond this service (e.g. a deleted scenario's chains that kube-proxy
    // removes after a delay: dump-not-understood) only a read of that node can tell, like its health.
    const aboutUnreadDump = (f: ServiceExplanation['findings'][number]) =>
      f.id === 'dump-not-understood' && f.evidence.every((e) => 'node' in e && typeof e.node === 'string' && modelNodes.has(e.node));
    const comparable = (r: ServiceExplanation) => ({
      ...r,
      paths: r.paths.map((p) => ({ ...p, outcomes: p.outcomes.map(({ steps: _steps, ...o }) => o) })),
      findings: r.findings.filter((f) => !aboutUnreadDump(f)).map((f) => ({
        ...f,
        evidence: f.evidence.map((e) => ('node' in e && typeof e.node === 'string' && modelNodes.has(e.node) ? { node: e.node } : e)),
      })),
    });
    const diffs = jsonDifferences(comparable(planned), comparable(every));
    const show = diffs.map((d) => `${d.path}: ${JSON.stringify(d.left)} vs ${JSON.stringify(d.right)}`).join('\n');
    assert.deepEqual(diffs.filter((d) => !byDesign(d)), [], `planned read vs --all-nodes:\n${show}`);
  });
}
