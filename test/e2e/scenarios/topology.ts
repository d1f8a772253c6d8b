import assert from 'node:assert/strict';
import type { Cluster } from '../../harness/cluster.ts';
import { endpointSlices } from '../../harness/services.ts';
import { waitForProxySync } from '../../harness/sync.ts';
import { waitUntil } from '../../harness/wait.ts';
import { inScenario } from '../support/scenario.ts';
import { explainBundle, pathOf, probeAgainst, traceBundle, traced } from '../support/netpath.ts';
import type { Shot } from '../support/netpath.ts';

/** Per client node: zone-a has web-0 and web-1, zone-b web-2, zone-c nothing (fallback to all). */
const REACHED: Record<string, string[]> = { 'node-a': ['web-0', 'web-1'], 'node-b': ['web-2'], 'node-c': ['web-0', 'web-1', 'web-2'] };
const DISTRIBUTIONS = { close: 'PreferClose', 'same-zone': 'PreferSameZone', 'same-node': 'PreferSameNode' } as const;

/**
 * trafficDistribution over pods 2/1/0 in zones a/b/c (one node per zone). The EndpointSlice
 * controller (k8s.io/endpointslice trafficdist) hints every ready endpoint for its own zone, and
 * for PreferSameNode for its own node too, whatever the spread (the old topology-aware hints
 * needed enough endpoints per zone; this heuristic does not). kube-proxy (pkg/proxy/topology.go)
 * then keeps a node to the endpoints hinted for it and falls back to all of them when none is:
 * node-a gets its 2 pods, node-b its 1, node-c (zone-c, no endpoint) all 3.
 */
export async function trafficDistribution(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-topology', async (s) => {
    const selector = { app: 'web' };
    await s.pod('web-0', 'node-a', selector);
    await s.pod('web-1', 'node-a', selector);
    await s.pod('web-2', 'node-b', selector);
    const clients = [await s.pod('client-a', 'node-a'), await s.pod('client-b', 'node-b'), await s.pod('client-c', 'node-c')];
    const cips: Record<string, string> = {};
    for (const [name, trafficDistribution] of Object.entries(DISTRIBUTIONS)) {
      const svc = await s.service(name, { selector, trafficDistribution, ports: [{ port: 80, targetPort: 8080 }] });
      cips[name] = svc.spec?.clusterIP ?? '';
    }
    await s.settle(Object.fromEntries(Object.keys(DISTRIBUTIONS).map((n) => [n, (e) => e.ready === 3])));
    // What the controller wrote, read back (the hints may land in a second slice update).
    for (const name of Object.keys(DISTRIBUTIONS)) {
      const hints = await waitUntil(`hints on ${name}`, async () => {
        const eps = (await endpointSlices(c, s.namespace, name)).flatMap((sl) => sl.endpoints ?? []);
        return eps.every((e) => e.hints) ? eps : undefined;
      });
      for (const e of hints) {
        const pod = s.podNamed(e.targetRef?.name ?? '');
        const zone = s.node(pod.node).zone;
        assert.deepEqual(e.hints?.forZones?.map((z) => z.name), [zone], `${name}: zone hint of ${pod.name}`);
        assert.deepEqual(e.hints?.forNodes?.map((n) => n.name), name === 'same-node' ? [pod.node] : undefined, `${name}: node hint of ${pod.name}`);
      }
    }
    // kube-proxy must have synced the hints too: a sync after the controller's last slice write
    // (managedFields time, whole seconds: + 1 s), with no change pending. A sync since the first
    // write, without hints, is not enough: under load the hints land seconds later.
    let written = 0;
    for (const name of Object.keys(DISTRIBUTIONS)) {
      for (const sl of await endpointSlices(c, s.namespace, name)) {
        for (const f of sl.metadata?.managedFields ?? []) written = Math.max(written, f.time ? new Date(f.time).getTime() / 1000 : 0);
      }
    }
    await waitForProxySync(c, written + 1);
    const dir = await s.capture();
    const ns = s.namespace;
    for (const name of Object.keys(DISTRIBUTIONS)) {
      const ex = await explainBundle(dir, ns, name);
      for (const client of clients) {
        const shot: Shot = { from: client.netns, clientIP: client.ip, entryNode: client.node, address: cips[name]!, port: 80, label: `pod on ${client.node} -> ${name} (${DISTRIBUTIONS[name as keyof typeof DISTRIBUTIONS]})` };
        const run = await probeAgainst(s, shot, {
          'explain-svc ClusterIP': pathOf(ex, 'ClusterIP', client.node).outcomes,
          trace: traced(await traceBundle(dir, `${ns}/${name}`, `pod/${ns}/${client.name}`), shot),
        });
        // By hand from topology.go, so that a kernel ignoring the hints cannot pass with netpath.
        assert.deepEqual(Object.keys(run.tally.pods).sort(), REACHED[client.node]!.map((p) => `${ns}/${p}`), `${shot.label}: pods reached`);
      }
    }
  });
}
