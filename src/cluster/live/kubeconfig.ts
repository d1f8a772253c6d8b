import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, Context, RequestContext, User } from '@kubernetes/client-node';
import type { RequestOptions } from 'node:https';
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
  /** -s/--server: replaces the cluster's address. */
  server?: string;
  /** --token: replaces the user's credentials with this bearer token. */
  token?: string;
  /** --as / --as-group: impersonation, as kubectl sends it. */
  as?: string;
  asGroup?: string[];
}

/**
 * A KubeConfig that also sends Impersonate-Group. client-node sends Impersonate-User
 * (User.impersonateUser) but has no group impersonation; its request headers are single-valued,
 * so one group is supported (a second would arrive as one group named "a,b").
 */
class ImpersonatingKubeConfig extends KubeConfig {
  private readonly group: string;
  constructor(group: string) {
    super();
    this.group = group;
  }
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('Impersonate-Group', this.group);
  }
  override async applyToHTTPSOptions(opts: RequestOptions | Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    opts.headers = { ...(opts.headers as Record<string, string> | undefined), 'Impersonate-Group': this.group };
  }
}

/** The KubeConfig to build for these flags (one that impersonates a group when asked). */
function newKubeConfig(flags: ConnectionFlags): KubeConfig {
  const groups = flags.asGroup ?? [];
  if (groups.length > 1) throw usageError(`--as-group given ${groups.length} times: netpath can impersonate one group (client-node sends one Impersonate-Group header)`);
  if (groups.length === 1 && !flags.as) throw usageError('--as-group needs --as, as kubectl requires');
  return groups[0] ? new ImpersonatingKubeConfig(groups[0]) : new KubeConfig();
}

/** -s, --token and --as applied to the cluster and user a kubeconfig (or none) gave, as kubectl does. */
function withFlagOverrides(cluster: Cluster, user: User | null, flags: ConnectionFlags): { cluster: Cluster; user: User | null } {
  let u = user;
  if (flags.token) {
    // A token replaces other credentials; a client certificate still identifies the TLS client.
    const { exec: _exec, authProvider: _provider, username: _username, password: _password, token: _token, ...rest } = u ?? { name: 'netpath-flags' };
    u = { ...rest, token: flags.token };
  }
  if (flags.as) u = { ...(u ?? { name: 'netpath-flags' }), impersonateUser: flags.as };
  return { cluster: flags.server ? { ...cluster, server: flags.server } : cluster, user: u };
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
    if (flags.server) return fromFlagsOnly(flags.server, flags);
    throw badInput('no kubeconfig: set KUBECONFIG, pass --kubeconfig or --server, or create ~/.kube/config');
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
  const found = kc.getCluster(clusterName);
  if (!found) throw usageError(`cluster "${clusterName}" does not exist in ${files.join(delimiter)}`);
  const named = userName ? kc.getUser(userName) : null;
  if (userName && !named) throw usageError(`user "${userName}" does not exist in ${files.join(delimiter)}`);
  const { cluster, user } = withFlagOverrides(found, named, flags);
  const name = base?.name ?? 'netpath-flags';
  const context: Context = { name, cluster: clusterName, user: user?.name ?? '', ...(base?.namespace ? { namespace: base.namespace } : {}) };
  const out = newKubeConfig(flags);
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
    userName: flags.as ? `${userName || '(none)'} as ${flags.as}` : userName || '(none)',
    files,
  };
}

/** `--server URL [--token T]` with no kubeconfig at all, as kubectl allows. */
function fromFlagsOnly(server: string, flags: ConnectionFlags): LoadedConfig {
  const { cluster, user } = withFlagOverrides({ name: 'netpath-flags', server, skipTLSVerify: false }, null, flags);
  const kc = newKubeConfig(flags);
  kc.loadFromOptions({
    clusters: [cluster],
    users: user ? [user] : [],
    contexts: [{ name: 'netpath-flags', cluster: cluster.name, user: user?.name ?? '' }],
    currentContext: 'netpath-flags',
  });
  return { kc, contextName: 'netpath-flags', namespace: flags.namespace ?? 'default', server, userName: flags.as ?? user?.name ?? '(none)', files: [] };
}

function inCluster(flags: ConnectionFlags, where: ConfigEnvironment): LoadedConfig {
  const kc = newKubeConfig(flags);
  const host = where.env.KUBERNETES_SERVICE_HOST ?? '';
  const port = where.env.KUBERNETES_SERVICE_PORT ?? '';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const { cluster, user } = withFlagOverrides(
    { name: 'in-cluster', server, caFile: join(where.serviceAccountDir, 'ca.crt'), skipTLSVerify: false },
    { name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(where.serviceAccountDir, 'token') } } },
    flags,
  );
  kc.loadFromOptions({
    clusters: [cluster],
    users: user ? [user] : [],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
  const nsFile = join(where.serviceAccountDir, 'namespace');
  const podNamespace = where.env.POD_NAMESPACE || (existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : '');
  return {
    kc,
    contextName: null,
    namespace: flags.namespace ?? (podNamespace || 'default'),
    server: cluster.server,
    userName: flags.as ? `service account (in-cluster) as ${flags.as}` : 'service account (in-cluster)',
    files: [],
  };
}
