import { readFileSync } from 'node:fs';
import {
  CoreV1Api,
  DiscoveryV1Api,
  KubernetesObjectApi,
  loadAllYaml,
} from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { MANAGED_BY_SELECTOR } from '../../src/cluster/nodes/debug-pod-identity.ts';

export const RBAC_FILE = new URL('../../deploy/rbac.yaml', import.meta.url);
export const DEBUG_NS = 'kubectl-netpath';
export const LOCKED_NS = 'locked';

/** deploy/rbac.yaml, and its commented example bindings made real (they name user jane). */
export function rbacObjects(): { rbac: KubernetesObject[]; bindings: KubernetesObject[] } {
  const text = readFileSync(RBAC_FILE, 'utf8');
  const [main, example = ''] = text.split(/^# --- Example binding.*$/m);
  const uncommented = example
    .split('\n')
    .map((l) => l.replace(/^# ?/, ''))
    .join('\n');
  return { rbac: loadAllYaml(main ?? '') as KubernetesObject[], bindings: loadAllYaml(uncommented) as KubernetesObject[] };
}

/**
 * A small cluster as objects: service shop/web with two endpoints on node-a and node-b, a pod that
 * is not behind it, three nodes (loopback addresses, kubelet port `kubeletPort` where nothing
 * listens), kube-proxy's ConfigMap, the RBAC of deploy/rbac.yaml bound to jane, and a namespace
 * that enforces the baseline Pod Security level.
 */
export async function seed(admin: KubeConfig, kubeletPort: number): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  const discovery = admin.makeApiClient(DiscoveryV1Api);
  const objects = KubernetesObjectApi.makeApiClient(admin);
  const { rbac, bindings } = rbacObjects();
  for (const o of [...rbac, ...bindings]) await objects.create(o);

  await core.createNamespace({ body: { metadata: { name: 'shop' } } });
  await core.createNamespace({
    body: { metadata: { name: LOCKED_NS, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
  });
  // No controller manager creates the default service accounts; ServiceAccount admission wants them.
  for (const namespace of ['shop', DEBUG_NS, LOCKED_NS]) {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } });
  }

  for (const name of ['node-a', 'node-b', 'node-c']) {
    await core.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name } } } });
    const node = await core.readNode({ name });
    node.status = {
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
    };
    await core.replaceNodeStatus({ name, body: node });
  }

  const pod = (name: string, app: string, node: string): V1Pod => ({
    metadata: { name, namespace: 'shop', labels: { app } },
    spec: { nodeName: node, containers: [{ name: 'web', image: 'registry.example/web:1' }] },
  });
  await core.createNamespacedPod({ namespace: 'shop', body: pod('web-1', 'web', 'node-a') });
  await core.createNamespacedPod({ namespace: 'shop', body: pod('web-2', 'web', 'node-b') });
  await core.createNamespacedPod({ namespace: 'shop', body: pod('other', 'other', 'node-c') });
  await core.createNamespacedService({
    namespace: 'shop',
    body: {
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    },
  });
  const ep = (ip: string, node: string, pod: string) => ({
    addresses: [ip],
    nodeName: node,
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', name: pod, namespace: 'shop' },
  });
  await discovery.createNamespacedEndpointSlice({
    namespace: 'shop',
    body: {
      metadata: { name: 'web-x7k2p', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [ep('10.244.1.5', 'node-a', 'web-1'), ep('10.244.2.7', 'node-b', 'web-2')],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  });
  await core.createNamespacedConfigMap({
    namespace: 'kube-system',
    body: {
      metadata: { name: 'kube-proxy' },
      data: { 'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs\nclusterCIDR: 10.244.0.0/16\nipvs:\n  scheduler: rr\n' },
    },
  });
}

/** Pods carrying netpath's label in a namespace. */
export async function debugPods(admin: KubeConfig, namespace: string): Promise<V1Pod[]> {
  const core = admin.makeApiClient(CoreV1Api);
  return (await core.listNamespacedPod({ namespace, labelSelector: MANAGED_BY_SELECTOR })).items;
}

/**
 * Plays the kubelet for the one debug pod that will appear in `namespace`: waits for it, then
 * writes the status a kubelet would report.
 */
export async function actAsKubelet(admin: KubeConfig, namespace: string, status: (pod: V1Pod) => V1Pod['status']): Promise<V1Pod> {
  const core = admin.makeApiClient(CoreV1Api);
  for (let i = 0; i < 200; i++) {
    const [pod] = await debugPods(admin, namespace);
    if (pod?.metadata?.name) {
      pod.status = status(pod);
      return core.replaceNamespacedPodStatus({ name: pod.metadata.name, namespace, body: pod });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no debug pod appeared in ${namespace}`);
}
