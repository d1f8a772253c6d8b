import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CoreV1Api, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { LiveSource } from '../../src/cluster/live/live-source.ts';
import { makeClients } from '../../src/cluster/live/clients.ts';
import { loadKubeConfig } from '../../src/cluster/live/kubeconfig.ts';
import { nodeAccessOf } from '../../src/cluster/live/node-access-options.ts';
import type { Progress } from '../../src/cluster/live/progress.ts';
import { buildDebugPod, debugPodName, podExecRunner } from '../../src/cluster/nodes/debug-pod.ts';
import { MANAGED_BY_SELECTOR } from '../../src/cluster/nodes/debug-pod-identity.ts';
import { NODE_STATE_FILES } from '../../src/cluster/bundle-layout.ts';
import type { NodeDump } from '../../src/cluster/source.ts';
import { down, inNode, kubeProxy, runningTasks, skipReason, up } from './harness.ts';
import type { Harness } from './harness.ts';
import { iptablesServiceChain, nftablesServiceChain } from './kube-proxy-names.ts';

/**
 * netpath's live node read end to end on a real node: a kubelet and containerd (scripts/kubelet)
 * run the privileged hostNetwork debug pod, exec runs iptables-save / nft / curl in it through
 * `chroot /host`, and the pod is deleted again. Expected rule contents come from the API (the
 * default/kubernetes Service and its EndpointSlice) and kube-proxy's chain-name hashes.
 */
const why = skipReason();

async function until<T>(what: string, limitMs: number, probe: () => Promise<T | null>): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const got = await probe().catch(() => null);
    if (got !== null) return got;
    if (Date.now() > end) throw new Error(`not within ${limitMs / 1000}s: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('node read through a debug pod on a real kubelet + containerd node', { skip: why ?? false }, () => {
  let h: Harness;
  let core: CoreV1Api;
  let discovery: DiscoveryV1Api;

  before(async () => {
    h = await up();
    const kc = new KubeConfig();
    kc.loadFromFile(h.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    discovery = kc.makeApiClient(DiscoveryV1Api);
  });
  after(async () => {
    await down();
  });

  /** LiveSource as `--image localhost/netpath-debug:dev` builds it, with progress lines kept. */
  async function readNode(healthCheckPorts: number[]): Promise<{ dump: NodeDump; lines: string[]; ms: number }> {
    const lines: string[] = [];
    const progress: Progress = { log: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`), status: () => {}, stop: () => {} };
    const where = { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' };
    // LiveSource.open() with its stderr progress swapped for `progress`.
    const source = new LiveSource(
      makeClients(loadKubeConfig({ kubeconfig: h.kubeconfig }, where), 0),
      nodeAccessOf({ image: h.debugImage, podRunningTimeout: '2m', execTimeout: '1m' }),
      progress,
    );
    const t0 = performance.now();
    try {
      const dumps = await source.readNodes({ nodes: [h.node], healthCheckPorts });
      const dump = dumps.get(h.node);
      assert.ok(dump, `no dump of ${h.node}: ${[...source.nodeErrors.values()].map((e) => e.message).join('; ')}\n${lines.join('\n')}`);
      return { dump, lines, ms: performance.now() - t0 };
    } finally {
      await source.close();
    }
  }

  const timing = (lines: string[], ms: number) =>
    `readNodes took ${Math.round(ms)} ms: pod created, Running, tool probe, ${lines.filter((l) => l.startsWith(`${h.node}: chroot /host `)).length} commands, pod deleted`;

  /** default/kubernetes as the API has it: its ClusterIP and its one endpoint (the apiserver). */
  async function kubernetesService(): Promise<{ clusterIP: string; ip: string; port: number }> {
    const svc = await core.readNamespacedService({ namespace: 'default', name: 'kubernetes' });
    const slices = await discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=kubernetes' });
    const ip = slices.items[0]?.endpoints?.[0]?.addresses?.[0];
    const port = slices.items[0]?.ports?.[0]?.port;
    assert.ok(svc.spec?.clusterIP && ip && port, 'default/kubernetes has no ClusterIP or endpoint');
    return { clusterIP: svc.spec.clusterIP, ip, port };
  }

  /** The pod's whole life: created, run by the kubelet, deleted by netpath, stopped by the kubelet. */
  async function assertPodCameAndWent(lines: string[], node: string): Promise<string> {
    const created = lines.map((l) => new RegExp(`^${node}: created pod default/(netpath-${node}-[a-z0-9]{5})$`).exec(l)).find(Boolean);
    assert.ok(created, lines.join('\n'));
    const pod = created[1]!;
    assert.ok(lines.includes(`${node}: pod ${pod} running`), lines.join('\n'));
    assert.ok(lines.includes(`${node}: deleted pod ${pod}`), lines.join('\n'));
    // Gone from the API...
    const left = await core.listPodForAllNamespaces({ labelSelector: MANAGED_BY_SELECTOR });
    assert.equal(left.items.length, 0, left.items.map((p) => p.metadata?.name).join(', '));
    // ...the kubelet really started its container (its own events say so)...
    const reasons = await until(`kubelet events for ${pod}`, 30_000, async () => {
      const events = await core.listNamespacedEvent({ namespace: 'default', fieldSelector: `involvedObject.name=${pod}` });
      const fromKubelet = events.items.filter((e) => e.source?.component === 'kubelet' && e.source?.host === node);
      const r = new Set(fromKubelet.map((e) => e.reason));
      return r.has('Started') ? r : null;
    });
    assert.ok(reasons.has('Created'), [...reasons].join(', '));
    // ...and stopped it: no container, not even the sandbox, runs on the node any more.
    await until('no containerd task left on the node', 60_000, async () => ((await runningTasks(h)).length === 0 ? true : null));
    return pod;
  }

  test('iptables mode: exec returns the node\'s own iptables-save, with the kubelet\'s and kube-proxy\'s chains', { timeout: 5 * 60_000 }, async (t) => {
    await kubeProxy('iptables');
    // A chain nobody else makes, created in the node's namespace just now: the dump must be this node's, now.
    const marker = `NKL-MARK-${randomBytes(4).toString('hex').toUpperCase()}`;
    await inNode(h, ['iptables', '-w', '-t', 'filter', '-N', marker]);
    const api = await kubernetesService();

    const { dump, lines, ms } = await readNode([]);
    t.diagnostic(timing(lines, ms));

    // kube-proxy's metrics port answered curl run in the pod (127.0.0.1 of the node's namespace).
    assert.equal(dump.proxyMode, 'iptables');
    assert.equal(dump.location, 'live');
    // The mode's dump and the node's addresses; then the node state (optional files) the node could give:
    // kube-proxy runs, so its metrics and /healthz answer on 127.0.0.1.
    assert.deepEqual([...dump.files.keys()].filter((f) => !NODE_STATE_FILES.includes(f)), ['iptables-save.txt', 'ip-addr.json'], lines.join('\n'));
    assert.ok(dump.files.has('kube-proxy-metrics.txt') && dump.files.has('kube-proxy-healthz.json'), [...dump.files.keys()].join(', '));
    const save = dump.files.get('iptables-save.txt')!;
    assert.match(save, new RegExp(`^:${marker} - \\[0:0\\]$`, 'm'));
    // kube-proxy's tables only (nat, then filter; no mangle). The kubelet's canary chain, which it
    // keeps in nat and filter as well as mangle, decided the backend (Debian's `iptables` is
    // iptables-nft, which the kubelet used), and the host's binaries ran through chroot (the image has none).
    assert.deepEqual(save.match(/^\*\w+$/gm), ['*nat', '*filter']);
    assert.match(save, /^\*nat\n(?:[^*\n][^\n]*\n)*?:KUBE-KUBELET-CANARY - \[0:0\]$/m);
    assert.ok(lines.includes(`${h.node}: iptables backend nft (kubelet hint chain (KUBE-IPTABLES-HINT/KUBE-KUBELET-CANARY) in iptables-nft-save)`), lines.join('\n'));
    // By the path the node's shell found (where it is depends on the node's distribution).
    assert.ok(lines.some((l) => new RegExp(`^${h.node}: chroot /host /\\S*/iptables-nft-save -c -t nat$`).test(l)), lines.join('\n'));
    // kube-proxy's rules for default/kubernetes, whose ClusterIP and endpoint the API gave above;
    // KUBE-SVC-NPX46M4PTMTKRN6Y = "KUBE-SVC-" + base32(sha256("default/kubernetes:https" + "tcp"))[:16].
    const svcChain = iptablesServiceChain('default/kubernetes:https', 'tcp');
    assert.equal(svcChain, 'KUBE-SVC-NPX46M4PTMTKRN6Y');
    assert.ok(
      save.includes(`-A KUBE-SERVICES -d ${api.clusterIP}/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j ${svcChain}\n`),
      save,
    );
    assert.match(save, new RegExp(`^(?:\\[\\d+:\\d+\\] )?-A KUBE-SEP-[A-Z0-9]{16} -p tcp -m comment --comment "default/kubernetes:https" -m tcp -j DNAT --to-destination ${api.ip.replaceAll('.', '\\.')}:${api.port}$`, 'm'));

    await assertPodCameAndWent(lines, h.node);
  });

  test('nftables mode: exec returns kube-proxy\'s nft tables (`nft -j list table ip kube-proxy`) and curl reads a health-check port on the node IP', { timeout: 5 * 60_000 }, async (t) => {
    // externalTrafficPolicy Local gets a healthCheckNodePort; with no endpoints at all kube-proxy's
    // health server answers 503 with localEndpoints 0 (pkg/proxy/healthcheck/service_health.go).
    const lb = await core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name: 'nkl-lb' },
        spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      },
    });
    const hcPort = lb.spec!.healthCheckNodePort!;
    await kubeProxy('nftables');
    await until(`kube-proxy health server on ${h.nodeIP}:${hcPort}`, 30_000, async () =>
      (await inNode(h, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${h.nodeIP}:${hcPort}/healthz`])) === '503' ? true : null,
    );
    const api = await kubernetesService();

    const { dump, lines, ms } = await readNode([hcPort]);
    t.diagnostic(timing(lines, ms));

    assert.equal(dump.proxyMode, 'nftables');
    assert.deepEqual([...dump.files.keys()].filter((f) => !NODE_STATE_FILES.includes(f)).sort(), [`healthz/${hcPort}.json`, 'ip-addr.json', 'nft.json'], lines.join('\n'));
    assert.ok(dump.files.has('kube-proxy-metrics.txt') && dump.files.has('kube-proxy-healthz.json'), [...dump.files.keys()].join(', '));
    const ruleset = (JSON.parse(dump.files.get('nft.json')!) as { nftables: Record<string, Record<string, unknown>>[] }).nftables;
    // service-2QRHZV4L-default/kubernetes/tcp/https = "service-" + base32(sha256("default/kubernetes/tcp/https"))[:8] + "-" + that.
    const chain = nftablesServiceChain('default', 'kubernetes', 'tcp', 'https');
    assert.equal(chain, 'service-2QRHZV4L-default/kubernetes/tcp/https');
    const map = (name: string) => ruleset.find((o) => o.map?.family === 'ip' && o.map?.table === 'kube-proxy' && o.map?.name === name)?.map?.elem;
    // default/kubernetes has an endpoint: its ClusterIP port goes to its service chain.
    assert.deepEqual(map('service-ips'), [[{ concat: [api.clusterIP, 'tcp', 443] }, { goto: { target: chain } }]]);
    // nkl-lb has none: its ClusterIP port and NodePort are rejected (no load balancer gave it an ingress IP).
    const rejected = (val: unknown[]) => [{ elem: { val: { concat: val }, comment: 'default/nkl-lb:http' } }, { goto: { target: 'reject-chain' } }];
    assert.deepEqual(map('no-endpoint-services'), [rejected([lb.spec!.clusterIP, 'tcp', 80])]);
    assert.deepEqual(map('no-endpoint-nodeports'), [rejected(['tcp', lb.spec!.ports![0]!.nodePort])]);
    const dnat = ruleset
      .filter((o) => o.rule?.table === 'kube-proxy' && o.rule?.chain === chain)
      .flatMap((o) => o.rule!.expr as Record<string, unknown>[])
      .find((e) => e.dnat);
    assert.deepEqual(dnat, {
      dnat: { family: 'ip', addr: { map: { key: { numgen: { mode: 'random', mod: 1, offset: 0 } }, data: { set: [[0, { concat: [api.ip, api.port] }]] } } } },
    });
    // curl in the pod reached kube-proxy's health-check server on the node's InternalIP.
    assert.deepEqual(dump.healthz.get(hcPort), { status: 503, localEndpoints: 0, source: `live ${h.nodeIP}:${hcPort}` });
    assert.deepEqual(JSON.parse(dump.files.get(`healthz/${hcPort}.json`)!).service, { namespace: 'default', name: 'nkl-lb' });

    await assertPodCameAndWent(lines, h.node);
  });

  test('the node\'s root is read-only in the debug pod: a write to /host fails', { timeout: 3 * 60_000 }, async () => {
    const name = debugPodName(h.node);
    const body = buildDebugPod({ name, namespace: 'default', node: h.node, image: h.debugImage, runId: 'rotest0000', budgetMs: 60_000, deadline: new Date(Date.now() + 60_000) });
    await core.createNamespacedPod({ namespace: 'default', body });
    try {
      await until(`pod ${name} running`, 60_000, async () => ((await core.readNamespacedPod({ namespace: 'default', name })).status?.phase === 'Running' ? true : null));
      const clients = makeClients(loadKubeConfig({ kubeconfig: h.kubeconfig }, { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' }), 0);
      const run = podExecRunner(clients, 'default', name, h.node, 30_000);
      const res = await run.run(['sh', '-c', 'touch /host/netpath-write-test']);
      assert.notEqual(res.exitCode, 0);
      assert.match(res.stderr, /Read-only file system/);
      // Reading still works: the node's own binaries through chroot.
      assert.equal((await run.run(['chroot', '/host', 'true'])).exitCode, 0);
    } finally {
      await core.deleteNamespacedPod({ namespace: 'default', name, gracePeriodSeconds: 0 });
    }
  });
});
