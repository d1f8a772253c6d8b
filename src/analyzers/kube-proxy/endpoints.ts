import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../../model/cluster.ts';
import type { Evidence } from '../../model/finding.ts';
import type { EndpointRef } from '../../model/outcome.ts';
import { hostPort, parseIP, sameIP } from '../../net/ip.ts';
import type { Family } from '../../net/ip.ts';
import { SERVICE_PROXY_NAME_LABEL } from './service-view.ts';
import type { ServicePortView } from './service-view.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/**
 * kube-proxy's informers skip slices with these labels (cmd/kube-proxy/app/server.go: the shared
 * informer factory's label selector `!service.kubernetes.io/service-proxy-name,
 * !service.kubernetes.io/headless`), and so do we.
 */
const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** One endpoint of one service port, as kube-proxy's EndpointSliceCache builds it, with its origin. */
export interface ServiceEndpoint {
  ip: string;
  port: number;
  /** `IP:port` (`[v6]:port`): kube-proxy's endpoint string and sort key. */
  key: string;
  nodeName: string | null;
  zone: string | null;
  /** Conditions with kube-proxy's defaults for absent fields. */
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  zoneHints: string[];
  nodeHints: string[];
  /** The backing pod: EndpointSlice targetRef, else the only pod with this IP. */
  pod: { namespace: string; name: string } | null;
  slice: { namespace: string; name: string };
}

export function serviceEndpointSlices(state: ClusterState, svc: V1Service): V1EndpointSlice[] {
  const ns = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name;
  return state.endpointSlices
    .filter(
      (s) =>
        (s.metadata?.namespace ?? 'default') === ns &&
        s.metadata?.labels?.[SERVICE_NAME_LABEL] === name &&
        s.metadata?.labels?.[HEADLESS_LABEL] === undefined &&
        s.metadata?.labels?.[SERVICE_PROXY_NAME_LABEL] === undefined &&
        s.addressType !== 'FQDN',
    )
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

function podByIP(pods: readonly V1Pod[] | null, ip: string): { namespace: string; name: string } | null {
  if (!pods) return null;
  const matches = pods.filter(
    (p) =>
      !p.spec?.hostNetwork &&
      (p.status?.podIPs ?? (p.status?.podIP ? [{ ip: p.status.podIP }] : [])).some((a) => sameIP(a.ip, ip)),
  );
  const only = matches.length === 1 ? matches[0] : undefined;
  return only ? { namespace: only.metadata?.namespace ?? 'default', name: only.metadata?.name ?? '' } : null;
}

/**
 * Endpoints of one service port (pkg/proxy/endpointslicecache.go): slice ports matched by name and
 * protocol, the slice's port number, only `addresses[0]`, sorted by `IP:port` string. Conditions
 * absent mean ready and serving, not terminating (addEndpoints: `Ready == nil || *Ready`). When an
 * endpoint string appears in several slices (an endpoint moving between slices, a hand-made slice
 * repeating it, a reused pod IP), kube-proxy v1.36 lets any non-terminating copy replace the one
 * it has (`if !exists || !terminating`), so the last non-terminating copy wins, in the order of
 * a Go map of slices: random, per node and per sync. netpath takes the last by slice name and
 * the endpoint-duplicated finding says the answer may differ. (v1.35 and older kept the copy
 * whose nodeName is the node itself: `!exists || isLocal`.) `family` keeps one IP family, as
 * each per-family proxier does.
 */
export function endpointsForPort(
  state: ClusterState,
  svc: V1Service,
  port: ServicePortView,
  family?: Family,
): ServiceEndpoint[] {
  const byKey = new Map<string, ServiceEndpoint>();
  for (const slice of serviceEndpointSlices(state, svc)) {
    const sliceRef = { namespace: slice.metadata?.namespace ?? 'default', name: slice.metadata?.name ?? '' };
    for (const sp of slice.ports ?? []) {
      if (sp.name === undefined || sp.name === null || !sp.port) continue;
      if (sp.name !== port.name || (sp.protocol ?? 'TCP') !== port.protocol) continue;
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (ip === undefined) continue;
        const parsed = parseIP(ip);
        if (!parsed || (family !== undefined && parsed.family !== family)) continue;
        const c = ep.conditions ?? {};
        const terminating = c.terminating === true;
        const key = hostPort(ip, sp.port);
        if (byKey.has(key) && terminating) continue;
        const ref = ep.targetRef;
        byKey.set(key, {
          ip,
          port: sp.port,
          key,
          nodeName: ep.nodeName ?? null,
          zone: ep.zone ?? null,
          ready: c.ready !== false,
          serving: c.serving !== false,
          terminating,
          zoneHints: (ep.hints?.forZones ?? []).map((z) => z.name),
          nodeHints: (ep.hints?.forNodes ?? []).map((n) => n.name),
          pod:
            ref?.kind === 'Pod' && ref.name
              ? { namespace: ref.namespace ?? sliceRef.namespace, name: ref.name }
              : podByIP(state.pods, ip),
          slice: sliceRef,
        });
      }
    }
  }
  // Plain code-unit order, like Go's string comparison.
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One endpoint address as one slice lists it, before kube-proxy merges slices. */
export interface SliceEndpointCopy {
  ip: string;
  nodeName: string | null;
  /** Conditions with kube-proxy's defaults (absent ready means ready). */
  ready: boolean;
  terminating: boolean;
  pod: { namespace: string; name: string } | null;
  slice: { namespace: string; name: string };
}

/** Every slice's copy of every endpoint address of the service (addresses[0], one family), in slice order. */
export function sliceEndpointCopies(state: ClusterState, svc: V1Service, family?: Family): SliceEndpointCopy[] {
  return serviceEndpointSlices(state, svc).flatMap((slice) => {
    const sliceRef = { namespace: slice.metadata?.namespace ?? 'default', name: slice.metadata?.name ?? '' };
    return (slice.endpoints ?? []).flatMap((ep): SliceEndpointCopy[] => {
      const ip = ep.addresses?.[0];
      const parsed = ip === undefined ? null : parseIP(ip);
      if (ip === undefined || !parsed || (family !== undefined && parsed.family !== family)) return [];
      const ref = ep.targetRef;
      const pod = ref?.kind === 'Pod' && ref.name ? { namespace: ref.namespace ?? sliceRef.namespace, name: ref.name } : null;
      const c = ep.conditions ?? {};
      return [{ ip, nodeName: ep.nodeName ?? null, ready: c.ready !== false, terminating: c.terminating === true, pod, slice: sliceRef }];
    });
  });
}

export function endpointRef(ep: ServiceEndpoint): EndpointRef {
  return { ip: ep.ip, port: ep.port, node: ep.nodeName, pod: ep.pod?.name ?? null };
}

/** "ready", "serving, terminating", "not serving, terminating", "not ready". */
export function conditionWords(ep: ServiceEndpoint): string {
  if (ep.ready) return 'ready';
  if (ep.terminating) return ep.serving ? 'serving, terminating' : 'not serving, terminating';
  return 'not ready';
}

/** "EndpointSlice ns1/svc1-abcde: 10.180.0.1:80 ready on node-b (pod ns1/web-1)". */
export function describeEndpoint(ep: ServiceEndpoint): string {
  const where = ep.nodeName ? `on ${ep.nodeName}` : 'on no node (nodeName unset)';
  const pod = ep.pod ? ` (pod ${ep.pod.namespace}/${ep.pod.name})` : '';
  return `EndpointSlice ${ep.slice.namespace}/${ep.slice.name}: ${ep.key} ${conditionWords(ep)} ${where}${pod}`;
}

export function endpointEvidence(ep: ServiceEndpoint): Evidence {
  const parts = [conditionWords(ep), ep.nodeName ? `node ${ep.nodeName}` : 'no nodeName'];
  if (ep.zone) parts.push(`zone ${ep.zone}`);
  if (ep.zoneHints.length) parts.push(`hints forZones ${ep.zoneHints.join(',')}`);
  if (ep.nodeHints.length) parts.push(`hints forNodes ${ep.nodeHints.join(',')}`);
  if (ep.pod) parts.push(`pod ${ep.pod.namespace}/${ep.pod.name}`);
  return {
    kind: 'endpointslice',
    namespace: ep.slice.namespace,
    name: ep.slice.name,
    endpoint: ep.key,
    detail: parts.join('; '),
  };
}
