import assert from 'node:assert/strict';
import type { Cluster } from '../../harness/cluster.ts';
import { setPodReady } from '../../harness/pods.ts';
import { stopKubeProxy } from '../../harness/proxy.ts';
import { inScenario } from '../support/scenario.ts';
import { explainBundle, pathOf, probeAgainst, traceBundle, traced } from '../support/netpath.ts';
import type { Shot } from '../support/netpath.ts';

/**
 * Breaks the cluster on purpose (run it last: kube-proxy does not come back). kube-proxy on
 * node-b is stopped, then web-2 is marked not ready and a new pod web-3 joins: the EndpointSlice
 * lists web-0, web-1, web-3; node-a and node-c follow, node-b's rules still send to web-0, web-1
 * and web-2. netpath reports dataplane-stale for node-b only, and what it walks in each node's
 * rules is what the kernel does there.
 */
export async function staleKubeProxy(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-stale', async (s) => {
    const selector = { app: 'web' };
    await s.pod('web-0', 'node-a', selector);
    await s.pod('web-1', 'node-b', selector);
    const web2 = await s.pod('web-2', 'node-c', selector);
    const clientA = await s.pod('client-a', 'node-a');
    const clientB = await s.pod('client-b', 'node-b');
    const svc = await s.service('web', { selector, ports: [{ port: 80, targetPort: 8080 }] });
    await s.settle({ web: (e) => e.ready === 3 });

    await stopKubeProxy(c, 'node-b');
    s.mark();
    await setPodReady(c, web2, false);
    const web3 = await s.pod('web-3', 'node-c', selector);
    const live = ['node-a', 'node-c'];
    await s.settle({ web: (e) => e.ready === 3 && e.total === 4 }, live);
    const dir = await s.capture();
    const ns = s.namespace;
    const ex = await explainBundle(dir, ns, 'web');

    const stale = ex.findings.filter((f) => f.id === 'dataplane-stale');
    const staleNodes = new Set(stale.flatMap((f) => f.evidence.flatMap((e) => (e.kind === 'rule' ? [e.node] : []))));
    assert.deepEqual([...staleNodes], ['node-b'], `dataplane-stale names node-b only: ${stale.map((f) => f.message).join(' | ')}`);
    const says = (f: { message: string }) => f.message.includes(' on node-b ') && f.message.includes(`${web2.ip}:8080`) && f.message.includes(`${web3.ip}:8080`);
    assert.ok(stale.length > 0 && stale.every(says), `dataplane-stale says node-b still sends to web-2 (${web2.ip}) and never to web-3 (${web3.ip}): ${stale.map((f) => f.message).join(' | ')}`);

    const cip = svc.spec?.clusterIP ?? '';
    for (const [pod, node] of [[clientB, 'node-b'], [clientA, 'node-a']] as const) {
      const shot: Shot = { from: pod.netns, clientIP: pod.ip, entryNode: node, address: cip, port: 80, label: `pod on ${node} -> ClusterIP, kube-proxy on node-b stopped` };
      const run = await probeAgainst(s, shot, {
        'explain-svc ClusterIP': pathOf(ex, 'ClusterIP', node).outcomes,
        trace: traced(await traceBundle(dir, `${ns}/web`, `pod/${ns}/${pod.name}`), shot),
      });
      // By hand: node-b's rules are those of before the change, node-a's of after it.
      const want = node === 'node-b' ? ['web-0', 'web-1', 'web-2'] : ['web-0', 'web-1', 'web-3'];
      assert.deepEqual(Object.keys(run.tally.pods).sort(), want.map((p) => `${ns}/${p}`), `${shot.label}: pods reached`);
    }
  });
}
