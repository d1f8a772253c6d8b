import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// client-node 2.x does not re-export its ObjectSerializer from the package root (it has no exports map).
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { create as createTar } from 'tar';
import { badInput } from '../errors.ts';
import type { ClusterState, KubeObject } from '../model/cluster.ts';
import { CLUSTER_DIR, CLUSTER_FILES, DUMP_FILES, NODE_FILES, NODES_DIR } from './bundle-layout.ts';
import type { NodeDump } from './source.ts';

export interface BundleContents {
  state: ClusterState;
  /** The ConfigMap as read, written as kube-proxy-config.json; null leaves the file out. */
  kubeProxyConfigMap: V1ConfigMap | null;
  dumps: ReadonlyMap<string, NodeDump>;
}

/** kubectl's type information for each list: apiVersion/kind it prints on every item. */
const KINDS = {
  services: { type: 'V1Service', apiVersion: 'v1', kind: 'Service' },
  endpointSlices: { type: 'V1EndpointSlice', apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
  nodes: { type: 'V1Node', apiVersion: 'v1', kind: 'Node' },
  pods: { type: 'V1Pod', apiVersion: 'v1', kind: 'Pod' },
  ingresses: { type: 'V1Ingress', apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  ingressClasses: { type: 'V1IngressClass', apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass' },
} as const;

/**
 * metav1.Time is whole seconds and kubectl prints it as RFC 3339 without fractions
 * (`2024-05-01T10:00:00Z`); Date#toISOString would add `.000`. Converting before serializing makes
 * ObjectSerializer pass the string through.
 */
function datesAsKubectl(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Array.isArray(value)) return value.map(datesAsKubectl);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, datesAsKubectl(v)]));
  }
  return value;
}

/**
 * One object as `kubectl get -o json` prints it: wire field names, apiVersion and kind set, and
 * no metadata.managedFields (kubectl hides them unless --show-managed-fields).
 */
export function kubectlObject(obj: object, type: string, apiVersion: string, kind: string): Record<string, unknown> {
  const wire = ObjectSerializer.serialize(datesAsKubectl(obj), type) as Record<string, unknown>;
  const { managedFields: _hidden, ...metadata } = (wire.metadata ?? {}) as Record<string, unknown>;
  return { ...wire, apiVersion, kind, metadata };
}

/** kubectl's JSON: a List wrapper for several objects, 4-space indent, trailing newline. */
export function kubectlListJson(items: readonly object[], which: keyof typeof KINDS): string {
  const k = KINDS[which];
  const list = {
    apiVersion: 'v1',
    items: items.map((o) => kubectlObject(o, k.type, k.apiVersion, k.kind)),
    kind: 'List',
    metadata: { resourceVersion: '' },
  };
  return `${JSON.stringify(list, null, 4)}\n`;
}

/**
 * Custom resources as kubectl prints them: they arrive as plain wire JSON with their apiVersion and
 * kind, so only managedFields (hidden by kubectl) go; the List wrapper is the same as above.
 */
export function customListJson(items: readonly KubeObject[]): string {
  const plain = items.map((o) => {
    const { managedFields: _hidden, ...metadata } = (o.metadata ?? {}) as Record<string, unknown>;
    return { ...o, metadata };
  });
  return `${JSON.stringify({ apiVersion: 'v1', items: plain, kind: 'List', metadata: { resourceVersion: '' } }, null, 4)}\n`;
}

/** Every file of the bundle, by path relative to its root (contract 1, shared/design.md). */
export function bundleFiles(contents: BundleContents): Map<string, string> {
  const files = new Map<string, string>();
  const { state } = contents;
  const cluster = (name: string) => `${CLUSTER_DIR}/${name}`;
  files.set(cluster(CLUSTER_FILES.services), kubectlListJson(state.services, 'services'));
  files.set(cluster(CLUSTER_FILES.endpointSlices), kubectlListJson(state.endpointSlices, 'endpointSlices'));
  files.set(cluster(CLUSTER_FILES.nodes), kubectlListJson(state.nodes, 'nodes'));
  if (state.pods) files.set(cluster(CLUSTER_FILES.pods), kubectlListJson(state.pods, 'pods'));
  // Load-balancer objects (issue 9): written when read, left out when not served or not granted.
  if (state.ingresses) files.set(cluster(CLUSTER_FILES.ingresses), kubectlListJson(state.ingresses, 'ingresses'));
  if (state.ingressClasses) files.set(cluster(CLUSTER_FILES.ingressClasses), kubectlListJson(state.ingressClasses, 'ingressClasses'));
  if (state.targetGroupBindings) files.set(cluster(CLUSTER_FILES.targetGroupBindings), customListJson(state.targetGroupBindings));
  if (state.serviceL2Statuses) files.set(cluster(CLUSTER_FILES.serviceL2Statuses), customListJson(state.serviceL2Statuses));
  if (state.serviceBGPStatuses) files.set(cluster(CLUSTER_FILES.serviceBGPStatuses), customListJson(state.serviceBGPStatuses));
  if (contents.kubeProxyConfigMap) {
    const cm = kubectlObject(contents.kubeProxyConfigMap, 'V1ConfigMap', 'v1', 'ConfigMap');
    files.set(cluster(CLUSTER_FILES.kubeProxyConfig), `${JSON.stringify(cm, null, 4)}\n`);
  }
  for (const [node, dump] of contents.dumps) {
    const dir = `${NODES_DIR}/${node}`;
    if (dump.proxyMode) files.set(`${dir}/${NODE_FILES.proxyMode}`, `${dump.proxyMode}\n`);
    for (const name of DUMP_FILES) {
      const text = dump.files.get(name);
      if (text !== undefined) files.set(`${dir}/${name}`, text);
    }
    for (const [name, text] of dump.files) {
      if (name.startsWith(`${NODE_FILES.healthzDir}/`)) files.set(`${dir}/${name}`, text);
    }
  }
  return files;
}

/**
 * Writes the bundle to DIR (created; must be empty if it exists) or to FILE.tar.gz / .tgz, packed
 * with node-tar (the library the snapshot reader unpacks with) from a temporary directory.
 * Returns the relative paths written.
 */
export async function writeBundle(dest: string, contents: BundleContents): Promise<string[]> {
  const files = bundleFiles(contents);
  const archive = /\.(tar\.gz|tgz)$/.test(dest);
  const root = archive ? await mkdtemp(join(tmpdir(), 'netpath-capture-')) : dest;
  try {
    if (!archive) {
      const existing = await readdir(dest).catch(() => [] as string[]);
      if (existing.length > 0) throw badInput(`--output-dir ${dest}: directory is not empty (choose a new directory or a .tar.gz)`);
    }
    for (const [rel, text] of files) {
      const path = join(root, rel);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    }
    if (archive) {
      await mkdir(dirname(dest), { recursive: true });
      const top = [CLUSTER_DIR, ...(contents.dumps.size > 0 ? [NODES_DIR] : [])];
      await createTar({ gzip: true, file: dest, cwd: root, portable: true }, top);
    }
  } finally {
    if (archive) await rm(root, { recursive: true, force: true });
  }
  return [...files.keys()];
}
