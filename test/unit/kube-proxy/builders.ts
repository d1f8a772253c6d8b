/** Test-only builders of API objects in kubectl JSON shape. */
import type { V1EndpointSlice, V1Node, V1Pod, V1Service, V1ServiceSpec } from '@kubernetes/client-node';
import type { ClusterState, KubeProxyConfig } from '../../../src/model/cluster.ts';
import type { Origin, Packet } from '../../../src/model/packet.ts';

export function svc(
  ns: string,
  name: string,
  spec: V1ServiceSpec,
  lbIngress: { ip: string; ipMode?: string }[] = [],
  labels?: Record<string, string>,
): V1Service {
  return {
    metadata: { namespace: ns, name, ...(labels ? { labels } : {}) },
    spec,
    status: { loadBalancer: { ingress: lbIngress } },
  };
}

export interface EpSpec {
  ip: string;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  zone?: string;
  zoneHints?: string[];
  nodeHints?: string[];
  pod?: string;
  extraAddresses?: string[];
}

export function slice(
  ns: string,
  service: string,
  name: string,
  ports: { name: string; port: number; protocol?: string }[],
  endpoints: EpSpec[],
): V1EndpointSlice {
  return {
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip, ...(e.extraAddresses ?? [])],
      conditions: {
        ...(e.ready === undefined ? {} : { ready: e.ready }),
        ...(e.serving === undefined ? {} : { serving: e.serving }),
        ...(e.terminating === undefined ? {} : { terminating: e.terminating }),
      },
      ...(e.node ? { nodeName: e.node } : {}),
      ...(e.zone ? { zone: e.zone } : {}),
      ...(e.zoneHints || e.nodeHints
        ? {
            hints: {
              ...(e.zoneHints ? { forZones: e.zoneHints.map((z) => ({ name: z })) } : {}),
              ...(e.nodeHints ? { forNodes: e.nodeHints.map((n) => ({ name: n })) } : {}),
            },
          }
        : {}),
      ...(e.pod ? { targetRef: { kind: 'Pod', namespace: ns, name: e.pod } } : {}),
    })),
  };
}

export function node(
  name: string,
  ip: string,
  opts: { podCIDR?: string; zone?: string; labels?: Record<string, string>; taints?: { key: string; effect: string }[] } = {},
): V1Node {
  const labels = { ...(opts.labels ?? {}), ...(opts.zone ? { 'topology.kubernetes.io/zone': opts.zone } : {}) };
  return {
    metadata: { name, labels },
    spec: { ...(opts.podCIDR ? { podCIDR: opts.podCIDR, podCIDRs: [opts.podCIDR] } : {}), ...(opts.taints ? { taints: opts.taints } : {}) },
    status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
  };
}

export function pod(ns: string, name: string, ip: string, nodeName: string): V1Pod {
  return { metadata: { namespace: ns, name }, spec: { nodeName, containers: [] }, status: { podIP: ip, podIPs: [{ ip }] } };
}

export function state(parts: {
  services: V1Service[];
  slices: V1EndpointSlice[];
  nodes: V1Node[];
  pods?: V1Pod[];
  config?: KubeProxyConfig | null;
}): ClusterState {
  return {
    services: parts.services,
    endpointSlices: parts.slices,
    nodes: parts.nodes,
    pods: parts.pods ?? null,
    kubeProxyConfig: parts.config ?? null,
    ingresses: null,
    ingressClasses: null,
    targetGroupBindings: null,
    serviceL2Statuses: null,
    serviceBGPStatuses: null,
  };
}

export function packet(src: string, dst: string, port: number, origin: Origin, entryNode = 'test-node'): Packet {
  return { src, dst, port, protocol: 'TCP', entryNode, origin };
}

export const P80 = [{ name: 'p80', port: 80 }];
export const SPEC_P80 = [{ name: 'p80', port: 80, protocol: 'TCP', targetPort: 80 }];
