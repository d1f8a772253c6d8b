import type { ClusterState } from '../model/cluster.ts';
import type { EndpointRef } from '../model/outcome.ts';
import { AddressHomes, addressKey } from './address-homes.ts';

/** Endpoint owners: pod names are bare (EndpointSlices reference pods in the service's namespace). */
export interface EndpointOwner {
  /** Where the endpoint runs (AddressHomes), else the EndpointSlice's nodeName. */
  node: string | null;
  pod: string | null;
  /** The EndpointSlice nodeNames listed for this IP:port (kube-proxy's local/remote follows these). */
  sliceNodes: string[];
}

/**
 * Who owns an endpoint address. The node is where the pod runs (AddressHomes: pod, Node address,
 * podCIDR), because that is where a DNATed packet goes; the EndpointSlices' nodeNames, which
 * kube-proxy's rules follow, are kept beside it, keyed by IP and port because one IP can back
 * several endpoints (hostNetwork pods share the node's IP).
 */
export class EndpointIndex {
  readonly homes: AddressHomes;
  private readonly pods = new Map<string, string>();
  private readonly bySlice = new Map<string, { pod: string | null; podTerminating: boolean; nodes: string[] }>();

  constructor(state: ClusterState) {
    this.homes = new AddressHomes(state);
    for (const slice of state.endpointSlices) {
      for (const ep of slice.endpoints ?? []) {
        const ref = ep.targetRef;
        const pod = ref?.kind === 'Pod' ? (ref.name ?? null) : null;
        const terminating = ep.conditions?.terminating === true;
        for (const ip of ep.addresses) {
          for (const port of slice.ports ?? []) {
            if (!port.port) continue;
            const k = `${addressKey(ip) ?? ip}|${port.port}`;
            const known = this.bySlice.get(k) ?? { pod: null, podTerminating: true, nodes: [] };
            if (ep.nodeName && !known.nodes.includes(ep.nodeName)) known.nodes.push(ep.nodeName);
            // A reused IP lingering in a terminating slice: the live copy names the pod.
            if (pod !== null && (known.pod === null || (known.podTerminating && !terminating))) {
              known.pod = pod;
              known.podTerminating = terminating;
            }
            this.bySlice.set(k, known);
          }
        }
      }
    }
  }

  owner(ip: string, port?: number): EndpointOwner {
    const slice = port === undefined ? undefined : this.bySlice.get(`${addressKey(ip) ?? ip}|${port}`);
    const home = this.homes.of(ip);
    return {
      node: home?.node ?? slice?.nodes[0] ?? null,
      pod: slice?.pod ?? home?.pod?.name ?? null,
      sliceNodes: slice?.nodes ?? [],
    };
  }

  /**
   * The endpoint as seen from `entryNode`: when a slice names a node other than where the pod
   * runs, `sliceNodeName` says which (the entry node when any slice names it, as kube-proxy
   * there counts the endpoint local: pkg/proxy/endpointslicecache.go addEndpoints).
   */
  ref(ip: string, port: number, entryNode?: string): EndpointRef {
    const { node, pod, sliceNodes } = this.owner(ip, port);
    const sliceNode = entryNode !== undefined && sliceNodes.includes(entryNode) ? entryNode : (sliceNodes[0] ?? null);
    return { ip, port, node, pod, ...(sliceNode !== null && sliceNode !== node ? { sliceNodeName: sliceNode } : {}) };
  }
}
