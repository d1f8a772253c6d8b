import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizationV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { execa } from 'execa';
import { Command } from 'commander';
import { LiveSource } from '../../src/cluster/live/live-source.ts';
import { listAll, makeClients } from '../../src/cluster/live/clients.ts';
import { loadKubeConfig } from '../../src/cluster/live/kubeconfig.ts';
import { nodeAccessOf } from '../../src/cluster/live/node-access-options.ts';
import type { NodeAccessFlags } from '../../src/cluster/live/node-access-options.ts';
import { DebugPodReader, buildDebugPod, debugPodName } from '../../src/cluster/nodes/debug-pod.ts';
import { SnapshotSource } from '../../src/cluster/nodes/snapshot.ts';
import { cleanupDebugPods } from '../../src/commands/cleanup.ts';
import { register as registerCapture } from '../../src/cli/capture.ts';
import { addGlobalOptions } from '../../src/commands/global-options.ts';
import { ExitCode, NetpathError } from '../../src/errors.ts';
import { binDir, freePort, haveBinaries, startApiServer } from './apiserver.ts';
import type { ApiServer } from './apiserver.ts';
import { DEBUG_NS, LOCKED_NS, actAsKubelet, debugPods, seed } from './fixtures.ts';

const is = (code: number, message: string | RegExp) => (e: unknown) =>
  e instanceof NetpathError && e.exitCode === code && (typeof message === 'string' ? e.message === message : message.test(e.message));

describe('LiveSource against a real kube-apiserver (no kubelet: pods are stored, never run)', { skip: !haveBinaries() && `no etcd/kube-apiserver in ${binDir()} (scripts/k8s/build.sh)` }, () => {
  let api: ApiServer;
  const env = () => ({ env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' });
  const open = (context: string, access: NodeAccessFlags = {}, extra: { namespace?: string } = {}) =>
    LiveSource.open({ kubeconfig: api.kubeconfig, context, ...extra }, nodeAccessOf({ debugNamespace: DEBUG_NS, ...access }), env());

  /** Pod shop/other as a kubelet would report it running on node-c (the seed leaves it Pending). */
  const runOtherPod = async () => {
    const core = api.admin.makeApiClient(CoreV1Api);
    const other = await core.readNamespacedPod({ namespace: 'shop', name: 'other' });
    other.status = { phase: 'Running', podIP: '10.244.3.7', podIPs: [{ ip: '10.244.3.7' }] };
    await core.replaceNamespacedPodStatus({ namespace: 'shop', name: 'other', body: other });
  };

  before(async () => {
    api = await startApiServer();
    await seed(api.admin, await freePort());
  });
  after(async () => {
    await api?.stop();
  });

  test('jane (bound to deploy/rbac.yaml) reads what the service question needs, as kubectl would', async () => {
    const source = open('jane');
    assert.equal(source.namespace, 'shop'); // the context's namespace
    const state = await source.readState({ kind: 'service', namespace: source.namespace, name: 'web' });
    assert.deepEqual(state.services.map((s) => s.metadata?.name), ['web']);
    assert.deepEqual(state.endpointSlices.map((s) => s.metadata?.name), ['web-x7k2p']);
    assert.deepEqual(state.nodes.map((n) => n.metadata?.name), ['node-a', 'node-b', 'node-c']);
    // The selector's pods only: `other` is not behind the service.
    assert.deepEqual(state.pods?.map((p) => p.metadata?.name).sort(), ['web-1', 'web-2']);
    assert.equal(state.kubeProxyConfig?.mode, 'ipvs');
    assert.equal(state.kubeProxyConfig?.clusterCIDR, '10.244.0.0/16');
    assert.equal(state.kubeProxyConfig?.ipvsScheduler, 'rr');
    await source.close();
  });

  test("trace's source pod is read too: by name, or found by its address", async () => {
    await runOtherPod();
    const source = open('jane');
    const byName = await source.readState({ kind: 'service', namespace: 'shop', name: 'web', extraPods: { byName: [{ namespace: 'shop', name: 'other' }, { namespace: 'shop', name: 'gone' }] } });
    assert.deepEqual(byName.pods?.map((p) => p.metadata?.name).sort(), ['other', 'web-1', 'web-2'], 'a missing pod is simply absent');
    const byIP = await source.readState({ kind: 'all-services', extraPods: { byIP: ['10.244.3.7'] } });
    assert.deepEqual(byIP.pods?.filter((p) => p.metadata?.name === 'other').map((p) => p.spec?.nodeName), ['node-c']);
    await source.close();
  });

  test('-n replaces the context namespace; KUBECONFIG works like --kubeconfig', async () => {
    const source = LiveSource.open({ context: 'jane', namespace: 'kube-system' }, nodeAccessOf({}), { ...env(), env: { KUBECONFIG: api.kubeconfig } });
    assert.equal(source.namespace, 'kube-system');
    await assert.rejects(source.readState({ kind: 'service', namespace: source.namespace, name: 'web' }), is(ExitCode.NOT_FOUND, 'service kube-system/web not found'));
  });

  test('all services across namespaces', async () => {
    const state = await open('jane').readState({ kind: 'all-services' });
    // default/kubernetes appears once the API server's bootstrap controller has run: compare with admin's view.
    const all = await api.admin.makeApiClient(CoreV1Api).listServiceForAllNamespaces();
    const names = (items: typeof all.items) => items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`).sort();
    assert.deepEqual(names(state.services), names(all.items));
    assert.ok(names(state.services).includes('shop/web'));
    assert.deepEqual(state.endpointSlices.map((s) => s.metadata?.name), ['web-x7k2p']);
    assert.equal(state.pods?.length, 3);
  });

  test('lists are read page by page (limit/continue) against the real server', async () => {
    const clients = makeClients(loadKubeConfig({ kubeconfig: api.kubeconfig, context: 'jane' }, env()), 0);
    let pages = 0;
    const nodes = await listAll((cont) => {
      pages++;
      return clients.core.listNode({ limit: 1, _continue: cont });
    });
    assert.equal(nodes.length, 3);
    assert.equal(pages, 3); // 3 nodes, 1 per page
  });

  test('the CLI: explain-svc and trace with --kubeconfig/--context/-n as kubectl, and 403 for bob', async () => {
    // Nodes are read on this host (--local-netns NODE=-): it has no kube-proxy rules, so every
    // answer is the model's; what is checked here is which cluster objects the flags select.
    const local = ['--local-netns', 'node-a=-,node-b=-,node-c=-'];
    await runOtherPod();
    const cli = (...args: string[]) =>
      execa(process.execPath, ['bin/kubectl-netpath', ...args], { reject: false, env: { NO_COLOR: '1', KUBECONFIG: '' } });
    const explain = await cli('explain-svc', 'web', '--kubeconfig', api.kubeconfig, '--context', 'jane', '-o', 'json', ...local);
    assert.equal(explain.exitCode, 0, String(explain.stderr));
    const doc = JSON.parse(String(explain.stdout)) as { service: { namespace: string; name: string }; nodes: { name: string }[] };
    assert.deepEqual([doc.service.namespace, doc.service.name], ['shop', 'web'], "the context's namespace");
    assert.deepEqual(doc.nodes.map((n) => n.name), ['node-a', 'node-b', 'node-c']);
    const wrongNs = await cli('explain-svc', 'web', '--kubeconfig', api.kubeconfig, '--context', 'jane', '-n', 'kube-system', ...local);
    assert.equal(wrongNs.exitCode, ExitCode.NOT_FOUND);
    assert.match(String(wrongNs.stderr), /^error: service kube-system\/web not found/);
    const trace = await cli('trace', 'svc/shop/web', '--from', 'pod/shop/other', '--kubeconfig', api.kubeconfig, '--context', 'jane', '-o', 'json', ...local);
    assert.equal(trace.exitCode, 0, String(trace.stderr));
    const t = JSON.parse(String(trace.stdout)) as { packet: { entryNode: string }; service: { entry: string } };
    assert.deepEqual([t.packet.entryNode, t.service.entry], ['node-c', 'ClusterIP'], 'pod other runs on node-c');
    const bob = await cli('explain-svc', 'shop/web', '--kubeconfig', api.kubeconfig, '--context', 'bob', ...local);
    assert.equal(bob.exitCode, ExitCode.FORBIDDEN);
    assert.equal(String(bob.stderr).trim(), 'error: forbidden: cannot get services in namespace shop (user bob); apply deploy/rbac.yaml');
  });

  test('bob, bound to nothing, gets the one-line FORBIDDEN message', async () => {
    await assert.rejects(
      open('bob').readState({ kind: 'service', namespace: 'shop', name: 'web' }),
      is(ExitCode.FORBIDDEN, 'forbidden: cannot get services in namespace shop (user bob); apply deploy/rbac.yaml'),
    );
  });

  test('a missing service is NOT_FOUND naming it; an unreachable server is API_UNREACHABLE naming it', async () => {
    await assert.rejects(open('jane').readState({ kind: 'service', namespace: 'shop', name: 'nope' }), is(ExitCode.NOT_FOUND, 'service shop/nope not found'));
    const port = await freePort();
    const dead = loadKubeConfig({ kubeconfig: api.kubeconfig, context: 'jane' }, env());
    dead.kc.clusters[0] = { ...dead.kc.clusters[0]!, server: `https://127.0.0.1:${port}` };
    const unreachable = new LiveSource(makeClients({ ...dead, server: `https://127.0.0.1:${port}` }, 0), nodeAccessOf({}), { log() {}, warn() {}, status() {}, stop() {} });
    await assert.rejects(
      unreachable.readState({ kind: 'all-services' }),
      is(ExitCode.API_UNREACHABLE, `cannot reach the API server https://127.0.0.1:${port}: connection refused (ECONNREFUSED)`),
    );
  });

  test('jane may create, get, delete and exec into pods in the debug namespace only', async () => {
    const jane = loadKubeConfig({ kubeconfig: api.kubeconfig, context: 'jane' }, env()).kc;
    const authz = jane.makeApiClient(AuthorizationV1Api);
    const can = async (verb: string, resource: string, namespace: string, subresource?: string) =>
      (await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb, resource, namespace, ...(subresource ? { subresource } : {}) } } } })).status?.allowed;
    for (const verb of ['create', 'get', 'delete', 'list']) assert.equal(await can(verb, 'pods', DEBUG_NS), true, verb);
    assert.equal(await can('create', 'pods', DEBUG_NS, 'exec'), true);
    assert.equal(await can('get', 'pods', DEBUG_NS, 'exec'), true);
    assert.equal(await can('create', 'pods', 'shop'), false);
    assert.equal(await can('get', 'configmaps', 'kube-system'), false); // only the kube-proxy one, by name
  });

  test('the debug pod passes admission in a privileged namespace and reads back with the spec', async () => {
    const source = open('jane', { podRunningTimeout: '1s' });
    const reader = new DebugPodReader(source.clients, { namespace: DEBUG_NS, image: 'example.invalid/img:1', podRunningTimeoutMs: 1000, execTimeoutMs: 5000, pollMs: 100 });
    let stored: Promise<V1Pod> | null = null;
    const core = api.admin.makeApiClient(CoreV1Api);
    const run = reader.readNode({ node: 'node-a', address: '127.0.0.1', healthCheckPorts: [] }, (m) => {
      const name = /created pod kubectl-netpath\/(\S+)/.exec(m)?.[1];
      if (name) stored = core.readNamespacedPod({ name, namespace: DEBUG_NS });
    });
    // Never Running without a kubelet: the timeout path, after which the pod must be gone.
    await assert.rejects(run, is(ExitCode.TIMEOUT, /^timeout: debug pod kubectl-netpath\/netpath-node-a-\w{5} on node node-a not running after 1s \(phase Pending\)/));
    const pod = await stored!;
    assert.match(pod.metadata?.name ?? '', /^netpath-node-a-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(pod.metadata?.labels?.['app.kubernetes.io/managed-by'], 'kubectl-netpath');
    const spec = pod.spec!;
    assert.equal(spec.nodeName, 'node-a');
    assert.equal(spec.hostNetwork, true);
    assert.equal(spec.hostPID, true);
    assert.deepEqual(JSON.parse(JSON.stringify(spec.tolerations)), [{ operator: 'Exists' }]);
    assert.equal(spec.restartPolicy, 'Never');
    assert.equal(spec.activeDeadlineSeconds, 56); // 1 s + 11 × 5 s
    assert.equal(spec.automountServiceAccountToken, false);
    assert.equal(spec.containers[0]?.securityContext?.privileged, true);
    assert.equal(spec.containers[0]?.image, 'example.invalid/img:1');
    assert.deepEqual(JSON.parse(JSON.stringify(spec.containers[0]?.volumeMounts?.find((v) => v.name === 'host-root'))), { name: 'host-root', mountPath: '/host', readOnly: true });
    assert.equal(spec.volumes?.find((v) => v.name === 'host-root')?.hostPath?.path, '/');
    assert.equal((await debugPods(api.admin, DEBUG_NS)).length, 0);
  });

  test('Pod Security baseline rejects it with the message that names the label; nothing is left', async () => {
    const source = open('admin', { debugNamespace: LOCKED_NS });
    await assert.rejects(
      (async () => {
        await source.readState({ kind: 'service', namespace: 'shop', name: 'web' });
        await source.readNodes({ nodes: ['node-a', 'node-b'], healthCheckPorts: [] });
      })(),
      is(
        ExitCode.NODE_ACCESS,
        /^pod security admission rejected the debug pod in namespace locked \(enforce baseline:latest: host namespaces \(hostNetwork=true, hostPID=true\), hostPath volumes \(volume "host-root"\), privileged \(container "netpath" must not set securityContext\.privileged=true\)\); label that namespace pod-security\.kubernetes\.io\/enforce=privileged or pass --debug-namespace NS/,
      ),
    );
    assert.equal((await debugPods(api.admin, LOCKED_NS)).length, 0);
  });

  test('bob cannot create debug pods: FORBIDDEN naming pods and the namespace', async () => {
    const reader = new DebugPodReader(open('bob').clients, { namespace: DEBUG_NS, image: 'x', podRunningTimeoutMs: 1000, execTimeoutMs: 1000 });
    await assert.rejects(
      reader.readNode({ node: 'node-a', address: null, healthCheckPorts: [] }, () => {}),
      is(ExitCode.FORBIDDEN, 'forbidden: cannot create pods in namespace kubectl-netpath (user bob); apply deploy/rbac.yaml'),
    );
  });

  test('image pull failure (status written as a kubelet would): one line, NODE_ACCESS, pod deleted', async () => {
    const source = open('jane', { podRunningTimeout: '30s' });
    await source.readState({ kind: 'service', namespace: 'shop', name: 'web' });
    const kubelet = actAsKubelet(api.admin, DEBUG_NS, (pod) => ({
      phase: 'Pending',
      containerStatuses: [{ name: 'netpath', image: pod.spec?.containers[0]?.image ?? '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied' } } }],
    }));
    await assert.rejects(
      source.readNodes({ nodes: ['node-a'], healthCheckPorts: [] }),
      is(ExitCode.NODE_ACCESS, /^node node-a cannot pull the debug image docker\.io\/nicolaka\/netshoot:v0\.13@sha256:a20c\w+ \(ErrImagePull: pull access denied\); pass --image/),
    );
    await kubelet;
    assert.equal((await debugPods(api.admin, DEBUG_NS)).length, 0);
  });

  test('a running pod whose exec fails (kubelet port closed): NODE_ACCESS, pod deleted', async () => {
    const source = open('jane', { podRunningTimeout: '30s', execTimeout: '20s' });
    await source.readState({ kind: 'service', namespace: 'shop', name: 'web' });
    const kubelet = actAsKubelet(api.admin, DEBUG_NS, () => ({
      phase: 'Running',
      containerStatuses: [{ name: 'netpath', image: 'x', imageID: '', ready: true, restartCount: 0, started: true, state: { running: {} } }],
    }));
    await assert.rejects(source.readNodes({ nodes: ['node-a'], healthCheckPorts: [] }), is(ExitCode.NODE_ACCESS, /^node node-a: exec in debug pod netpath-node-a-\w{5} failed \(sh\): Internal error occurred: error sending request: Post to the kubelet: dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/));
    await kubelet;
    assert.equal((await debugPods(api.admin, DEBUG_NS)).length, 0);
  });

  test('SIGINT while waiting for the pod: the child deletes it and exits 130', async () => {
    const child = spawn(process.execPath, [new URL('./read-nodes-child.ts', import.meta.url).pathname, api.kubeconfig], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/created pod/.test(stderr)) resolve();
      });
      child.once('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    assert.equal((await debugPods(api.admin, DEBUG_NS)).length, 1);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 130, stderr);
    assert.match(stderr, /SIGINT: deleting debug pods/);
    assert.equal((await debugPods(api.admin, DEBUG_NS)).length, 0);
  });

  test('cleanup deletes the labelled pods past their deadline, keeps a run in progress, and says which', async () => {
    const core = api.admin.makeApiClient(CoreV1Api);
    const make = (node: string, deadline: Date, runId: string) =>
      core.createNamespacedPod({ namespace: DEBUG_NS, body: buildDebugPod({ name: debugPodName(node), namespace: DEBUG_NS, node, image: 'x', runId, budgetMs: 60_000, deadline }) });
    for (const node of ['node-a', 'node-b']) await make(node, new Date(Date.now() - 1000), 'stalerun00');
    const busy = await make('node-c', new Date(Date.now() + 3_600_000), 'busyrun000');
    const lines: string[] = [];
    const clients = makeClients(loadKubeConfig({ kubeconfig: api.kubeconfig, context: 'jane' }, env()), 0);
    const tidy = (l: string) => l.replace(/-\w{5} /, '-XXXXX ').replace(/(deadline|until) \S+/, '$1 T');
    assert.equal(await cleanupDebugPods(clients, DEBUG_NS, (l) => lines.push(l), { dryRun: true }), 2);
    assert.equal((await debugPods(api.admin, DEBUG_NS)).length, 3, 'a dry run deletes nothing');
    lines.length = 0;
    assert.equal(await cleanupDebugPods(clients, DEBUG_NS, (l) => lines.push(l)), 2);
    assert.deepEqual(lines.map(tidy).sort(), [
      'deleted pod kubectl-netpath/netpath-node-a-XXXXX (node node-a): past its deadline T (run stalerun00)',
      'deleted pod kubectl-netpath/netpath-node-b-XXXXX (node node-b): past its deadline T (run stalerun00)',
      'kept pod kubectl-netpath/netpath-node-c-XXXXX (node node-c): run busyrun000 in progress until T',
    ]);
    assert.deepEqual((await debugPods(api.admin, DEBUG_NS)).map((p) => p.metadata?.name), [busy.metadata?.name]);
    await core.deleteNamespacedPod({ namespace: DEBUG_NS, name: busy.metadata!.name! });
  });

  test('capture writes contract 1 that kubectl agrees with, and the snapshot reader reads it back', async () => {
    const out = mkdtempSync(join(tmpdir(), 'netpath-capture-test-'));
    try {
      const program = addGlobalOptions(new Command('kubectl-netpath')).exitOverride();
      registerCapture(program);
      const dir = join(out, 'bundle');
      // Nodes are read on this host (--local-netns NODE=-): this machine's own rules stand in for theirs.
      await program.parseAsync(['capture', 'shop/web', '--output-dir', dir, '--kubeconfig', api.kubeconfig, '--context', 'jane', '--local-netns', 'node-a=-,node-b=-,node-c=-'], { from: 'user' });
      const kubectl = join(binDir(), 'kubectl');
      const viaKubectl = async (...args: string[]) =>
        JSON.parse((await execa(kubectl, ['--kubeconfig', api.kubeconfig, '--context', 'admin', 'get', ...args, '-o', 'json'])).stdout) as { items: unknown[] };
      const ours = (file: string) => JSON.parse(readFileSync(join(dir, 'cluster', file), 'utf8')) as { items: unknown[]; kind: string };
      // Same objects, field for field, as kubectl prints them (timestamps included).
      assert.deepEqual(ours('services.json').items, (await viaKubectl('services', '-n', 'shop', '--field-selector', 'metadata.name=web')).items);
      assert.deepEqual(ours('endpointslices.json').items, (await viaKubectl('endpointslices.discovery.k8s.io', '-n', 'shop')).items);
      assert.deepEqual(ours('nodes.json').items, (await viaKubectl('nodes')).items);
      assert.deepEqual(ours('pods.json').items, (await viaKubectl('pods', '-n', 'shop', '-l', 'app=web')).items);
      assert.equal(ours('nodes.json').kind, 'List');
      const snap = await SnapshotSource.open(dir);
      const state = await snap.readState();
      assert.equal(state.kubeProxyConfig?.mode, 'ipvs');
      const dumps = await snap.readNodes({ nodes: ['node-a', 'node-b', 'node-c'], healthCheckPorts: [] });
      // node-c hosts no endpoint: read as the one node without endpoints of its kube-proxy version and mode.
      assert.deepEqual([...dumps.keys()].sort(), ['node-a', 'node-b', 'node-c']);
      await snap.close();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('exec over WebSocket needs both get and create on pods/exec (why deploy/rbac.yaml grants both)', async () => {
    const rbac = api.admin.makeApiClient(RbacAuthorizationV1Api);
    for (const verb of ['get', 'create']) {
      const name = `bob-exec-${verb}-only`;
      await rbac.createNamespacedRole({
        namespace: DEBUG_NS,
        body: { metadata: { name }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'delete'] }, { apiGroups: [''], resources: ['pods/exec'], verbs: [verb] }] },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: DEBUG_NS,
        body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }] },
      });
      try {
        const reader = new DebugPodReader(open('bob').clients, { namespace: DEBUG_NS, image: 'x', podRunningTimeoutMs: 30_000, execTimeoutMs: 20_000, pollMs: 100 });
        const kubelet = actAsKubelet(api.admin, DEBUG_NS, () => ({ phase: 'Running' }));
        await assert.rejects(
          reader.readNode({ node: 'node-a', address: null, healthCheckPorts: [] }, () => {}),
          is(ExitCode.FORBIDDEN, 'forbidden: cannot create pods/exec in namespace kubectl-netpath (user bob); apply deploy/rbac.yaml'),
          verb,
        );
        await kubelet;
        assert.equal((await debugPods(api.admin, DEBUG_NS)).length, 0);
      } finally {
        await rbac.deleteNamespacedRoleBinding({ namespace: DEBUG_NS, name });
        await rbac.deleteNamespacedRole({ namespace: DEBUG_NS, name });
      }
    }
  });

  test('success (exec answered by a stand-in, everything else real): the dump comes back and the pod is gone', async () => {
    const clients = open('jane').clients;
    // Plays the container's side of exec: the tool probe, kube-proxy's metrics port, iptables-save -t TABLE.
    const answers: Record<string, string> = { sh: 'image curl\nimage iptables-save\n', curl: 'iptables', 'iptables-save -c -t nat': '*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n', 'iptables-save -c -t filter': '*filter\nCOMMIT\n' };
    const exec = {
      exec: async (_ns: string, _pod: string, _c: string, argv: string[], stdout: NodeJS.WritableStream, _e: unknown, _i: unknown, _t: boolean, cb: (s: object) => void) => {
        const ws = Object.assign(new (await import('node:events')).EventEmitter(), { close: () => ws.emit('close') });
        setImmediate(() => {
          // curl answers only kube-proxy's mode; its metrics and healthz ports print nothing here.
          const curlOther = argv[0] === 'curl' && argv.at(-1) !== 'http://127.0.0.1:10249/proxyMode';
          stdout.write(curlOther ? '' : (answers[argv.join(' ')] ?? answers[argv[0] ?? ''] ?? ''));
          cb({ status: 'Success' });
          ws.emit('close');
        });
        return ws;
      },
    } as unknown as typeof clients.exec;
    const reader = new DebugPodReader({ ...clients, exec }, { namespace: DEBUG_NS, image: 'x', podRunningTimeoutMs: 30_000, execTimeoutMs: 5000, pollMs: 100 });
    const kubelet = actAsKubelet(api.admin, DEBUG_NS, () => ({ phase: 'Running' }));
    const dump = await reader.readNode({ node: 'node-a', address: null, healthCheckPorts: [] }, () => {});
    await kubelet;
    assert.equal(dump.proxyMode, 'iptables');
    assert.deepEqual([...dump.files], [['iptables-save.txt', '*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n*filter\nCOMMIT\n']]);
    // One pod; 6 execs: the probe, /proxyMode, the nat and filter saves, /metrics and /healthz
    // (no ip, conntrack or cat in this toolbox: those never run).
    assert.deepEqual(reader.usage(), { debugPods: 1, execs: 6 });
    assert.equal((await debugPods(api.admin, DEBUG_NS)).length, 0);
  });
});
