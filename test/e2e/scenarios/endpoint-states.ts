import assert from 'node:assert/strict';
import type { Cluster } from '../../harness/cluster.ts';
import { terminatePod } from '../../harness/pods.ts';
import { inScenario } from '../support/scenario.ts';
import { assertHealthChecks, explainBundle, pathOf, probeAgainst, traceBundle, traced } from '../support/netpath.ts';
import type { Shot } from '../support/netpath.ts';

const selector = { app: 'web' };
const ports = [{ port: 80, targetPort: 8080 }];

/**
 * One of three pods not ready (its server still answers): the ClusterIP leaves it out, its
 * node's health check fails, and outside traffic to its node's Local NodePort is dropped.
 */
export async function notReadyPod(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-notready', async (s) => {
    await s.pod('web-0', 'node-a', selector);
    await s.pod('web-1', 'node-b', selector);
    await s.pod('web-2', 'node-c', selector, { ready: false });
    const clientA = await s.pod('client-a', 'node-a');
    const svc = await s.service('web', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector, ports });
    await s.loadBalancerIngress('web', '10.251.4.1', ['node-a', 'node-b']);
    await s.settle({ web: (e) => e.ready === 2 && e.total === 3 });
    const dir = await s.capture();
    const ns = s.namespace;
    const ex = await explainBundle(dir, ns, 'web');
    assert.ok(ex.findings.some((f) => f.id === 'endpoints-not-ready'), 'explain-svc reports the not-ready endpoint');
    const cip = svc.spec?.clusterIP ?? '';
    const fromPod: Shot = { from: clientA.netns, clientIP: clientA.ip, entryNode: 'node-a', address: cip, port: 80, label: 'pod on node-a -> ClusterIP, web-2 not ready' };
    await probeAgainst(s, fromPod, {
      'explain-svc ClusterIP': pathOf(ex, 'ClusterIP', 'node-a').outcomes,
      trace: traced(await traceBundle(dir, `${ns}/web`, `pod/${ns}/client-a`), fromPod),
    });
    assert.deepEqual(await assertHealthChecks(c, ex), ['node-a', 'node-b']);
    const client = c.layout.client;
    const nc = s.node('node-c');
    const np = svc.spec?.ports?.[0]?.nodePort ?? 0;
    const nodePort: Shot = { from: client.netns, clientIP: client.ip, entryNode: 'node-c', address: nc.ip, port: np, label: 'client -> Local NodePort on node-c (only a not-ready pod there)' };
    await probeAgainst(s, nodePort, {
      'explain-svc NodePort': pathOf(ex, 'NodePort', 'node-c').outcomes,
      trace: traced(await traceBundle(dir, `${nc.ip}:${np}`, `external:${client.ip}`), nodePort),
    });
  });
}

/**
 * Terminating pods (deleted, still serving: no kubelet finishes them). One of three terminating:
 * the ClusterIP uses the two others; its node's health check fails (kube-proxy counts ready
 * local endpoints), yet outside traffic to that node's Local NodePort still reaches it (kube-proxy
 * falls back to serving-terminating local endpoints). Then all three terminating: the ClusterIP
 * falls back to all of them.
 */
export async function terminatingPods(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-terminating', async (s) => {
    const web = [await s.pod('web-0', 'node-a', selector), await s.pod('web-1', 'node-b', selector), await s.pod('web-2', 'node-c', selector)];
    const clientA = await s.pod('client-a', 'node-a');
    const svc = await s.service('web', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector, ports });
    await s.loadBalancerIngress('web', '10.251.5.1', ['node-a', 'node-b', 'node-c']);
    await s.settle({ web: (e) => e.ready === 3 });
    s.mark();
    await terminatePod(c, web[1]!);
    await s.settle({ web: (e) => e.ready === 2 && e.terminating === 1 && e.serving === 3 });
    let dir = await s.capture();
    const ns = s.namespace;
    let ex = await explainBundle(dir, ns, 'web');
    assert.ok(ex.findings.some((f) => f.id === 'endpoints-terminating'), 'explain-svc reports the terminating endpoint');
    const cip = svc.spec?.clusterIP ?? '';
    const fromPod: Shot = { from: clientA.netns, clientIP: clientA.ip, entryNode: 'node-a', address: cip, port: 80, label: 'pod on node-a -> ClusterIP, web-1 terminating' };
    await probeAgainst(s, fromPod, {
      'explain-svc ClusterIP': pathOf(ex, 'ClusterIP', 'node-a').outcomes,
      trace: traced(await traceBundle(dir, `${ns}/web`, `pod/${ns}/client-a`), fromPod),
    });
    assert.deepEqual(await assertHealthChecks(c, ex), ['node-a', 'node-c']);
    const client = c.layout.client;
    const nb = s.node('node-b');
    const np = svc.spec?.ports?.[0]?.nodePort ?? 0;
    const nodePort: Shot = { from: client.netns, clientIP: client.ip, entryNode: 'node-b', address: nb.ip, port: np, label: 'client -> Local NodePort on node-b (only a terminating pod there)' };
    await probeAgainst(s, nodePort, {
      'explain-svc NodePort': pathOf(ex, 'NodePort', 'node-b').outcomes,
      trace: traced(await traceBundle(dir, `${nb.ip}:${np}`, `external:${client.ip}`), nodePort),
    });

    s.mark();
    await terminatePod(c, web[0]!);
    await terminatePod(c, web[2]!);
    await s.settle({ web: (e) => e.ready === 0 && e.terminating === 3 && e.serving === 3 });
    dir = await s.capture();
    ex = await explainBundle(dir, ns, 'web');
    const allTerminating = { ...fromPod, label: 'pod on node-a -> ClusterIP, all pods terminating' };
    await probeAgainst(s, allTerminating, {
      'explain-svc ClusterIP': pathOf(ex, 'ClusterIP', 'node-a').outcomes,
      trace: traced(await traceBundle(dir, `${ns}/web`, `pod/${ns}/client-a`), allTerminating),
    });
    assert.deepEqual(await assertHealthChecks(c, ex), []);
  });
}
