import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { execa } from 'execa';
import { CoreV1Api, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { CLUSTER_SCRIPTS, readLayout } from './layout.ts';
import type { ClusterLayout, ProxyMode } from './layout.ts';

export interface ClusterOptions {
  mode: ProxyMode;
  /** Kubernetes version (scripts/k8s/versions); default: the first pinned one. */
  version?: string;
}

/** A running harness cluster and API clients bound to it. */
export interface Cluster {
  layout: ClusterLayout;
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
}

/** scripts/cluster/up (builds or reuses the binaries); progress goes to stderr. */
export async function clusterUp(opts: ClusterOptions): Promise<Cluster> {
  const args = ['--mode', opts.mode, ...(opts.version ? ['--version', opts.version] : [])];
  const res = await execa(path.join(CLUSTER_SCRIPTS, 'up'), args, { stderr: 'inherit' });
  return attachCluster(res.stdout.trim().split('\n').at(-1));
}

/** The cluster.json of the running cluster: scripts/cluster/lib.sh's NPE_DIR. */
export function defaultLayoutFile(): string {
  return path.join(process.env.NETPATH_CLUSTER_DIR ?? path.join(tmpdir(), 'netpath-cluster'), 'cluster.json');
}

/** Binds to a cluster already brought up by scripts/cluster/up (e.g. for an interactive session). */
export async function attachCluster(layoutFile = defaultLayoutFile()): Promise<Cluster> {
  const layout = await readLayout(layoutFile);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(layout.kubeconfig);
  return {
    layout,
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    discovery: kubeConfig.makeApiClient(DiscoveryV1Api),
  };
}

/** scripts/cluster/down: removes every recorded process and namespace; idempotent. */
export async function clusterDown(): Promise<void> {
  await execa(path.join(CLUSTER_SCRIPTS, 'down'), [], { stderr: 'inherit' });
}

function downOnSignal(signal: NodeJS.Signals): void {
  spawnSync(path.join(CLUSTER_SCRIPTS, 'down'), [], { stdio: 'inherit' });
  process.kill(process.pid, signal);
}

/**
 * Registers node:test hooks: the cluster comes up before the suite and always goes down after it
 * (also when `before` failed half-way, and on SIGINT/SIGTERM). Call at the top of a describe().
 */
export function useCluster(opts: ClusterOptions): () => Cluster {
  let cluster: Cluster | undefined;
  const onSignal = (signal: NodeJS.Signals): void => downOnSignal(signal);
  before(async () => {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    cluster = await clusterUp(opts);
  });
  after(async () => {
    cluster = undefined;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await clusterDown();
  });
  return () => {
    if (!cluster) throw new Error('the harness cluster is not up (did its before hook fail?)');
    return cluster;
  };
}
