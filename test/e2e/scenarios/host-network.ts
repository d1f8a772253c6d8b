import type { Cluster } from '../../harness/cluster.ts';
import { inScenario } from '../support/scenario.ts';
import { explainBundle, pathOf, probeAgainst, traceBundle, traced } from '../support/netpath.ts';
import type { Shot } from '../support/netpath.ts';

/**
 * Two hostNetwork pods on node-a (agents of two DaemonSets, say), each behind its own Service:
 * both EndpointSlices list the same address, node-a's IP, on different ports. Each service's
 * ClusterIP, from a pod on node-b, reaches its own agent (DNAT to 10.240.0.11:9100 or :9101, not
 * masqueraded), and netpath must name that agent as the endpoint's pod.
 */
export async function hostNetworkEndpoints(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-hostnet', async (s) => {
    await s.pod('agent-a', 'node-a', { app: 'agent-a' }, { hostNetwork: true, ports: [9100] });
    await s.pod('agent-b', 'node-a', { app: 'agent-b' }, { hostNetwork: true, ports: [9101] });
    const clientB = await s.pod('client-b', 'node-b');
    const cips: Record<string, string> = {};
    for (const [name, targetPort] of [['agent-a', 9100], ['agent-b', 9101]] as const) {
      const svc = await s.service(name, { selector: { app: name }, ports: [{ port: 80, targetPort }] });
      cips[name] = svc.spec?.clusterIP ?? '';
    }
    await s.settle({ 'agent-a': (e) => e.ready === 1, 'agent-b': (e) => e.ready === 1 });
    const dir = await s.capture();
    const ns = s.namespace;
    for (const name of ['agent-a', 'agent-b']) {
      const ex = await explainBundle(dir, ns, name);
      const shot: Shot = { from: clientB.netns, clientIP: clientB.ip, entryNode: 'node-b', address: cips[name]!, port: 80, label: `pod on node-b -> ${name} ClusterIP (hostNetwork endpoint)` };
      // BUG: netpath names the endpoint's pod through one cluster-wide IP index
      // (src/analyzers/endpoint-index.ts) where the last EndpointSlice listing an address wins,
      // so both services' endpoint 10.240.0.11 is named after the same agent (agent-b, whose
      // slice comes last), though each EndpointSlice's targetRef names its own.
      await probeAgainst(s, shot, {
        'explain-svc ClusterIP node-b': pathOf(ex, 'ClusterIP', 'node-b').outcomes,
        trace: traced(await traceBundle(dir, `${ns}/${name}`, `pod/${ns}/client-b`), shot),
      });
    }
  });
}
