import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Cluster } from '../../harness/cluster.ts';
import { lastProxySyncs } from '../../harness/sync.ts';
import { writeBundle } from '../../../src/cluster/bundle-writer.ts';
import { LiveSource } from '../../../src/cluster/live/live-source.ts';
import { nodeAccessOf } from '../../../src/cluster/live/node-access-options.ts';
import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import type { ClusterSource } from '../../../src/cluster/source.ts';
import { nodesToRead } from '../../../src/commands/capture.ts';
import { explainFrom } from '../../../src/pipeline/explain-svc.ts';
import type { ServiceExplanation } from '../../../src/model/results.ts';
import { inScenario } from '../support/scenario.ts';
import type { Scenario } from '../support/scenario.ts';
import { jsonDifferences } from '../support/json-diff.ts';
import type { JsonDifference } from '../support/json-diff.ts';

/**
 * The one difference by design: the harness bundle holds every pod (kubectl get pods -A) where
 * live reads and `capture NS/NAME` write only the service's pods, so a ClusterIP path then starts
 * from a real non-backend pod of the node instead of an address of its podCIDR (same outcomes,
 * another `from`).
 */
function explained(d: JsonDifference, allPods: boolean): boolean {
  // What the kernel and kube-proxy are doing now (conntrack count, sync ages) is a reading of its
  // moment: two readings a second apart differ there, and only there.
  if (/^nodeHealth\[\d+\]\.(conntrack|sync\[\d+\])\./.test(d.path)) return true;
  // The harness's kubectl-made bundle carries no node-state files, so it has no nodeHealth.
  if (allPods && d.path === 'nodeHealth' && d.right === undefined) return true;
  // Why each node was read and what reading cost: live a plan and API calls, offline every node for free.
  if (/^reads\./.test(d.path)) return true;
  // The harness bundle holds the full iptables-save (mangle first, then filter, nat) where netpath
  // reads kube-proxy's nat and filter tables only: the same rule sits on another line. A rule
  // that differed would show as its own difference (`.rule`), which stays unexplained.
  if (allPods && /\.(steps|evidence)\[\d+\]\.line$/.test(d.path) && typeof d.left === 'number' && typeof d.right === 'number') return true;
  if (typeof d.left !== 'string' || typeof d.right !== 'string') return false;
  // The reply path of such a path names that client address.
  const anyPodIP = (t: string) => t.replace(/10\.244\.\d+\.\d+/g, 'POD-IP');
  if (allPods && /^paths\[\d+\]\.outcomes\[\d+\]\.reply\.reason$/.test(d.path) && anyPodIP(d.left) === anyPodIP(d.right)) return true;
  const podCIDR = /^a pod on (node-[a-z]) \(10\.244\.\d+\.254, an address of 10\.244\.\d+\.0\/24\)$/.exec(d.left);
  return allPods && /^paths\[\d+\]\.from$/.test(d.path) && podCIDR !== null && new RegExp(`^pod e2e-capture/client-c on ${podCIDR[1]}$`).test(d.right);
}

/** Only the kubeconfig given: nothing of this machine's environment or home. */
const ISOLATED = { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' };

async function explainWith(source: ClusterSource, namespace: string, name: string, allNodes: boolean): Promise<ServiceExplanation> {
  try {
    return await explainFrom(source, namespace, name, allNodes);
  } finally {
    await source.close();
  }
}

interface Readings {
  live: ServiceExplanation;
  captured: ServiceExplanation;
  harness: ServiceExplanation;
}

/** explain-svc live, on a bundle written by capture's code path, and on the harness's bundle. */
async function readThreeWays(s: Scenario, open: () => LiveSource, ns: string): Promise<Readings> {
  const live = await explainWith(open(), ns, 'web', false);
  const source = open();
  const dir = await mkdtemp(path.join(tmpdir(), 'netpath-e2e-capture-'));
  s.keep(dir);
  try {
    const { state, kubeProxyConfigMap } = await source.readCapture({ kind: 'service', namespace: ns, name: 'web' });
    const dumps = await source.readNodes(nodesToRead(state, state.services[0] ?? null, false));
    assert.deepEqual([...source.nodeErrors.keys()], [], 'every node read');
    await writeBundle(dir, { state, kubeProxyConfigMap, dumps });
  } finally {
    await source.close();
  }
  const captured = await explainWith(await SnapshotSource.open(dir), ns, 'web', true);
  const harness = await explainWith(await SnapshotSource.open(await s.capture()), ns, 'web', true);
  return { live, captured, harness };
}

/**
 * The live path against the harness cluster: LiveSource with --local-netns access (the nodes'
 * network namespaces), explain-svc live, then `capture` through the capture command's own code
 * path (readCapture, nodesToRead, writeBundle), then explain-svc on that bundle (all nodes, as the
 * command does with --snapshot) and on the harness's kubectl-made bundle. All three JSON documents
 * are the same but for the differences `explained` lists; any other one fails with its JSON path.
 */
export async function captureEquality(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-capture', async (s) => {
    const selector = { app: 'web' };
    await s.pod('web-0', 'node-a', selector);
    await s.pod('web-1', 'node-a', selector);
    await s.pod('web-2', 'node-b', selector);
    await s.pod('client-c', 'node-c');
    await s.service('web', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    await s.loadBalancerIngress('web', '10.251.6.1', ['node-a', 'node-b']);
    await s.settle({ web: (e) => e.ready === 3 });
    const ns = s.namespace;
    const localNetns = [c.layout.nodes.map((n) => `${n.name}=${n.netns}`).join(',')];
    const open = () => LiveSource.open({ kubeconfig: c.layout.kubeconfig }, nodeAccessOf({ localNetns }), ISOLATED);

    // The three readings must see the same rules: kube-proxy may rewrite them between two dumps
    // (a periodic sync, or an earlier scenario's services going away), which moves rule lines.
    // Then read again.
    let readings: Readings | undefined;
    for (let attempt = 1; attempt <= 3 && !readings; attempt++) {
      const before = await lastProxySyncs(c);
      const taken = await readThreeWays(s, open, ns);
      if (isDeepStrictEqual(await lastProxySyncs(c), before)) readings = taken;
      else console.error(`# ${ns}: kube-proxy synced during the readings (attempt ${attempt}); reading again`);
    }
    assert.ok(readings, 'three readings without a kube-proxy sync in between');
    const { live, captured, harness } = readings;
    assert.ok(live.paths.length > 0 && live.paths.every((p) => p.basis === 'dataplane'), 'live explain-svc walked every node\'s rules');
    assert.deepEqual(live.nodes.map((n) => n.healthCheck.observed?.status), [200, 200, 503], 'every node\'s health check was read live');
    for (const [name, other] of [['capture', captured], ['harness bundle', harness]] as const) {
      const diffs = jsonDifferences(live, other);
      const show = diffs.map((d) => `${d.path}: ${JSON.stringify(d.left)} vs ${JSON.stringify(d.right)}`).join('\n');
      const unexplained = diffs.filter((d) => !explained(d, name === 'harness bundle'));
      assert.deepEqual(unexplained, [], `explain-svc live vs ${name}:\n${show}`);
    }
  });
}
