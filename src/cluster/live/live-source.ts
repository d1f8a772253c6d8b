import type { V1ConfigMap, V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { ExitCode, NetpathError } from '../../errors.ts';
import type { ClusterState, KubeProxyConfig } from '../../model/cluster.ts';
import { kubeProxyConfigFromConfigMap } from '../kube-proxy-config.ts';
import type { ClusterSource, ExtraPods, NodeDump, NodeQuery, SourceUsage, StateQuery } from '../source.ts';
import { DebugPodReader } from '../nodes/debug-pod.ts';
import type { NodeTarget } from '../nodes/dump-commands.ts';
import { LocalNodeReader } from '../nodes/local.ts';
import { EveryNodeError } from '../nodes/node-reader.ts';
import type { NodeReader } from '../nodes/node-reader.ts';
import { PAGE_SIZE, listAll, makeClients } from './clients.ts';
import { readLoadBalancerObjects } from './load-balancer-objects.ts';
import type { Clients } from './clients.ts';
import { withInterruptCleanup } from './interrupt.ts';
import { loadKubeConfig, processEnvironment } from './kubeconfig.ts';
import type { ConfigEnvironment, ConnectionFlags } from './kubeconfig.ts';
import type { NodeAccessOptions } from './node-access-options.ts';
import { stderrProgress } from './progress.ts';
import type { Progress } from './progress.ts';
import { parseRequestTimeout } from './request-timeout.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const KUBE_PROXY_CM = { namespace: 'kube-system', name: 'kube-proxy' } as const;

/** The global flags LiveSource reads (GlobalOptions has them under these names). */
export interface LiveFlags extends ConnectionFlags {
  requestTimeout?: string;
  verbose?: boolean;
}

/** ClusterState plus the raw kube-proxy ConfigMap, which capture writes as kubectl prints it. */
export interface LiveCapture {
  state: ClusterState;
  kubeProxyConfigMap: V1ConfigMap | null;
}

/** The live cluster: API reads through the kubeconfig, node reads through debug pods or --local-netns. */
export class LiveSource implements ClusterSource {
  readonly description: string;
  /** Namespace for names given without one: -n, else the context's, else `default`. */
  readonly namespace: string;
  /** Nodes asked for but not read, with why; their answers come from the model. */
  readonly nodeErrors = new Map<string, NetpathError>();
  readonly clients: Clients;
  private readonly access: NodeAccessOptions;
  private readonly progress: Progress;
  private readonly reader: NodeReader;
  private readonly knownNodes = new Map<string, V1Node>();
  /** close() has run (it says once what reading cost). */
  private closed = false;
  /** Set on Ctrl-C / SIGTERM and by close(): node workers take no further node. */
  private aborted = false;

  constructor(clients: Clients, access: NodeAccessOptions, progress: Progress) {
    this.clients = clients;
    this.access = access;
    this.progress = progress;
    this.namespace = clients.config.namespace;
    const ctx = clients.config.contextName ? `context ${clients.config.contextName}` : 'in-cluster config';
    this.description = `live cluster ${clients.config.server} (${ctx})`;
    this.reader = access.localNetns
      ? new LocalNodeReader(access.localNetns, access.execTimeoutMs)
      : new DebugPodReader(clients, {
          namespace: access.debugNamespace ?? clients.config.namespace,
          image: access.image,
          podRunningTimeoutMs: access.podRunningTimeoutMs,
          execTimeoutMs: access.execTimeoutMs,
        });
  }

  /** The usual way in: kubectl's flags and environment, node-access flags, progress on stderr. */
  static open(flags: LiveFlags, access: NodeAccessOptions, where: ConfigEnvironment = processEnvironment()): LiveSource {
    const config = loadKubeConfig(flags, where);
    const progress = stderrProgress(flags.verbose ?? false);
    const clients = makeClients(config, parseRequestTimeout(flags.requestTimeout ?? '0'), (m) => progress.log(m));
    return new LiveSource(clients, access, progress);
  }

  async readState(query: StateQuery): Promise<ClusterState> {
    return (await this.readCapture(query)).state;
  }

  async readCapture(query: StateQuery): Promise<LiveCapture> {
    const [objects, nodes, kubeProxy, loadBalancer] = await inOrder([
      query.kind === 'service' ? this.readService(query.namespace, query.name) : this.readAllServices(),
      this.listNodes(),
      this.readKubeProxyConfigMap(),
      readLoadBalancerObjects(this.clients, query.kind === 'service' ? query : 'all', (m) => this.progress.log(m)),
    ] as const);
    for (const n of nodes) if (n.metadata?.name) this.knownNodes.set(n.metadata.name, n);
    const pods = query.extraPods ? await this.addExtraPods(objects.pods, query.extraPods) : objects.pods;
    return {
      state: {
        ...objects,
        pods,
        nodes,
        kubeProxyConfig: kubeProxy.config,
        ...loadBalancer,
      },
      kubeProxyConfigMap: kubeProxy.configMap,
    };
  }

  async readNodes(query: NodeQuery): Promise<Map<string, NodeDump>> {
    const targets: NodeTarget[] = [];
    for (const node of query.nodes) {
      const obj = this.knownNodes.get(node) ?? (await this.readNode(node));
      if (!obj) {
        this.skip(node, new NetpathError(ExitCode.NOT_FOUND, `node ${node} not found`));
        continue;
      }
      targets.push({ node, address: nodeAddress(obj), healthCheckPorts: query.healthCheckPorts });
    }
    const dumps = new Map<string, NodeDump>();
    if (targets.length === 0) return dumps;
    const say = (m: string) => this.progress.warn(m);
    try {
      await withInterruptCleanup(() => this.abort(), () => this.readTargets(targets, dumps), say);
    } finally {
      this.progress.stop();
      await this.reader.close();
    }
    return dumps;
  }

  usage(): SourceUsage {
    const pods = this.reader.usage?.() ?? { debugPods: 0, execs: 0 };
    return { apiCalls: this.clients.requests + pods.execs, debugPods: pods.debugPods };
  }

  async close(): Promise<void> {
    this.progress.stop();
    await this.reader.close();
    if (!this.closed) {
      const { apiCalls, debugPods } = this.usage();
      this.progress.log(`read cost: ${apiCalls} API calls (exec streams included), ${debugPods} debug pods`);
    }
    this.closed = true;
  }

  /** Stops taking nodes and deletes what the reader created (it waits for creates in flight). */
  private abort(): Promise<void> {
    this.aborted = true;
    return this.reader.abort();
  }

  /** Bounded parallel reads; a failure that would repeat on every node stops the rest and is thrown. */
  private async readTargets(targets: NodeTarget[], dumps: Map<string, NodeDump>): Promise<void> {
    const queue = [...targets];
    let finished = 0;
    let fatal: NetpathError | null = null;
    const show = (text: string) => this.progress.status(`reading nodes ${finished}/${targets.length}: ${text}`);
    const worker = async () => {
      for (let t = queue.shift(); t && !fatal && !this.aborted; t = queue.shift()) {
        show(t.node);
        try {
          dumps.set(t.node, await this.reader.readNode(t, (m) => {
            this.progress.log(m);
            show(m);
          }));
        } catch (e) {
          const err = e instanceof NetpathError ? e : new NetpathError(ExitCode.INTERNAL, `node ${t.node}: ${(e as Error).message}`);
          if (err instanceof EveryNodeError) fatal ??= err;
          else this.skip(t.node, err);
        }
        finished++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.access.concurrency, targets.length) }, worker));
    if (fatal) throw fatal;
    // Nothing read at all: the user asked for the dataplane and gets none, so say why and stop.
    if (dumps.size === 0) {
      const first = this.nodeErrors.get(targets[0]?.node ?? '');
      if (first) throw first;
    }
  }

  /** trace's source pod, read by name or found by address (field selector status.podIP). */
  private async addExtraPods(pods: V1Pod[] | null, extra: ExtraPods): Promise<V1Pod[]> {
    const all = [...(pods ?? [])];
    const have = (ns: string | undefined, name: string | undefined) => all.some((p) => p.metadata?.namespace === ns && p.metadata?.name === name);
    for (const { namespace, name } of extra.byName ?? []) {
      if (have(namespace, name)) continue;
      const pod = await this.clients
        .call({ verb: 'get', resource: 'pods', namespace, name }, () => this.clients.core.readNamespacedPod({ namespace, name }))
        .catch((e: NetpathError) => {
          if (e.exitCode === ExitCode.NOT_FOUND) return null; // the caller says "pod not found"
          throw e;
        });
      if (pod) all.push(pod);
    }
    for (const ip of extra.byIP ?? []) {
      const found = await this.clients.call({ verb: 'list', resource: 'pods' }, () =>
        listAll<V1Pod>((cont) => this.clients.core.listPodForAllNamespaces({ fieldSelector: `status.podIP=${ip}`, limit: PAGE_SIZE, _continue: cont })),
      );
      for (const pod of found) if (!have(pod.metadata?.namespace, pod.metadata?.name)) all.push(pod);
    }
    return all;
  }

  private skip(node: string, err: NetpathError): void {
    this.nodeErrors.set(node, err);
    this.progress.warn(`${err.message} (node ${node} answered from the API model)`);
  }

  private async readService(namespace: string, name: string): Promise<Pick<ClusterState, 'services' | 'endpointSlices' | 'pods'>> {
    const { core, discovery } = this.clients;
    const service = await this.clients.call({ verb: 'get', resource: 'services', namespace, name }, () =>
      core.readNamespacedService({ namespace, name }),
    );
    const labelSelector = `${SERVICE_NAME_LABEL}=${name}`;
    const endpointSlices = await this.clients.call(
      { verb: 'list', resource: 'endpointslices.discovery.k8s.io', namespace },
      () => listAll<V1EndpointSlice>((cont) => discovery.listNamespacedEndpointSlice({ namespace, labelSelector, limit: PAGE_SIZE, _continue: cont })),
    );
    const pods = await this.readServicePods(service, endpointSlices);
    return { services: [service], endpointSlices, pods };
  }

  /**
   * The pods behind the endpoints: by the service's selector when it has one (one list), plus any
   * targetRef the selector missed (custom slices) read by name. Pods are optional: 403 gives null.
   */
  private async readServicePods(service: V1Service, slices: V1EndpointSlice[]): Promise<V1Pod[] | null> {
    const namespace = service.metadata?.namespace ?? this.namespace;
    const referenced = new Set<string>();
    for (const s of slices) {
      for (const ep of s.endpoints ?? []) {
        const ref = ep.targetRef;
        if (ref?.kind === 'Pod' && ref.name && (ref.namespace ?? namespace) === namespace) referenced.add(ref.name);
      }
    }
    const selector = Object.entries(service.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    try {
      const pods = selector
        ? await this.clients.call({ verb: 'list', resource: 'pods', namespace }, () =>
            listAll<V1Pod>((cont) => this.clients.core.listNamespacedPod({ namespace, labelSelector: selector, limit: PAGE_SIZE, _continue: cont })),
          )
        : [];
      const have = new Set(pods.map((p) => p.metadata?.name));
      for (const name of referenced) {
        if (have.has(name)) continue;
        const pod = await this.clients
          .call({ verb: 'get', resource: 'pods', namespace, name }, () => this.clients.core.readNamespacedPod({ namespace, name }))
          .catch((e: NetpathError) => {
            if (e.exitCode === ExitCode.NOT_FOUND) return null; // deleted since the slice was written
            throw e;
          });
        if (pod) pods.push(pod);
      }
      return pods;
    } catch (e) {
      if ((e as NetpathError).exitCode !== ExitCode.FORBIDDEN) throw e;
      this.progress.warn(`${(e as Error).message}; continuing without pods`);
      return null;
    }
  }

  private async readAllServices(): Promise<Pick<ClusterState, 'services' | 'endpointSlices' | 'pods'>> {
    const { core, discovery } = this.clients;
    const [services, endpointSlices, pods] = await inOrder([
      this.clients.call({ verb: 'list', resource: 'services' }, () =>
        listAll<V1Service>((cont) => core.listServiceForAllNamespaces({ limit: PAGE_SIZE, _continue: cont })),
      ),
      this.clients.call({ verb: 'list', resource: 'endpointslices.discovery.k8s.io' }, () =>
        listAll<V1EndpointSlice>((cont) => discovery.listEndpointSliceForAllNamespaces({ limit: PAGE_SIZE, _continue: cont })),
      ),
      this.clients
        .call({ verb: 'list', resource: 'pods' }, () =>
          listAll<V1Pod>((cont) => core.listPodForAllNamespaces({ limit: PAGE_SIZE, _continue: cont })),
        )
        .catch((e: NetpathError) => {
          if (e.exitCode !== ExitCode.FORBIDDEN) throw e;
          this.progress.warn(`${e.message}; continuing without pods`);
          return null;
        }),
    ] as const);
    return { services, endpointSlices, pods };
  }

  private listNodes(): Promise<V1Node[]> {
    return this.clients.call({ verb: 'list', resource: 'nodes' }, () =>
      listAll<V1Node>((cont) => this.clients.core.listNode({ limit: PAGE_SIZE, _continue: cont })),
    );
  }

  private async readNode(name: string): Promise<V1Node | null> {
    try {
      const node = await this.clients.call({ verb: 'get', resource: 'nodes', name }, () => this.clients.core.readNode({ name }));
      this.knownNodes.set(name, node);
      return node;
    } catch (e) {
      if ((e as NetpathError).exitCode === ExitCode.NOT_FOUND) return null;
      throw e;
    }
  }

  /** kube-system/kube-proxy `config.conf`; unreadable (403), absent (404) or unparsable gives null. */
  private async readKubeProxyConfigMap(): Promise<{ configMap: V1ConfigMap | null; config: KubeProxyConfig | null }> {
    let configMap: V1ConfigMap;
    try {
      configMap = await this.clients.call({ verb: 'get', resource: 'configmaps', ...KUBE_PROXY_CM }, () =>
        this.clients.core.readNamespacedConfigMap(KUBE_PROXY_CM),
      );
    } catch (e) {
      const code = (e as NetpathError).exitCode;
      if (code === ExitCode.FORBIDDEN || code === ExitCode.NOT_FOUND) {
        this.progress.log(`kube-proxy configuration not read (${(e as Error).message})`);
        return { configMap: null, config: null };
      }
      throw e;
    }
    try {
      return { configMap, config: kubeProxyConfigFromConfigMap(configMap, 'configmap kube-system/kube-proxy') };
    } catch (e) {
      this.progress.warn(`configmap kube-system/kube-proxy: ${(e as Error).message}; kube-proxy defaults assumed`);
      return { configMap, config: null };
    }
  }
}

/**
 * Awaits requests that run in parallel, but fails with the first failure in argument order, so
 * the message does not depend on which answer arrived first (the service's own error is the
 * most useful one).
 */
async function inOrder<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** The address kube-proxy's health-check servers answer on: InternalIP, else ExternalIP. */
export function nodeAddress(node: V1Node): string | null {
  const addresses = node.status?.addresses ?? [];
  return (
    addresses.find((a) => a.type === 'InternalIP')?.address ??
    addresses.find((a) => a.type === 'ExternalIP')?.address ??
    null
  );
}
