import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, NetworkingV1Api, RbacAuthorizationV1Api, loadAllYaml } from '@kubernetes/client-node';
import type { KubernetesObject, V1ClusterRole, V1PolicyRule } from '@kubernetes/client-node';
import { Command } from 'commander';
import { LiveSource } from '../../src/cluster/live/live-source.ts';
import { nodeAccessOf } from '../../src/cluster/live/node-access-options.ts';
import { SnapshotSource } from '../../src/cluster/nodes/snapshot.ts';
import { register as registerCapture } from '../../src/cli/capture.ts';
import { addGlobalOptions } from '../../src/commands/global-options.ts';
import { binDir, freePort, haveBinaries, startApiServer } from './apiserver.ts';
import type { ApiServer } from './apiserver.ts';
import { DEBUG_NS, rbacObjects, seed } from './fixtures.ts';

const CRD_DIR = new URL('../harness/crds/', import.meta.url);

/** Waits until the CRD's API is served (Established), as `kubectl wait --for condition=established`. */
async function established(api: ApiextensionsV1Api, name: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const crd = await api.readCustomResourceDefinition({ name });
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`CRD ${name} not established`);
}

describe('load-balancer objects read live and captured (real kube-apiserver, CRDs from test/harness/crds)', { skip: !haveBinaries() && `no etcd/kube-apiserver in ${binDir()} (scripts/k8s/build.sh)` }, () => {
  let api: ApiServer;
  const env = () => ({ env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' });
  const open = (context: string, verbose = false) =>
    LiveSource.open({ kubeconfig: api.kubeconfig, context, verbose }, nodeAccessOf({ debugNamespace: DEBUG_NS }), env());

  before(async () => {
    api = await startApiServer();
    await seed(api.admin, await freePort());
    const objects = KubernetesObjectApi.makeApiClient(api.admin);
    const ext = api.admin.makeApiClient(ApiextensionsV1Api);
    for (const file of readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml'))) {
      for (const crd of loadAllYaml(readFileSync(new URL(file, CRD_DIR), 'utf8')) as KubernetesObject[]) {
        await objects.create(crd);
        await established(ext, crd.metadata!.name!);
      }
    }
    const core = api.admin.makeApiClient(CoreV1Api);
    const custom = api.admin.makeApiClient(CustomObjectsApi);
    const networking = api.admin.makeApiClient(NetworkingV1Api);
    await core.createNamespace({ body: { metadata: { name: 'metallb-system' } } });
    // Shaped as the providers' docs show them: an ALB IngressClass and Ingress, a TargetGroupBinding
    // per service (the controller names them k8s-<ns>-<svc>-<hash>), MetalLB's per-service statuses
    // in its own namespace with its labels, and one binding and one status of another service.
    await networking.createIngressClass({ body: { metadata: { name: 'alb' }, spec: { controller: 'ingress.k8s.aws/alb' } } });
    await networking.createNamespacedIngress({
      namespace: 'shop',
      body: {
        metadata: { name: 'shop', annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' } },
        spec: { ingressClassName: 'alb', rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
      },
    });
    const tgb = (name: string, service: string) => ({
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: { name, namespace: 'shop' },
      spec: { serviceRef: { name: service, port: 80 }, targetType: 'ip', targetGroupARN: `arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/${name}/73e2d6bc24d8a067` },
    });
    for (const [name, svc] of [['k8s-shop-web-6b4bc7d2c1', 'web'], ['k8s-shop-api-0f8a3c5e9d', 'api']]) {
      await custom.createNamespacedCustomObject({ group: 'elbv2.k8s.aws', version: 'v1beta1', namespace: 'shop', plural: 'targetgroupbindings', body: tgb(name!, svc!) });
    }
    const status = (kind: 'ServiceL2Status' | 'ServiceBGPStatus', name: string, svc: string, node: string) => ({
      apiVersion: 'metallb.io/v1beta1',
      kind,
      metadata: { name, namespace: 'metallb-system', labels: { 'metallb.io/node': node, 'metallb.io/service-name': svc, 'metallb.io/service-namespace': 'shop' } },
    });
    const plural = { ServiceL2Status: 'servicel2statuses', ServiceBGPStatus: 'servicebgpstatuses' } as const;
    const statuses = [
      ['ServiceL2Status', 'l2-8xk2q', 'web', 'node-b', { interfaces: [{ name: 'eth0' }] }],
      ['ServiceL2Status', 'l2-p4m7z', 'api', 'node-a', { interfaces: [{ name: 'eth0' }] }],
      ['ServiceBGPStatus', 'bgp-2fzq9', 'web', 'node-a', { peers: ['tor-a'] }],
    ] as const;
    for (const [kind, name, svc, node, extra] of statuses) {
      const ref = { group: 'metallb.io', version: 'v1beta1', namespace: 'metallb-system', plural: plural[kind], name };
      await custom.createNamespacedCustomObject({ ...ref, body: status(kind, name, svc, node) });
      // Status is a subresource: MetalLB writes it apart from the object, as here.
      await custom.patchNamespacedCustomObjectStatus({ ...ref, body: [{ op: 'add', path: '/status', value: { node, serviceName: svc, serviceNamespace: 'shop', ...extra } }] });
    }
    // bob: deploy/rbac.yaml's reader rules without the optional load-balancer ones.
    const reader = rbacObjects().rbac.find((o) => o.kind === 'ClusterRole') as V1ClusterRole;
    const base = (r: V1PolicyRule) => (r.apiGroups ?? []).every((g) => g === '' || g === 'discovery.k8s.io');
    const rbac = api.admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createClusterRole({ body: { metadata: { name: 'netpath-reader-no-lb' }, rules: (reader.rules ?? []).filter(base) } });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'netpath-reader-no-lb-bob' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'netpath-reader-no-lb' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }],
      },
    });
  });
  after(async () => {
    await api?.stop();
  });

  test('jane (deploy/rbac.yaml): one service reads its Ingresses, its own TargetGroupBinding and its MetalLB statuses from metallb-system', async () => {
    const source = open('jane');
    const state = await source.readState({ kind: 'service', namespace: 'shop', name: 'web' });
    await source.close();
    assert.deepEqual(state.ingresses?.map((i) => i.metadata?.name), ['shop']);
    assert.deepEqual(state.ingressClasses?.map((c) => c.spec?.controller), ['ingress.k8s.aws/alb']);
    assert.deepEqual(state.targetGroupBindings?.map((b) => b.metadata?.name), ['k8s-shop-web-6b4bc7d2c1']); // not api's
    assert.deepEqual(state.serviceL2Statuses?.map((s) => s.status?.node), ['node-b']); // not api's on node-a
    assert.deepEqual(state.serviceBGPStatuses?.map((s) => s.status?.peers), [['tor-a']]);
  });

  test('capture writes the five files; the snapshot reader reads them back; --redact keeps what the model needs', async () => {
    const out = mkdtempSync(join(tmpdir(), 'netpath-lb-capture-'));
    try {
      for (const redact of [false, true]) {
        const program = addGlobalOptions(new Command('kubectl-netpath')).exitOverride();
        registerCapture(program);
        const dir = join(out, redact ? 'redacted' : 'plain');
        await program.parseAsync(['capture', '--all-services', '--output-dir', dir, '--kubeconfig', api.kubeconfig, '--context', 'jane', '--local-netns', 'node-a=-,node-b=-,node-c=-', ...(redact ? ['--redact'] : [])], { from: 'user' });
        for (const f of ['ingresses.json', 'ingressclasses.json', 'targetgroupbindings.json', 'servicel2statuses.json', 'servicebgpstatuses.json']) {
          assert.equal(JSON.parse(readFileSync(join(dir, 'cluster', f), 'utf8')).kind, 'List', f);
        }
        const snap = await SnapshotSource.open(dir);
        const state = await snap.readState();
        await snap.close();
        // --all-services: both services' bindings and L2 statuses.
        assert.deepEqual(state.targetGroupBindings?.map((b) => b.spec?.serviceRef).sort((a, b) => String((a as { name: string }).name).localeCompare((b as { name: string }).name)), [{ name: 'api', port: 80 }, { name: 'web', port: 80 }]);
        assert.deepEqual(state.serviceL2Statuses?.map((s) => `${s.status?.serviceName}@${s.status?.node}`).sort(), ['api@node-a', 'web@node-b']);
        assert.equal(state.targetGroupBindings?.[0]?.spec?.targetType, 'ip');
        assert.equal(state.ingresses?.[0]?.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name, 'web');
        const arn = state.targetGroupBindings?.[0]?.spec?.targetGroupARN;
        if (redact) assert.equal(arn, 'redacted');
        else assert.match(String(arn), /^arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup\//);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  /** readState of shop/web as `context` with --verbose, and what it wrote on stderr. */
  const readVerbose = async (context: string) => {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      const source = open(context, true);
      const state = await source.readState({ kind: 'service', namespace: 'shop', name: 'web' });
      await source.close();
      return { state, stderr: lines.join('') };
    } finally {
      process.stderr.write = write;
    }
  };

  test('bob, without the optional grants: the answer still comes, the five fields are null, --verbose says why', async () => {
    const { state, stderr } = await readVerbose('bob');
    assert.deepEqual(state.services.map((s) => s.metadata?.name), ['web']);
    assert.equal(state.ingresses, null);
    assert.equal(state.ingressClasses, null);
    assert.equal(state.targetGroupBindings, null);
    assert.equal(state.serviceL2Statuses, null);
    assert.equal(state.serviceBGPStatuses, null);
    assert.match(stderr, /targetgroupbindings\.elbv2\.k8s\.aws not read: forbidden: cannot list targetgroupbindings\.elbv2\.k8s\.aws in namespace shop \(user bob\)/);
    assert.match(stderr, /servicel2statuses\.metallb\.io not read: forbidden: cannot list servicel2statuses\.metallb\.io at cluster scope \(user bob\)/);
  });

  test('a cluster without the CRDs (404): null fields, and the answer', async () => {
    const ext = api.admin.makeApiClient(ApiextensionsV1Api);
    await ext.deleteCustomResourceDefinition({ name: 'servicebgpstatuses.metallb.io' });
    // Deletion is asynchronous: read until the API stops serving the resource.
    let read = await readVerbose('jane');
    for (let i = 0; i < 100 && read.state.serviceBGPStatuses !== null; i++) {
      await new Promise((r) => setTimeout(r, 100));
      read = await readVerbose('jane');
    }
    const { state, stderr } = read;
    assert.equal(state.serviceBGPStatuses, null);
    assert.deepEqual(state.serviceL2Statuses?.map((s) => s.status?.node), ['node-b']);
    assert.match(stderr, /servicebgpstatuses\.metallb\.io not read: not served by this cluster \(no such API or CRD\); the load-balancer model goes without them/);
  });
});
