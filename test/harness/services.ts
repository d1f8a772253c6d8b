import type { V1Endpoint, V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { inNetns, inNetnsOk } from './netns.ts';
import { nodeLayout } from './layout.ts';
import type { Cluster } from './cluster.ts';
import { waitUntil } from './wait.ts';

export async function ensureNamespace(c: Cluster, name: string): Promise<void> {
  try {
    await c.core.createNamespace({ body: { metadata: { name } } });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

/** Creates the Service and returns it as stored (clusterIP, nodePorts, healthCheckNodePort filled). */
export async function createService(c: Cluster, service: V1Service): Promise<V1Service> {
  const namespace = service.metadata?.namespace;
  if (!namespace) throw new Error('createService: metadata.namespace is required');
  return c.core.createNamespacedService({ namespace, body: service });
}

export async function endpointSlices(c: Cluster, namespace: string, service: string): Promise<V1EndpointSlice[]> {
  const list = await c.discovery.listNamespacedEndpointSlice({
    namespace,
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  return list.items;
}

export interface EndpointCounts {
  ready: number;
  serving: number;
  terminating: number;
  total: number;
}

export function countEndpoints(slices: V1EndpointSlice[]): EndpointCounts {
  const all: V1Endpoint[] = slices.flatMap((s) => s.endpoints ?? []);
  return {
    ready: all.filter((e) => e.conditions?.ready === true).length,
    serving: all.filter((e) => e.conditions?.serving === true).length,
    terminating: all.filter((e) => e.conditions?.terminating === true).length,
    total: all.length,
  };
}

/** Waits until the EndpointSlice controller has written slices whose counts satisfy `ok`. */
export async function waitForEndpoints(
  c: Cluster,
  namespace: string,
  service: string,
  ok: (counts: EndpointCounts) => boolean,
  timeoutMs = 30_000,
): Promise<V1EndpointSlice[]> {
  return waitUntil(`EndpointSlices of ${namespace}/${service}`, async () => {
    const slices = await endpointSlices(c, namespace, service);
    return ok(countEndpoints(slices)) ? slices : undefined;
  }, timeoutMs);
}

/**
 * Routes an address from the router (the external client's gateway) to the given nodes; with
 * several nodes the route is ECMP, hashed on L4 so connections spread over them.
 */
export async function routeToNodes(c: Cluster, ip: string, nodes: string[]): Promise<void> {
  if (nodes.length === 0) throw new Error('routeToNodes: no nodes');
  const hops = nodes.map((n) => nodeLayout(c.layout, n).ip);
  const via = hops.length === 1 ? ['via', hops[0]!] : hops.flatMap((h) => ['nexthop', 'via', h]);
  await inNetnsOk(c.layout.router.netns, ['ip', 'route', 'replace', `${ip}/32`, ...via]);
}

/**
 * Plays the cloud load balancer: writes `ip` as the Service's LB ingress through the status
 * subresource (kube-proxy then programs it) and routes it from the client side to `nodes`.
 */
export async function setLoadBalancerIngress(
  c: Cluster,
  namespace: string,
  name: string,
  ip: string,
  nodes: string[],
): Promise<void> {
  const svc = await c.core.readNamespacedService({ namespace, name });
  svc.status = { ...svc.status, loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } };
  await c.core.replaceNamespacedServiceStatus({ namespace, name, body: svc });
  await routeToNodes(c, ip, nodes);
}

/** Removes the router's route for an address that routeToNodes or setLoadBalancerIngress added. */
export async function unrouteAddress(c: Cluster, ip: string): Promise<void> {
  await inNetns(c.layout.router.netns, ['ip', 'route', 'del', `${ip}/32`]);
}
