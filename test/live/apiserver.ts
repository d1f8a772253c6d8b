import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';

/**
 * A bare etcd + kube-apiserver on loopback with RBAC and the default admission plugins (Pod
 * Security included), for tests of LiveSource against a real API server. There is no kubelet,
 * scheduler or controller manager: pods are stored but never run. (The harness in test/harness
 * starts a whole cluster with AlwaysAllow authorization; these tests need RBAC.)
 */
export interface ApiServer {
  kubeconfig: string;
  server: string;
  /** Tokens of the token-file users: admin (system:masters), jane, bob. */
  tokens: Record<'admin' | 'jane' | 'bob', string>;
  /** Client for admin. */
  admin: KubeConfig;
  dir: string;
  stop(): Promise<void>;
}

export const K8S_VERSION = process.env.NETPATH_K8S_VERSION ?? 'v1.36.3';
export const binDir = () =>
  process.env.NETPATH_K8S_BIN ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubectl-netpath', 'k8s', K8S_VERSION, 'bin');
export const haveBinaries = () => ['etcd', 'kube-apiserver'].every((b) => existsSync(join(binDir(), b)));

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

function start(name: string, file: string, args: string[], dir: string): ChildProcess {
  const log = join(dir, `${name}.log`);
  writeFileSync(log, '');
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => writeFileSync(log, d, { flag: 'a' }));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM'); // by PID: this very process
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await once(child, 'exit');
  clearTimeout(timer);
}

async function waitReady(kc: KubeConfig, child: ChildProcess, log: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kube-apiserver exited; see ${log}`);
    try {
      // kube-system and the bootstrap RBAC policy (post-start hooks) exist once the server is really up.
      await core.readNamespace({ name: 'kube-system' });
      await rbac.readClusterRoleBinding({ name: 'system:basic-user' });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`kube-apiserver not ready after 90s; see ${log}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function startApiServer(): Promise<ApiServer> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'netpath-live-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children.reverse()) await stopChild(c);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    children.push(
      start('etcd', join(bin, 'etcd'), [
        '--name', 'netpath-live', '--data-dir', join(dir, 'etcd'),
        '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
        '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
        '--initial-cluster', `netpath-live=http://127.0.0.1:${peerPort}`, '--log-level', 'warn',
      ], dir),
    );
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const tokens = { admin: 'admin-token-0123456789', jane: 'jane-token-0123456789', bob: 'bob-token-0123456789' };
    writeFileSync(
      join(dir, 'tokens.csv'),
      `${tokens.admin},admin,uid-admin,"system:masters"\n${tokens.jane},jane,uid-jane\n${tokens.bob},bob,uid-bob\n`,
    );
    const server = `https://127.0.0.1:${apiPort}`;
    const api = start('kube-apiserver', join(bin, 'kube-apiserver'), [
      '--etcd-servers', etcdUrl,
      '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1', '--secure-port', String(apiPort),
      '--cert-dir', join(dir, 'certs'),
      '--token-auth-file', join(dir, 'tokens.csv'),
      '--authorization-mode', 'RBAC',
      '--allow-privileged=true', // as kubeadm and every node-debugging cluster set it
      '--service-account-issuer', 'https://kubernetes.default.svc',
      '--service-account-key-file', join(dir, 'sa.pub'),
      '--service-account-signing-key-file', join(dir, 'sa.key'),
      '--service-cluster-ip-range', '10.96.0.0/24',
      // Kubelet connections (exec) only ever go to loopback node addresses in these tests.
      '--kubelet-preferred-address-types', 'InternalIP',
    ], dir);
    children.push(api);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml(server, tokens));
    const admin = new KubeConfig();
    admin.loadFromFile(kubeconfig);
    admin.setCurrentContext('admin');
    await waitReady(admin, api, join(dir, 'kube-apiserver.log'));
    return { kubeconfig, server, tokens, admin, dir, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Contexts admin, jane (namespace shop) and bob (namespace shop); current context admin. */
function kubeconfigYaml(server: string, tokens: ApiServer['tokens']): string {
  const users = Object.entries(tokens).map(([u, t]) => `- name: ${u}\n  user: {token: ${t}}`).join('\n');
  return `apiVersion: v1
kind: Config
current-context: admin
clusters:
- name: live
  cluster: {server: '${server}', insecure-skip-tls-verify: true}
users:
${users}
contexts:
- name: admin
  context: {cluster: live, user: admin}
- name: jane
  context: {cluster: live, user: jane, namespace: shop}
- name: bob
  context: {cluster: live, user: bob, namespace: shop}
`;
}
