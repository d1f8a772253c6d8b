import assert from 'node:assert/strict';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { Cluster } from '../../harness/cluster.ts';
import type { Outcome } from '../../../src/model/outcome.ts';
import { inScenario } from '../support/scenario.ts';
import { assertHealthChecks, explainBundle, pathOf, probeAgainst, traceBundle, traced } from '../support/netpath.ts';
import type { Shot } from '../support/netpath.ts';

const NODES = ['node-a', 'node-b', 'node-c'] as const;
const replies = (outs: readonly Outcome[]) => Object.fromEntries(outs.map((o) => [o.endpoint?.pod ?? o.verdict, o.reply?.returns ?? null]));

/**
 * A pod on node-a reaches node-b's and node-c's NodePort of an externalTrafficPolicy=Local
 * service with one pod on each node. kube-proxy (iptables and nftables, detectLocalMode
 * ClusterCIDR) sends pod traffic to every endpoint without masquerade ("pod traffic for ...
 * external destinations" in KUBE-EXT), so only the endpoint on the entry node answers: the
 * others reply straight to the client pod from their own address, bypassing the node that did
 * the DNAT, and the connection times out (the harness routes podCIDRs node to node with no CNI
 * masquerade). netpath predicts 1/3 answered by the entry node's pod and 2/3 timeouts, and the
 * kernel must do exactly that. The Cluster-policy twin masquerades: every connection answers.
 */
export async function podToOtherNodesLocalNodePort(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-return-path', async (s) => {
    const selector = { app: 'web' };
    for (const n of NODES) await s.pod(`web-${n.slice(-1)}`, n, selector);
    const clientA = await s.pod('client-a', 'node-a');
    const ports = [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }];
    const local = await s.service('np-local', { type: 'NodePort', externalTrafficPolicy: 'Local', selector, ports });
    const cluster = await s.service('np-cluster', { type: 'NodePort', externalTrafficPolicy: 'Cluster', selector, ports });
    await s.settle({ 'np-local': (e) => e.ready === 3, 'np-cluster': (e) => e.ready === 3 });
    const dir = await s.capture();
    const ns = s.namespace;

    for (const entry of ['node-b', 'node-c'] as const) {
      const n = s.node(entry);
      const port = local.spec?.ports?.[0]?.nodePort ?? 0;
      const shot: Shot = { from: clientA.netns, clientIP: clientA.ip, entryNode: entry, address: n.ip, port, label: `pod on node-a -> np-local NodePort on ${entry}` };
      const outs = traced(await traceBundle(dir, `${n.ip}:${port}`, `pod/${ns}/client-a`), shot);
      // Hand-checked: three endpoints at 1/3, none masqueraded; only the entry node's pod replies through it.
      assert.ok(outs.every((o) => o.verdict === 'DNAT' && Math.abs(o.probability - 1 / 3) < 1e-9 && o.sourceIPPreserved === true), `${shot.label}: ${JSON.stringify(outs.map((o) => [o.verdict, o.probability, o.sourceIPPreserved]))}`);
      const want = { 'web-a': false, 'web-b': entry === 'node-b', 'web-c': entry === 'node-c' };
      assert.deepEqual(replies(outs), want, `${shot.label}: reply paths`);
      await probeAgainst(s, shot, { trace: outs });

      const cport = cluster.spec?.ports?.[0]?.nodePort ?? 0;
      const cshot: Shot = { ...shot, port: cport, label: `pod on node-a -> np-cluster NodePort on ${entry}` };
      const couts = traced(await traceBundle(dir, `${n.ip}:${cport}`, `pod/${ns}/client-a`), cshot);
      assert.deepEqual(replies(couts), { 'web-a': true, 'web-b': true, 'web-c': true }, `${cshot.label}: masqueraded, every reply returns`);
      await probeAgainst(s, cshot, { trace: couts });
    }
  });
}

/**
 * A Service without selector whose only endpoint, pod web-m on node-a, is listed by a hand-made
 * EndpointSlice (no managed-by label, no conditions) that says nodeName node-b. kube-proxy takes
 * nil conditions as ready and decides "local" from the slice (endpointslicecache.go addEndpoints),
 * so node-b counts one local endpoint and answers 200 on the health check, node-a (where the pod
 * runs) and node-c 503. Rules follow the slice, packets follow the pod: from outside, node-a and
 * node-c drop (no local endpoint by the rules); node-b DNATs to the pod as if it were local,
 * without masquerade, so the reply leaves node-a straight to the client and the connection times
 * out. A pod on node-b reaching node-b's NodePort (pod traffic, no masquerade) gets its answer
 * from web-m on node-a, since the reply comes back through node-b; a pod on node-c does not.
 */
export async function handMadeSliceWrongNode(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-wrong-node', async (s) => {
    const web = await s.pod('web-m', 'node-a');
    const clientB = await s.pod('client-b', 'node-b');
    const clientC = await s.pod('client-c', 'node-c');
    const svc = await s.service('manual', {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    });
    const slice: V1EndpointSlice = {
      metadata: { name: 'manual-wrong', namespace: s.namespace, labels: { 'kubernetes.io/service-name': 'manual' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: [web.ip], nodeName: 'node-b', targetRef: { kind: 'Pod', namespace: s.namespace, name: 'web-m' } }],
    };
    s.mark();
    await c.discovery.createNamespacedEndpointSlice({ namespace: s.namespace, body: slice });
    await s.settle({ manual: (e) => e.total === 1 });
    const dir = await s.capture();
    const ns = s.namespace;
    const ex = await explainBundle(dir, ns, 'manual');

    // Health as kube-proxy counts it: the slice's nodeName decides, nil conditions are ready.
    assert.deepEqual(ex.nodes.map((n) => [n.name, n.healthCheck.status, n.readyLocalEndpoints]), [['node-a', 503, 0], ['node-b', 200, 1], ['node-c', 503, 0]]);
    await assertHealthChecks(c, ex);
    const mismatch = ex.findings.filter((f) => f.id === 'endpoint-node-mismatch');
    assert.equal(mismatch.length, 1, JSON.stringify(ex.findings.map((f) => f.id)));
    assert.deepEqual(mismatch[0]?.evidence.map((e) => ('name' in e ? e.name : null)), ['manual-wrong', 'web-m']);

    const port = svc.spec?.ports?.[0]?.nodePort ?? 0;
    const client = c.layout.client;
    const expected: Record<string, [string, string | null, boolean | null][]> = {
      'node-a': [['DROP', null, null]],
      // Rules follow the slice (local on node-b), the packet follows the pod (node-a).
      'node-b': [['DNAT', 'node-b', false]],
      'node-c': [['DROP', null, null]],
    };
    for (const node of NODES) {
      const n = s.node(node);
      const path = pathOf(ex, 'NodePort', node);
      assert.deepEqual(
        path.outcomes.map((o) => [o.verdict, o.endpoint?.sliceNodeName ?? null, o.reply?.returns ?? null]),
        expected[node],
        `explain-svc NodePort on ${node}`,
      );
      const shot: Shot = { from: client.netns, clientIP: client.ip, entryNode: node, address: n.ip, port, label: `client -> manual NodePort on ${node}` };
      await probeAgainst(s, shot, {
        'explain-svc NodePort': path.outcomes,
        trace: traced(await traceBundle(dir, `${n.ip}:${port}`, `external:${client.ip}`), shot),
      });
    }

    const b = s.node('node-b');
    for (const [pod, returns] of [[clientB, true], [clientC, false]] as const) {
      const shot: Shot = { from: pod.netns, clientIP: pod.ip, entryNode: 'node-b', address: b.ip, port, label: `pod on ${pod.node} -> manual NodePort on node-b` };
      const outs = traced(await traceBundle(dir, `${b.ip}:${port}`, `pod/${ns}/${pod.name}`), shot);
      assert.deepEqual(outs.map((o) => [o.verdict, o.endpoint?.pod, o.endpoint?.node, o.sourceIPPreserved, o.reply?.returns]), [['DNAT', 'web-m', 'node-a', true, returns]], shot.label);
      await probeAgainst(s, shot, { trace: outs });
    }
  });
}
