import type { Cluster } from '../../harness/cluster.ts';
import { inScenario } from '../support/scenario.ts';
import { explainBundle, pathOf, probeAgainst, traceBundle, traced } from '../support/netpath.ts';
import type { Shot } from '../support/netpath.ts';

/**
 * Three ready endpoints, one per node, behind a ClusterIP with a TCP and a UDP port: from a pod
 * (not masqueraded), over UDP, from a node itself (masqueraded: node source is outside the
 * cluster CIDR), and hairpin (a backend reaching its own service: masqueraded towards itself).
 */
export async function clusterIPThreeEndpoints(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-clusterip', async (s) => {
    for (const [i, node] of ['node-a', 'node-b', 'node-c'].entries()) await s.pod(`web-${i}`, node, { app: 'web' });
    const client = await s.pod('client', 'node-a');
    const svc = await s.service('web', {
      selector: { app: 'web' },
      ports: [
        { name: 'tcp', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'udp', port: 81, targetPort: 8080, protocol: 'UDP' },
      ],
    });
    const cip = svc.spec?.clusterIP ?? '';
    await s.settle({ web: (e) => e.ready === 3 });
    const dir = await s.capture();
    const ex = await explainBundle(dir, s.namespace, 'web');
    const ns = s.namespace;

    const fromPod: Shot = { from: client.netns, clientIP: client.ip, entryNode: 'node-a', address: cip, port: 80, label: 'pod on node-a -> ClusterIP:80/tcp' };
    await probeAgainst(s, fromPod, {
      'explain-svc ClusterIP node-a': pathOf(ex, 'ClusterIP', 'node-a', 80).outcomes,
      trace: traced(await traceBundle(dir, `${ns}/web`, `pod/${ns}/client`), fromPod),
    });

    const udp: Shot = { ...fromPod, port: 81, protocol: 'udp', label: 'pod on node-a -> ClusterIP:81/udp' };
    await probeAgainst(s, udp, {
      'explain-svc ClusterIP node-a udp': pathOf(ex, 'ClusterIP', 'node-a', 81).outcomes,
      trace: traced(await traceBundle(dir, `${ns}/web`, `pod/${ns}/client`, { port: 'udp' }), udp),
    });

    const b = s.node('node-b');
    const fromNode: Shot = { from: b.netns, clientIP: b.ip, entryNode: 'node-b', address: cip, port: 80, label: 'node-b itself -> ClusterIP:80' };
    await probeAgainst(s, fromNode, { trace: traced(await traceBundle(dir, `${ns}/web`, 'node/node-b'), fromNode) });

    const web0 = s.podNamed('web-0');
    const hairpin: Shot = { from: web0.netns, clientIP: web0.ip, entryNode: 'node-a', address: cip, port: 80, label: 'web-0 -> its own ClusterIP (hairpin)' };
    await probeAgainst(s, hairpin, { trace: traced(await traceBundle(dir, `${ns}/web`, `pod/${ns}/web-0`), hairpin) });
  });
}
