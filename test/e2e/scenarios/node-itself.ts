import assert from 'node:assert/strict';
import type { Cluster } from '../../harness/cluster.ts';
import { curlHealthz } from '../../harness/healthz.ts';
import { probe } from '../../harness/traffic.ts';
import type { Outcome } from '../../../src/model/outcome.ts';
import type { TraceReport } from '../../../src/model/results.ts';
import { inScenario } from '../support/scenario.ts';
import type { Scenario } from '../support/scenario.ts';
import { probeAgainst, traceBundle, traced } from '../support/netpath.ts';
import type { Shot } from '../support/netpath.ts';

const NODES = ['node-a', 'node-b', 'node-c'];

/**
 * Packets to the nodes themselves, against the kernel. Pods web-0 on node-a and web-1 on node-b;
 * `lb-local` (LoadBalancer, externalTrafficPolicy Local, so a healthCheckNodePort) and
 * `np-cluster` (NodePort, Cluster):
 * - the health-check node port on each node IP, from the external client and from the node itself:
 *   trace predicts the rules' verdict (iptables: ACCEPT by KUBE-NODEPORTS' "health check node
 *   port" rule; nftables: no kube-proxy rule, NO-MATCH) and the health server's 200/503, which curl
 *   must see;
 * - a NodePort on 127.0.0.1 from the node: iptables (localhostNodePorts, route_localnet) DNATs it,
 *   masqueraded; nftables never serves localhost NodePorts, so nothing listens and the kernel refuses;
 * - a node to another node's NodePort: an outside packet there (Cluster: every endpoint, masqueraded;
 *   Local: that node's own endpoints with the sender's address, or a DROP where it has none).
 */
export async function nodeItself(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-node-itself', async (s) => {
    const selector = { app: 'web' };
    await s.pod('web-0', 'node-a', selector);
    await s.pod('web-1', 'node-b', selector);
    const ports = [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }];
    const local = await s.service('lb-local', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector, ports });
    const cluster = await s.service('np-cluster', { type: 'NodePort', externalTrafficPolicy: 'Cluster', selector, ports });
    await s.settle({ 'lb-local': (e) => e.ready === 2, 'np-cluster': (e) => e.ready === 2 });
    const hc = local.spec?.healthCheckNodePort ?? 0;
    const localPort = local.spec?.ports?.[0]?.nodePort ?? 0;
    const clusterPort = cluster.spec?.ports?.[0]?.nodePort ?? 0;
    assert.ok(hc && localPort && clusterPort, 'ports allocated');
    const dir = await s.capture();
    const client = c.layout.client;

    // Health-check node port: the external client, then each node itself (its own address).
    for (const node of NODES) {
      const n = s.node(node);
      await healthCheck(s, await traceBundle(dir, `${n.ip}:${hc}`, `external:${client.ip}`), client.netns, n.ip, hc, node);
      await healthCheck(s, await traceBundle(dir, `${n.ip}:${hc}`, `node/${node}`), n.netns, n.ip, hc, node);
    }
    // On loopback: the health server listens on 0.0.0.0 unless nodePortAddresses restrict it
    // (nftables' default `primary`: the node IP only, so 127.0.0.1 is refused).
    for (const node of ['node-a', 'node-c']) {
      await healthCheck(s, await traceBundle(dir, `127.0.0.1:${hc}`, `node/${node}`), s.node(node).netns, '127.0.0.1', hc, node);
    }

    // NodePort on 127.0.0.1 from node-c (no endpoint of its own): iptables DNATs, nftables refuses.
    const c3 = s.node('node-c');
    const loop: Shot = { from: c3.netns, clientIP: '127.0.0.1', entryNode: 'node-c', address: '127.0.0.1', port: clusterPort, label: 'node-c itself -> np-cluster NodePort on 127.0.0.1' };
    await againstKernel(s, loop, await traceBundle(dir, `127.0.0.1:${clusterPort}`, 'node/node-c'));
    const loopLocal: Shot = { ...loop, port: localPort, label: 'node-c itself -> lb-local NodePort on 127.0.0.1' };
    await againstKernel(s, loopLocal, await traceBundle(dir, `127.0.0.1:${localPort}`, '127.0.0.1', { node: 'node-c' }));

    // node-a to the NodePorts of node-b (Local: its own pod web-1) and node-c (Local: none, dropped).
    const a = s.node('node-a');
    for (const [target, port, name] of [['node-b', localPort, 'lb-local'], ['node-c', localPort, 'lb-local'], ['node-c', clusterPort, 'np-cluster']] as const) {
      const t = s.node(target);
      const shot: Shot = { from: a.netns, clientIP: a.ip, entryNode: target, address: t.ip, port, label: `node-a itself -> ${name} NodePort on ${target}` };
      await againstKernel(s, shot, await traceBundle(dir, `${t.ip}:${port}`, 'node/node-a'));
    }
  });
}

/** The rules' verdict for a health-check packet, and the health server's answer trace names, against curl. */
async function healthCheck(s: Scenario, t: TraceReport, from: string, ip: string, port: number, node: string): Promise<void> {
  const at = `health check ${ip}:${port} on ${node} from ${t.packet.from}`;
  assert.equal(t.basis, 'dataplane', `${at}: trace walked the rules`);
  assert.equal(t.packet.entryNode, node, `${at}: entry node`);
  const verdicts = t.outcomes.map((o) => o.verdict);
  // iptables: filter KUBE-NODEPORTS "health check node port" -j ACCEPT; nftables: no kube-proxy rule.
  assert.deepEqual(verdicts, [s.c.layout.proxyMode === 'iptables' ? 'ACCEPT' : 'NO-MATCH'], `${at}: verdicts ${verdicts.join(', ')}`);
  const conditions = t.outcomes[0]!.conditions;
  const said = conditions.map((x) => /health server for \S+ on \S+, which answers (\d{3})/.exec(x)?.[1]).find((x) => x);
  const refused = conditions.some((x) => /health server .* connection refused/.test(x));
  assert.ok(said || refused, `${at}: trace names the health server's answer (${conditions.join('; ')})`);
  const got = await curlHealthz(from, ip, port);
  // curl prints 000 when nothing answers (connection refused): curlHealthz gives null.
  assert.equal(got.status, refused ? null : Number(said), `${at}: curl got ${got.status} (${got.body.trim()}), trace predicted ${said ?? 'connection refused'}`);
}

/** Real connections against trace's outcomes; NO-MATCH on a port nothing listens on is refused. */
async function againstKernel(s: Scenario, shot: Shot, t: TraceReport): Promise<void> {
  const outcomes: Outcome[] = traced(t, shot);
  if (outcomes.every((o) => o.verdict === 'NO-MATCH')) {
    // No kube-proxy rule: the packet reaches the node's own stack, where no socket has that port.
    const tally = await probe(s.c, { from: shot.from, address: shot.address, port: shot.port, count: 5, timeoutMs: 1000, deadlineMs: 30_000 });
    assert.deepEqual({ ...tally.errors }, { refused: 5 }, `${shot.label}: netpath says NO-MATCH (nothing listens), kernel ${JSON.stringify({ ...tally.pods, ...tally.errors })}`);
    return;
  }
  await probeAgainst(s, shot, { trace: outcomes });
}
