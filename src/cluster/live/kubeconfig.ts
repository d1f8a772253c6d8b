import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import { badInput, usageError } from '../../errors.ts';

/** The connection kubectl would use for the same flags and environment. */
export interface LoadedConfig {
  /** Holds exactly the effective context (with --cluster/--user applied) as current context. */
  kc: KubeConfig;
  /** Name of the effective context; null for in-cluster config. */
  contextName: string | null;
  /** -n, else the context's namespace, else the pod's own (in-cluster), else `default`. */
  namespace: string;
  server: string;
  /** Kubeconfig user entry name, for messages (the API server's own name for it may differ). */
  userName: string;
  /** Files that were read, in precedence order; empty for in-cluster. */
  files: string[];
}

/** What loading looks at besides the flags; tests pass their own. */
export interface ConfigEnvironment {
  env: NodeJS.ProcessEnv;
  home: string;
  /** Directory of the mounted service account (token, ca.crt, namespace). */
  serviceAccountDir: string;
}

export const processEnvironment = (): ConfigEnvironment => ({
  env: process.env,
  home: homedir(),
  serviceAccountDir: '/var/run/secrets/kubernetes.io/serviceaccount',
});

/** kubectl's connection flags (GlobalOptions carries them under the same names). */
export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
}

/**
 * kubectl's loading rules (client-go clientcmd): --kubeconfig alone if given (it must exist);
 * else every file of $KUBECONFIG that exists, merged so that the first file to define a name or
 * current-context wins; else ~/.kube/config; else in-cluster config when KUBERNETES_SERVICE_HOST
 * is set. Then --context picks the context and --cluster/--user replace its parts.
 */
export function loadKubeConfig(flags: ConnectionFlags, where: ConfigEnvironment = processEnvironment()): LoadedConfig {
  const files = kubeconfigFiles(flags.kubeconfig, where);
  if (files.length === 0) {
    if (where.env.KUBERNETES_SERVICE_HOST && where.env.KUBERNETES_SERVICE_PORT) return inCluster(flags, where);
    throw badInput('no kubeconfig: set KUBECONFIG, pass --kubeconfig or create ~/.kube/config');
  }
  const merged = mergeKubeconfigs(files.map(loadFile));
  return effective(merged, flags, files);
}

function kubeconfigFiles(explicit: string | undefined, where: ConfigEnvironment): string[] {
  if (explicit) {
    if (!existsSync(explicit)) throw badInput(`--kubeconfig ${explicit}: no such file`);
    return [explicit];
  }
  const list = where.env.KUBECONFIG;
  if (list) {
    // Missing entries are skipped and duplicates read once, as client-go does.
    return [...new Set(list.split(delimiter).filter((f) => f !== ''))].filter((f) => existsSync(f));
  }
  const home = join(where.home, '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

function loadFile(file: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    // loadFromFile resolves relative certificate paths against the file's directory, as kubectl does.
    kc.loadFromFile(file);
  } catch (e) {
    throw badInput(`kubeconfig ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  return kc;
}

/**
 * Merge like kubectl: the first file to set a cluster, user or context name wins, and the first
 * non-empty current-context wins. (client-node's own merge lets later files override and throws on
 * duplicate names, which is not what kubectl users expect from KUBECONFIG=a:b.)
 */
export function mergeKubeconfigs(configs: KubeConfig[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let current = '';
  for (const kc of configs) {
    for (const c of kc.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of kc.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (!current && kc.getCurrentContext()) current = kc.getCurrentContext();
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: [...clusters.values()],
    // client-go trims token files; client-node keeps the trailing newline, which breaks the header.
    users: [...users.values()].map((u) => (u.token ? { ...u, token: u.token.trim() } : u)),
    contexts: [...contexts.values()],
    currentContext: current,
  });
  return merged;
}

function effective(kc: KubeConfig, flags: ConnectionFlags, files: string[]): LoadedConfig {
  const contextName = flags.context ?? kc.getCurrentContext();
  let base: Context | null = null;
  if (contextName) {
    base = kc.getContextObject(contextName);
    if (!base && flags.context) throw usageError(`context "${flags.context}" does not exist in ${files.join(delimiter)}`);
  }
  const clusterName = flags.cluster ?? base?.cluster;
  const userName = flags.user ?? base?.user ?? '';
  if (!clusterName) {
    throw badInput(
      `no current context in ${files.join(delimiter)}: pass --context, or set one with kubectl config use-context`,
    );
  }
  const cluster = kc.getCluster(clusterName);
  if (!cluster) throw usageError(`cluster "${clusterName}" does not exist in ${files.join(delimiter)}`);
  const user = userName ? kc.getUser(userName) : null;
  if (userName && !user) throw usageError(`user "${userName}" does not exist in ${files.join(delimiter)}`);
  const name = base?.name ?? 'netpath-flags';
  const context: Context = { name, cluster: clusterName, user: userName, ...(base?.namespace ? { namespace: base.namespace } : {}) };
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: [cluster],
    users: user ? [user] : [],
    contexts: [context],
    currentContext: name,
  });
  return {
    kc: out,
    contextName: name,
    namespace: flags.namespace ?? base?.namespace ?? 'default',
    server: cluster.server,
    userName: userName || '(none)',
    files,
  };
}

function inCluster(flags: ConnectionFlags, where: ConfigEnvironment): LoadedConfig {
  const kc = new KubeConfig();
  const host = where.env.KUBERNETES_SERVICE_HOST ?? '';
  const port = where.env.KUBERNETES_SERVICE_PORT ?? '';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  kc.loadFromOptions({
    clusters: [{ name: 'in-cluster', server, caFile: join(where.serviceAccountDir, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(where.serviceAccountDir, 'token') } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
  const nsFile = join(where.serviceAccountDir, 'namespace');
  const podNamespace = where.env.POD_NAMESPACE || (existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : '');
  return {
    kc,
    contextName: null,
    namespace: flags.namespace ?? (podNamespace || 'default'),
    server,
    userName: 'service account (in-cluster)',
    files: [],
  };
}
