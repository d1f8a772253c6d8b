import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { K8S_VERSION, binDir } from '../live/apiserver.ts';

/**
 * The one-node cluster of scripts/kubelet (etcd + kube-apiserver on the host, containerd +
 * kubelet + kube-proxy in network namespace nkl-node), driven from tests.
 */
const SCRIPTS = fileURLToPath(new URL('../../scripts/kubelet/', import.meta.url));
export const STATE_DIR = process.env.NETPATH_KUBELET_DIR ?? join(process.env.TMPDIR ?? tmpdir(), 'netpath-kubelet');
const kubeletPath = () =>
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubectl-netpath', 'k8s', K8S_VERSION, 'kubelet', 'bin', 'kubelet');

const onPath = (tool: string) =>
  [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'].some((dir) => dir && existsSync(join(dir, tool)));

/** Why the harness cannot run here, or null when it can. */
export function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespace, cgroups, containerd)';
  if (!existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')) return 'scripts/kubelet is written for cgroup v1 hosts (no /sys/fs/cgroup/memory)';
  const missing = ['containerd', 'ctr', 'runc', 'nsenter', 'gcc', 'busybox'].filter((t) => !onPath(t));
  if (missing.length) return `missing ${missing.join(', ')} (apt-get install containerd runc gcc busybox-static)`;
  const bins = ['etcd', 'kube-apiserver', 'kube-proxy', 'kubectl'].filter((b) => !existsSync(join(binDir(), b)));
  if (bins.length) return `no ${bins.join(', ')} in ${binDir()} (scripts/k8s/build.sh)`;
  if (!existsSync(kubeletPath())) return `no kubelet at ${kubeletPath()} (scripts/kubelet/build-kubelet.sh)`;
  return null;
}

/** What up wrote to $STATE_DIR/env. */
export interface Harness {
  kubeconfig: string;
  server: string;
  node: string;
  nodeNetns: string;
  nodeIP: string;
  hostIP: string;
  debugImage: string;
  containerdSock: string;
}

const scriptEnv = () => ({ ...process.env, NETPATH_KUBELET_DIR: STATE_DIR, NETPATH_K8S_VERSION: K8S_VERSION });

async function script(name: string, args: string[], timeoutMs: number): Promise<void> {
  const res = await execa(join(SCRIPTS, name), args, { env: scriptEnv(), all: true, reject: false, timeout: timeoutMs });
  if (res.exitCode !== 0) throw new Error(`scripts/kubelet/${name} ${args.join(' ')} failed (exit ${res.exitCode}):\n${res.all}`);
}

export async function up(): Promise<Harness> {
  await script('up', [], 10 * 60_000);
  const env = Object.fromEntries(
    readFileSync(join(STATE_DIR, 'env'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return {
    kubeconfig: env.KUBECONFIG!,
    server: env.NKL_SERVER!,
    node: env.NKL_NODE!,
    nodeNetns: env.NKL_NODE_NS!,
    nodeIP: env.NKL_NODE_IP!,
    hostIP: env.NKL_HOST_IP!,
    debugImage: env.NKL_DEBUG_IMAGE!,
    containerdSock: env.NKL_CONTAINERD_SOCK!,
  };
}

export const down = () => script('down', [], 3 * 60_000);

/** (Re)starts kube-proxy on the node; returns once it has programmed default/kubernetes. */
export const kubeProxy = (mode: 'iptables' | 'nftables') => script('kube-proxy', [mode], 3 * 60_000);

/** Runs argv in the node's network namespace (only: mount and PID namespaces are the host's). */
export async function inNode(h: Harness, argv: string[]): Promise<string> {
  const res = await execa('nsenter', [`--net=/run/netns/${h.nodeNetns}`, ...argv]);
  return res.stdout;
}

/** IDs of the containerd tasks (running containers, sandboxes included) on the node. */
export async function runningTasks(h: Harness): Promise<string[]> {
  const res = await execa('ctr', ['--address', h.containerdSock, '--namespace', 'k8s.io', 'tasks', 'ls', '-q']);
  return res.stdout.split('\n').filter(Boolean);
}
