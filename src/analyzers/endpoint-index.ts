import type { ClusterState } from '../model/cluster.ts';
import type { EndpointRef } from '../model/outcome.ts';
import { parseIP } from '../net/ip.ts';

/** Endpoint owners: pod names are bare (EndpointSlices reference pods in the service's namespace). */
export interface EndpointOwner {
  node: string | null;
  pod: string | null;
}

/** Who owns an IP: EndpointSlices first (what kube-proxy sees), then Pods, then Node addresses (hostNetwork). */
export class EndpointIndex {
  private readonly byIP = new Map<string, EndpointOwner>();

  constructor(state: ClusterState) {
    for (const node of state.nodes) {
      const name = node.metadata?.name ?? null;
      for (const a of node.status?.addresses ?? []) {
        if (a.type === 'InternalIP' || a.type === 'ExternalIP') this.add(a.address, { node: name, pod: null });
      }
    }
    for (const pod of state.pods ?? []) {
      const owner = { node: pod.spec?.nodeName ?? null, pod: pod.metadata?.name ?? null };
      for (const ip of pod.status?.podIPs ?? []) this.add(ip.ip, owner, true);
      if (pod.status?.podIP) this.add(pod.status.podIP, owner, true);
    }
    for (const slice of state.endpointSlices) {
      for (const ep of slice.endpoints ?? []) {
        const ref = ep.targetRef;
        const pod = ref?.kind === 'Pod' ? (ref.name ?? null) : null;
        for (const ip of ep.addresses) {
          const known = this.byIP.get(key(ip));
          this.add(ip, { node: ep.nodeName ?? known?.node ?? null, pod: pod ?? known?.pod ?? null }, true);
        }
      }
    }
  }

  private add(ip: string, owner: EndpointOwner, override = false) {
    const k = key(ip);
    if (override || !this.byIP.has(k)) this.byIP.set(k, owner);
  }

  owner(ip: string): EndpointOwner {
    return this.byIP.get(key(ip)) ?? { node: null, pod: null };
  }

  ref(ip: string, port: number): EndpointRef {
    return { ip, port, ...this.owner(ip) };
  }
}

/** Normalises IPv6 spellings so `fd00::1` and `fd00:0::1` meet. */
function key(ip: string): string {
  const p = parseIP(ip);
  return p ? `${p.family}:${p.value}` : ip;
}
