import assert from 'node:assert/strict';
import type { Cluster } from '../../harness/cluster.ts';
import { probe } from '../../harness/traffic.ts';
import type { ServiceExplanation } from '../../../src/model/results.ts';
import { assertCountsFit, withOneResample } from '../support/compare.ts';
import { inScenario } from '../support/scenario.ts';
import type { Scenario } from '../support/scenario.ts';
import { ANSWER_TIMEOUT_MS, CONNECTIONS, assertHealthChecks, explainBundle, pathOf, probeAgainst, traceBundle, traced } from '../support/netpath.ts';
import type { Shot } from '../support/netpath.ts';

const NODES = ['node-a', 'node-b', 'node-c'];

/**
 * NodePort and LoadBalancer services, each with externalTrafficPolicy Cluster and Local, over
 * pods spread 2/1/0 across node-a/node-b/node-c. From the external client: every node's
 * NodePort, the LB IP routed to one node at a time, and the LB IP spread by ECMP over the nodes
 * whose health check passes (as a cloud LB does), against loadBalancerShares. From node-c itself
 * and from a pod on node-c to node-c's NodePort (Local policy: these go to every endpoint).
 * Health checks on every node.
 */
export async function nodePortAndLoadBalancer(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-external', async (s) => {
    const selector = { app: 'web' };
    await s.pod('web-0', 'node-a', selector);
    await s.pod('web-1', 'node-a', selector);
    await s.pod('web-2', 'node-b', selector);
    const clientC = await s.pod('client-c', 'node-c');
    const ports = [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }];
    const lbIPs: Record<string, string> = { 'lb-cluster': '10.251.1.1', 'lb-local': '10.251.1.2' };
    const specs = {
      'np-cluster': { type: 'NodePort', externalTrafficPolicy: 'Cluster' },
      'np-local': { type: 'NodePort', externalTrafficPolicy: 'Local' },
      'lb-cluster': { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster' },
      'lb-local': { type: 'LoadBalancer', externalTrafficPolicy: 'Local' },
    };
    const nodePorts: Record<string, number> = {};
    for (const [name, spec] of Object.entries(specs)) {
      const svc = await s.service(name, { ...spec, selector, ports });
      nodePorts[name] = svc.spec?.ports?.[0]?.nodePort ?? 0;
    }
    for (const [name, ip] of Object.entries(lbIPs)) await s.loadBalancerIngress(name, ip, NODES);
    await s.settle(Object.fromEntries(Object.keys(specs).map((n) => [n, (e) => e.ready === 3])));
    const dir = await s.capture();
    const ns = s.namespace;
    const client = c.layout.client;

    for (const name of Object.keys(specs)) {
      const ex = await explainBundle(dir, ns, name);
      for (const node of NODES) {
        const n = s.node(node);
        const shot: Shot = { from: client.netns, clientIP: client.ip, entryNode: node, address: n.ip, port: nodePorts[name]!, label: `client -> ${name} NodePort on ${node}` };
        await probeAgainst(s, shot, {
          'explain-svc NodePort': pathOf(ex, 'NodePort', node).outcomes,
          trace: traced(await traceBundle(dir, `${n.ip}:${shot.port}`, `external:${client.ip}`), shot),
        });
      }
      const lbIP = lbIPs[name];
      if (lbIP) await loadBalancerPaths(s, dir, ex, name, lbIP);
    }

    // Local policy only holds for traffic from outside: the node itself and its pods reach every endpoint.
    const c3 = s.node('node-c');
    const fromNode: Shot = { from: c3.netns, clientIP: c3.ip, entryNode: 'node-c', address: c3.ip, port: nodePorts['np-local']!, label: 'node-c itself -> np-local NodePort on node-c' };
    await probeAgainst(s, fromNode, { trace: traced(await traceBundle(dir, `${c3.ip}:${fromNode.port}`, 'node/node-c'), fromNode) });
    const fromPod: Shot = { ...fromNode, from: clientC.netns, clientIP: clientC.ip, label: 'pod on node-c -> np-local NodePort on node-c' };
    await probeAgainst(s, fromPod, { trace: traced(await traceBundle(dir, `${c3.ip}:${fromPod.port}`, `pod/${ns}/client-c`), fromPod) });
  });
}

/** The LB IP routed to each node alone, then spread over the healthy nodes. */
async function loadBalancerPaths(s: Scenario, dir: string, ex: ServiceExplanation, name: string, lbIP: string): Promise<void> {
  const client = s.c.layout.client;
  for (const node of NODES) {
    await s.route(lbIP, [node]);
    const shot: Shot = { from: client.netns, clientIP: client.ip, entryNode: node, address: lbIP, port: 80, label: `client -> ${name} LB ${lbIP} routed to ${node}` };
    await probeAgainst(s, shot, {
      'explain-svc LoadBalancer': pathOf(ex, 'LoadBalancer', node).outcomes,
      trace: traced(await traceBundle(dir, `${lbIP}:80`, `external:${client.ip}`, { node }), shot),
    });
  }
  let healthy = NODES;
  if (ex.service.externalTrafficPolicy === 'Local') {
    healthy = await assertHealthChecks(s.c, ex);
  } else {
    assert.equal(ex.service.healthCheckNodePort, null);
    for (const n of ex.nodes) assert.equal(n.healthCheck.status, null, `${name}: no health check on ${n.name}`);
  }
  // A cloud LB spreads connections over the nodes that pass its health check; ECMP on L4 hash does that here.
  await s.route(lbIP, healthy);
  const shares = Object.fromEntries(ex.loadBalancerShares.map((l) => [`${s.namespace}/${l.endpoint.pod}`, l.share]));
  const label = `client -> ${name} LB ${lbIP} spread over ${healthy.join(', ')} [explain-svc loadBalancerShares]`;
  await withOneResample(
    label,
    () => probe(s.c, { from: client.netns, address: lbIP, port: 80, count: CONNECTIONS, timeoutMs: ANSWER_TIMEOUT_MS, deadlineMs: 60_000 }),
    (tally) => assertCountsFit(label, CONNECTIONS, tally, shares),
  );
}
