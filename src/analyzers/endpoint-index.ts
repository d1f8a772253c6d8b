import type { ClusterState } from '../model/cluster.ts';
import type { EndpointRef } from '../model/outcome.ts';
import { AddressHomes, addressKey } from './address-homes.ts';

/** Endpoint owners: pod names are bare (EndpointSlices reference pods in the service's namespace). */
export interface EndpointOwner {
  /** Where the endpoint runs (AddressHomes), else the EndpointSlice's nodeName. */
  node: string | null;
  pod: string | null;
  /** The EndpointSlice's nodeName for this IP:port (kube-proxy's local/remote follows it). */
  sliceNode: string | null;
}

/**
 * Who owns an endpoint address. The node is where the pod runs (AddressHomes: pod, Node address,
 * podCIDR), because that is where a DNATed packet goes; the EndpointSlices' nodeNames, which
 * kube-proxy's rules follow, are kept beside it, keyed by IP and port because one IP can back
 * several endpoints (hostNetwork pods share the node's IP).
 */
export class EndpointIndex {
  readonly homes: AddressHomes;
  private readonly bySlice = new Map<string, { pod: string | null; node: string | null }>();

  constructor(state: ClusterState) {
    this.homes = new AddressHomes(state);
    // In slice-name order, as endpointsForPort merges them.
    const slices = [...state.endpointSlices].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    for (const slice of slices) {
      for (const ep of slice.endpoints ?? []) {
        const ref = ep.targetRef;
        const pod = ref?.kind === 'Pod' ? (ref.name ?? null) : null;
        const terminating = ep.conditions?.terminating === true;
        for (const ip of ep.addresses) {
          for (const port of slice.ports ?? []) {
            if (!port.port) continue;
            const k = `${addressKey(ip) ?? ip}|${port.port}`;
            const known = this.bySlice.get(k);
            // kube-proxy v1.36: a non-terminating copy replaces the one it has (endpointsForPort).
            if (known && terminating) continue;
            // So a reused IP lingering in a terminating slice is named after the live pod.
            this.bySlice.set(k, { pod: pod ?? known?.pod ?? null, node: ep.nodeName ?? null });
          }
        }
      }
    }
  }

  owner(ip: string, port?: number): EndpointOwner {
    const slice = port === undefined ? undefined : this.bySlice.get(`${addressKey(ip) ?? ip}|${port}`);
    const home = this.homes.of(ip);
    return {
      node: home?.node ?? slice?.node ?? null,
      pod: slice?.pod ?? home?.pod?.name ?? null,
      sliceNode: slice?.node ?? null,
    };
  }

  /** The endpoint, with `sliceNodeName` when the EndpointSlice puts it on another node than where it runs. */
  ref(ip: string, port: number): EndpointRef {
    const { node, pod, sliceNode } = this.owner(ip, port);
    return { ip, port, node, pod, ...(sliceNode !== null && sliceNode !== node ? { sliceNodeName: sliceNode } : {}) };
  }
}
