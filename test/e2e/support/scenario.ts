import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { V1Service, V1ServiceSpec } from '@kubernetes/client-node';
import { captureBundle } from '../../harness/bundle.ts';
import type { Cluster } from '../../harness/cluster.ts';
import { nodeLayout } from '../../harness/layout.ts';
import type { NodeLayout } from '../../harness/layout.ts';
import { addPod, removePod } from '../../harness/pods.ts';
import type { HarnessPod, PodSpec } from '../../harness/pods.ts';
import { createService, ensureNamespace, routeToNodes, setLoadBalancerIngress, unrouteAddress, waitForEndpoints } from '../../harness/services.ts';
import type { EndpointCounts } from '../../harness/services.ts';
import { nowSeconds, waitForProxySync } from '../../harness/sync.ts';

/**
 * One scenario's objects in its own namespace, removed afterwards whatever happened: pods
 * (netns and API object), router routes, bundles (kept when the scenario failed, for a look),
 * then the namespace itself.
 */
export class Scenario {
  readonly c: Cluster;
  readonly namespace: string;
  readonly pods: HarnessPod[] = [];
  private readonly routes = new Set<string>();
  private readonly dirs: string[] = [];
  /** Epoch seconds before the last API change; settle() waits for kube-proxy syncs after it. */
  private since = nowSeconds();

  constructor(c: Cluster, namespace: string) {
    this.c = c;
    this.namespace = namespace;
  }

  node(name: string): NodeLayout {
    return nodeLayout(this.c.layout, name);
  }

  /** Call before an API change that settle() must wait for. */
  mark(): void {
    this.since = nowSeconds();
  }

  async pod(name: string, node: string, labels: Record<string, string> = {}, extra: Partial<PodSpec> = {}): Promise<HarnessPod> {
    const pod = await addPod(this.c, { namespace: this.namespace, name, node, labels, ...extra });
    this.pods.push(pod);
    return pod;
  }

  podNamed(name: string): HarnessPod {
    const pod = this.pods.find((p) => p.name === name);
    if (!pod) throw new Error(`no pod ${name} in scenario ${this.namespace}`);
    return pod;
  }

  async service(name: string, spec: V1ServiceSpec): Promise<V1Service> {
    return createService(this.c, { metadata: { name, namespace: this.namespace }, spec });
  }

  async loadBalancerIngress(service: string, ip: string, nodes: string[]): Promise<void> {
    this.routes.add(ip);
    await setLoadBalancerIngress(this.c, this.namespace, service, ip, nodes);
  }

  /** Points the router's route for `ip` at other nodes (the LB choosing where to send). */
  async route(ip: string, nodes: string[]): Promise<void> {
    this.routes.add(ip);
    await routeToNodes(this.c, ip, nodes);
  }

  /**
   * Waits for each service's EndpointSlices to satisfy its check, then for kube-proxy to sync on
   * every node (or on the nodes named: a stopped kube-proxy never will).
   */
  async settle(endpoints: Record<string, (e: EndpointCounts) => boolean>, nodes?: readonly string[]): Promise<void> {
    for (const [svc, ok] of Object.entries(endpoints)) await waitForEndpoints(this.c, this.namespace, svc, ok);
    await waitForProxySync(this.c, this.since, 60_000, nodes);
  }

  /** A directory to remove with the scenario (kept when it failed). */
  keep(dir: string): void {
    this.dirs.push(dir);
  }

  /** A fresh snapshot bundle of the cluster as it is now (captureBundle). */
  async capture(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), `netpath-e2e-${this.namespace}-`));
    this.dirs.push(dir);
    return captureBundle(this.c, dir);
  }

  async cleanup(failed: boolean): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (err) {
        errors.push(err);
      }
    };
    for (const pod of this.pods) await attempt(() => removePod(this.c, pod));
    for (const ip of this.routes) await attempt(() => unrouteAddress(this.c, ip));
    for (const dir of this.dirs) {
      if (failed) console.error(`# kept bundle of failed scenario ${this.namespace}: ${dir}`);
      else await attempt(() => rm(dir, { recursive: true, force: true }));
    }
    // The namespace controller removes the services and slices; kube-proxy then their rules.
    await attempt(() => this.c.core.deleteNamespace({ name: this.namespace }));
    if (errors.length) throw new AggregateError(errors, `cleanup of scenario ${this.namespace} failed`);
  }
}

/** Runs `body` in a fresh namespace and always cleans up after it. */
export async function inScenario(c: Cluster, namespace: string, body: (s: Scenario) => Promise<void>): Promise<void> {
  await ensureNamespace(c, namespace);
  const s = new Scenario(c, namespace);
  let failed = true;
  try {
    await body(s);
    failed = false;
  } finally {
    await s.cleanup(failed);
  }
}
