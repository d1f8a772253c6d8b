import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { redactBundle } from '../../../src/cluster/bundle-redact.ts';
import { bundleFiles, writeBundle } from '../../../src/cluster/bundle-writer.ts';
import type { BundleContents } from '../../../src/cluster/bundle-writer.ts';
import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import type { NodeDump } from '../../../src/cluster/source.ts';
import { nodesToRead } from '../../../src/commands/capture.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'netpath-bundle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Objects as client-node returns them: camelCase fields, Date timestamps.
const service: V1Service = {
  metadata: {
    name: 'web',
    namespace: 'shop',
    creationTimestamp: new Date('2026-05-01T10:00:00Z'),
    managedFields: [{ manager: 'kubectl', operation: 'Update', time: new Date('2026-05-01T10:00:00Z') }],
  },
  spec: { type: 'NodePort', clusterIP: '10.96.0.10', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] },
};
const slice: V1EndpointSlice = {
  metadata: { name: 'web-x7k2p', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.244.1.5'], nodeName: 'node-a', conditions: { ready: true } }],
};
const node = (name: string): V1Node => ({ metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.1' }] } });
const dump: NodeDump = {
  node: 'node-a',
  location: 'live',
  proxyMode: 'iptables',
  files: new Map([
    ['iptables-save.txt', '*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n'],
    ['healthz/32000.json', '{"localEndpoints": 1}'],
  ]),
  healthz: new Map([[32000, { status: 200, localEndpoints: 1, source: 'live 192.0.2.1:32000' }]]),
};
const contents: BundleContents = {
  state: { services: [service], endpointSlices: [slice], nodes: [node('node-a'), node('node-b')], pods: null, kubeProxyConfig: null, ingresses: null, ingressClasses: null, targetGroupBindings: null, serviceL2Statuses: null, serviceBGPStatuses: null },
  kubeProxyConfigMap: { metadata: { name: 'kube-proxy', namespace: 'kube-system' }, data: { 'config.conf': 'mode: iptables\n' } },
  dumps: new Map([['node-a', dump]]),
};

test('contract 1 paths: cluster lists, the ConfigMap, and each node directory with its mode files and healthz', () => {
  assert.deepEqual([...bundleFiles(contents).keys()], [
    'cluster/services.json',
    'cluster/endpointslices.json',
    'cluster/nodes.json',
    'cluster/kube-proxy-config.json', // pods: null writes no pods.json
    'nodes/node-a/proxy-mode',
    'nodes/node-a/iptables-save.txt',
    'nodes/node-a/healthz/32000.json',
  ]);
});

test('JSON as kubectl prints it: List wrapper, apiVersion/kind per item, RFC 3339 seconds, no managedFields', () => {
  const services = JSON.parse(bundleFiles(contents).get('cluster/services.json') ?? '');
  assert.equal(services.kind, 'List');
  assert.equal(services.apiVersion, 'v1');
  const item = services.items[0];
  assert.equal(item.apiVersion, 'v1');
  assert.equal(item.kind, 'Service');
  assert.equal(item.metadata.creationTimestamp, '2026-05-01T10:00:00Z'); // not ...00.000Z
  assert.equal(item.metadata.managedFields, undefined);
  assert.equal(item.spec.healthCheckNodePort, 32000);
  const slices = JSON.parse(bundleFiles(contents).get('cluster/endpointslices.json') ?? '');
  assert.equal(slices.items[0].apiVersion, 'discovery.k8s.io/v1');
  assert.equal(slices.items[0].kind, 'EndpointSlice');
  // kubectl indents with 4 spaces and ends with a newline.
  assert.match(bundleFiles(contents).get('cluster/nodes.json') ?? '', /^\{\n {4}"apiVersion": "v1",\n[\s\S]*\}\n$/);
});

test('a .tar.gz bundle reads back through the snapshot reader', async () => {
  const file = join(dir, 'out', 'capture.tar.gz');
  await writeBundle(file, contents);
  const snap = await SnapshotSource.open(file);
  try {
    const state = await snap.readState();
    assert.deepEqual(state.services.map((s) => s.metadata?.name), ['web']);
    assert.equal(state.nodes.length, 2);
    assert.equal(state.pods, null);
    assert.equal(state.kubeProxyConfig?.mode, 'iptables');
    const dumps = await snap.readNodes({ nodes: ['node-a', 'node-b'], healthCheckPorts: [32000] });
    assert.deepEqual([...dumps.keys()], ['node-a']);
    assert.equal(dumps.get('node-a')?.proxyMode, 'iptables');
    assert.equal(dumps.get('node-a')?.files.get('iptables-save.txt'), '*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n');
    assert.equal(dumps.get('node-a')?.healthz.get(32000)?.localEndpoints, 1);
  } finally {
    await snap.close();
  }
});

test('a directory bundle; a non-empty directory is refused', async () => {
  const out = join(dir, 'bundle');
  await writeBundle(out, contents);
  assert.equal(readFileSync(join(out, 'nodes', 'node-a', 'proxy-mode'), 'utf8'), 'iptables\n');
  await assert.rejects(writeBundle(out, contents), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.BAD_INPUT);
});

test('which nodes capture reads', () => {
  // A third node alike: node-b and node-c have no endpoint and the same (unknown) kube-proxy version.
  const state = { ...contents.state, nodes: [...contents.state.nodes, node('node-c')] };
  // NodePort service: the endpoint's node-a, node-b for the nodes without endpoints (node-c
  // answered from the model), and its health-check port.
  assert.deepEqual(nodesToRead(state, service, false), { nodes: ['node-a', 'node-b'], healthCheckPorts: [32000] });
  // ClusterIP service: the same plan; --all-nodes: all three.
  const cipService = { ...service, spec: { type: 'ClusterIP' } };
  const clusterIP = { ...state, services: [cipService] };
  assert.deepEqual(nodesToRead(clusterIP, cipService, false), { nodes: ['node-a', 'node-b'], healthCheckPorts: [] });
  assert.deepEqual(nodesToRead(clusterIP, cipService, true).nodes, ['node-a', 'node-b', 'node-c']);
  // --all-services reads every node.
  assert.deepEqual(nodesToRead(clusterIP, null, false).nodes, ['node-a', 'node-b', 'node-c']);
});

test('load-balancer objects: the five optional files when read (kubectl shapes), read back by the snapshot reader; --redact drops the ARN, TLS secrets and annotations', async () => {
  const tgb = {
    apiVersion: 'elbv2.k8s.aws/v1beta1',
    kind: 'TargetGroupBinding',
    metadata: { name: 'k8s-shop-web-0123', namespace: 'shop', annotations: { owner: 'team-a' }, managedFields: [{ manager: 'controller' }] },
    spec: { serviceRef: { name: 'web', port: 80 }, targetType: 'ip', targetGroupARN: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/k8s-shop-web/0123', networking: { ingress: [] } },
  };
  const l2 = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'ServiceL2Status',
    metadata: { name: 'l2-abcde', namespace: 'metallb-system', labels: { 'metallb.io/node': 'node-a', 'metallb.io/service-name': 'web', 'metallb.io/service-namespace': 'default' } },
    status: { node: 'node-a', serviceName: 'web', serviceNamespace: 'default', interfaces: [{ name: 'eth0' }] },
  };
  const lb: BundleContents = {
    ...contents,
    state: {
      ...contents.state,
      ingresses: [{ metadata: { name: 'shop', namespace: 'default' }, spec: { ingressClassName: 'alb', tls: [{ secretName: 'shop-cert' }], defaultBackend: { service: { name: 'web', port: { number: 80 } } } } }],
      ingressClasses: [{ metadata: { name: 'alb' }, spec: { controller: 'ingress.k8s.aws/alb', parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: 'alb' } } }],
      targetGroupBindings: [tgb],
      serviceL2Statuses: [l2],
      serviceBGPStatuses: null,
    },
  };
  const files = bundleFiles(lb);
  assert.deepEqual([...files.keys()].filter((k) => k.startsWith('cluster/')), [
    'cluster/services.json',
    'cluster/endpointslices.json',
    'cluster/nodes.json',
    'cluster/ingresses.json',
    'cluster/ingressclasses.json',
    'cluster/targetgroupbindings.json',
    'cluster/servicel2statuses.json', // BGP statuses null (not read): no file
    'cluster/kube-proxy-config.json',
  ]);
  const ing = JSON.parse(files.get('cluster/ingresses.json') ?? '');
  assert.equal(ing.items[0].apiVersion, 'networking.k8s.io/v1');
  assert.equal(ing.items[0].kind, 'Ingress');
  assert.equal(ing.items[0].spec.ingressClassName, 'alb');
  const tgbs = JSON.parse(files.get('cluster/targetgroupbindings.json') ?? '');
  assert.equal(tgbs.kind, 'List');
  assert.equal(tgbs.items[0].apiVersion, 'elbv2.k8s.aws/v1beta1');
  assert.equal(tgbs.items[0].metadata.managedFields, undefined);

  const out = join(dir, 'lb-bundle');
  await writeBundle(out, lb);
  const snap = await SnapshotSource.open(out);
  try {
    const state = await snap.readState();
    assert.equal(state.targetGroupBindings?.[0]?.spec?.targetType, 'ip');
    assert.equal(state.serviceL2Statuses?.[0]?.status?.node, 'node-a');
    assert.equal(state.ingressClasses?.[0]?.spec?.controller, 'ingress.k8s.aws/alb');
    assert.equal(state.serviceBGPStatuses, null);
  } finally {
    await snap.close();
  }

  const red = redactBundle(lb, Buffer.alloc(32)).state;
  assert.deepEqual(red.targetGroupBindings?.[0]?.spec, { serviceRef: { name: 'web', port: 80 }, targetType: 'ip', targetGroupARN: 'redacted' });
  assert.equal(red.targetGroupBindings?.[0]?.metadata?.annotations, undefined);
  assert.equal(red.ingresses?.[0]?.spec?.tls, undefined);
  assert.equal(red.ingresses?.[0]?.spec?.defaultBackend?.service?.name, 'web');
  assert.deepEqual(red.ingressClasses?.[0]?.spec, { controller: 'ingress.k8s.aws/alb' });
  // MetalLB's labels are not reserved ones and go; its status names the node and service anyway.
  assert.deepEqual(red.serviceL2Statuses?.[0]?.status, l2.status);
  assert.equal(red.serviceL2Statuses?.[0]?.metadata?.labels, undefined);
  assert.equal(red.serviceBGPStatuses, null);
});
