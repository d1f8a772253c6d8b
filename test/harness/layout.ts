import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Repository root, for running scripts/cluster/* from any working directory. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLUSTER_SCRIPTS = path.join(REPO_ROOT, 'scripts', 'cluster');

export type ProxyMode = 'iptables' | 'nftables';

export interface NodeLayout {
  name: string;
  /** Network namespace the node lives in (kube-proxy runs there). */
  netns: string;
  ip: string;
  podCIDR: string;
  zone: string;
}

/** What scripts/cluster/up wrote to cluster.json. */
export interface ClusterLayout {
  dir: string;
  kubeconfig: string;
  /** Directory with kubectl, kube-proxy, ... of the pinned version. */
  bin: string;
  echoBin: string;
  version: string;
  proxyMode: ProxyMode;
  clusterCIDR: string;
  serviceCIDR: string;
  apiServer: string;
  hostIP: string;
  router: { netns: string; wireIP: string; clientSideIP: string };
  client: { netns: string; ip: string };
  nodes: NodeLayout[];
}

export async function readLayout(file: string): Promise<ClusterLayout> {
  return JSON.parse(await readFile(file, 'utf8')) as ClusterLayout;
}

export function nodeLayout(layout: ClusterLayout, name: string): NodeLayout {
  const node = layout.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no node ${name} in the harness cluster (${layout.nodes.map((n) => n.name).join(', ')})`);
  return node;
}
