import type { ClusterState } from '../model/cluster.ts';
import type { EndpointRef } from '../model/outcome.ts';
import { parseIP } from '../net/ip.ts';

/** Endpoint owners: pod names are bare (EndpointSlices reference pods in the service's namespace). */
export interface EndpointOwner {
  node: string | null;
  pod: string | null;
}

/**
 * Who owns an endpoint address: EndpointSlices first (what kube-proxy sees), keyed by IP and port,
 * because one IP can back several endpoints (hostNetwork pods share the node's IP, a reused pod
 * IP can linger in a terminating slice); then Pods and Node addresses by IP alone.
 */
export class EndpointIndex {
  private readonly byIP = new Map<string, EndpointOwner>();
  private readonly byEndpoint = new Map<string, EndpointOwner & { terminating: boolean }>();

  constructor(state: ClusterState) {
    for (const node of state.nodes) {
      const name = node.metadata?.name ?? null;
      for (const a of node.status?.addresses ?? []) {
        if (a.type === 'InternalIP' || a.type === 'ExternalIP') this.add(a.address, { node: name, pod: null });
      }
    }
    for (const pod of state.pods ?? []) {
      if (pod.spec?.hostNetwork) continue; // its IP is the node's: the node owns it
      const owner = { node: pod.spec?.nodeName ?? null, pod: pod.metadata?.name ?? null };
      for (const ip of pod.status?.podIPs ?? []) this.add(ip.ip, owner, true);
      if (pod.status?.podIP) this.add(pod.status.podIP, owner, true);
    }
    for (const slice of state.endpointSlices) {
      for (const ep of slice.endpoints ?? []) {
        const ref = ep.targetRef;
        const pod = ref?.kind === 'Pod' ? (ref.name ?? null) : null;
        const terminating = ep.conditions?.terminating === true;
        for (const ip of ep.addresses) {
          for (const port of slice.ports ?? []) {
            if (!port.port) continue;
            const k = `${key(ip)}|${port.port}`;
            const known = this.byEndpoint.get(k);
            // kube-proxy keeps the non-terminating copy of a duplicated endpoint; so do we.
            if (known && !known.terminating && terminating) continue;
            this.byEndpoint.set(k, { node: ep.nodeName ?? this.byIP.get(key(ip))?.node ?? null, pod, terminating });
          }
        }
      }
    }
  }

  private add(ip: string, owner: EndpointOwner, override = false) {
    const k = key(ip);
    if (override || !this.byIP.has(k)) this.byIP.set(k, owner);
  }

  owner(ip: string, port?: number): EndpointOwner {
    const slice = port === undefined ? undefined : this.byEndpoint.get(`${key(ip)}|${port}`);
    if (slice) return { node: slice.node, pod: slice.pod ?? this.byIP.get(key(ip))?.pod ?? null };
    return this.byIP.get(key(ip)) ?? { node: null, pod: null };
  }

  ref(ip: string, port: number): EndpointRef {
    return { ip, port, ...this.owner(ip, port) };
  }
}

/** Normalises IPv6 spellings so `fd00::1` and `fd00:0::1` meet. */
function key(ip: string): string {
  const p = parseIP(ip);
  return p ? `${p.family}:${p.value}` : ip;
}
