import type { EndpointRef } from './outcome.ts';
import type { Basis } from './results.ts';

/** One way of reaching a service's pods (explain-svc --compare-exposure). */
export type ExposureWay =
  | 'ClusterIP'
  | 'NodePort'
  | 'LoadBalancer-instance-Cluster'
  | 'LoadBalancer-instance-Local'
  | 'LoadBalancer-ip'
  | 'headless';

/** Where the choice of a pod is made. */
export type Balancing = 'kernel' | 'load-balancer-then-kernel' | 'load-balancer' | 'client';

export interface ExposureShare {
  endpoint: EndpointRef;
  share: number;
}

export interface ExposureRow {
  way: ExposureWay;
  /** How the service is exposed today (its type and externalTrafficPolicy); false: what it would be. */
  current: boolean;
  /** dataplane: from the rules walked on every node involved; model: from the API objects with kube-proxy's semantics. */
  basis: Basis;
  /** e.g. "client -> load balancer -> node:nodePort -> pod". */
  hops: string;
  /** Where the connections enter the cluster (client pods' nodes for ClusterIP and headless), with their share; empty for ip targets. */
  entryNodes: { node: string; share: number }[];
  /** Share of connections whose pod runs on another node than the one they entered (one more hop). */
  remoteHopShare: number;
  kubeProxyOnPath: boolean;
  /** Share of connections whose source kube-proxy rewrites (masquerade); null when the load balancer decides. */
  snatShare: number | null;
  /** Who the pod sees as the client, in words. */
  clientIPSeen: string;
  balancing: Balancing;
  balancingDetail: string;
  /** Each ready (or serving-terminating, where kube-proxy uses them) endpoint's share of new connections. */
  shares: ExposureShare[];
  /** Share of connections no pod receives (DROP, REJECT, no rule). */
  droppedShare: number;
  /** Who checks what before a pod gets traffic. */
  healthCheck: string;
  notes: string[];
}

export interface ExposureComparison {
  /** Service port the rows are about ("name port/protocol"). */
  port: string;
  rows: ExposureRow[];
  /** What the rows assume (even spread over entry nodes or targets, instance targets, ...). */
  assumptions: string[];
}
