import type { IngressReport, LoadBalancerReport } from '../analyzers/load-balancer/types.ts';
import type { NodeHealth } from '../analyzers/node-health.ts';
import type { ObservedPort, StaleConntrack } from '../analyzers/observed-shares.ts';
import type { EndpointRef, Outcome } from './outcome.ts';
import type { ExposureComparison } from './exposure.ts';
import type { Finding } from './finding.ts';
import type { Protocol } from './packet.ts';
import type { ProxyMode } from './proxy-mode.ts';

export type EntryKind = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalIP';
export type Basis = 'dataplane' | 'model';

export interface ServicePortSummary {
  name: string;
  port: number;
  protocol: Protocol;
  targetPort: number | string | null;
  nodePort: number | null;
}

export interface ServiceSummary {
  namespace: string;
  name: string;
  type: string;
  clusterIPs: string[];
  ports: ServicePortSummary[];
  externalTrafficPolicy: string | null;
  internalTrafficPolicy: string | null;
  healthCheckNodePort: number | null;
  externalIPs: string[];
  loadBalancerIPs: string[];
  loadBalancerSourceRanges: string[];
  sessionAffinity: { type: string; timeoutSeconds: number | null };
  trafficDistribution: string | null;
  externalName: string | null;
  headless: boolean;
}

export interface HealthCheck {
  /** Predicted answer of kube-proxy on healthCheckNodePort; null when the service has none. */
  status: 200 | 503 | null;
  reason: string;
  /** Live answer read from the node (or its snapshot file), when available. */
  observed?: { status: number | null; localEndpoints: number | null; source: string } | null;
}

export interface NodeReport {
  name: string;
  proxyMode: ProxyMode | null;
  /** Where the mode came from: kube-proxy's /proxyMode, the dump files present, or the config. */
  proxyModeSource: 'proxy-mode' | 'dump' | 'config' | 'default' | null;
  readyLocalEndpoints: number;
  healthCheck: HealthCheck;
}

export interface PathReport {
  entry: EntryKind;
  node: string;
  address: string;
  port: number;
  protocol: Protocol;
  basis: Basis;
  /** Where the traffic comes from for this path (external client, pod, node). */
  from: string;
  outcomes: Outcome[];
}

export interface LoadBalancerShare {
  endpoint: EndpointRef;
  share: number;
}

/** The same service under one kube-proxy mode, answered from the API objects (explain-svc --compare-modes). */
export interface ModeComparison {
  mode: ProxyMode;
  paths: PathReport[];
  loadBalancerShares: LoadBalancerShare[];
  imbalanceFactor: number | null;
  /** One sentence per path whose answer differs from the actual one. */
  differences: string[];
}

export interface ServiceExplanation {
  apiVersion: 'netpath/v1alpha1';
  kind: 'ServiceExplanation';
  service: ServiceSummary;
  nodes: NodeReport[];
  paths: PathReport[];
  loadBalancerShares: LoadBalancerShare[];
  imbalanceFactor: number | null;
  /** Who implements the load balancer, how it targets, its hop and shares (issue 9); null for other types. Set by explainService. */
  loadBalancer?: LoadBalancerReport | null;
  /** Ingresses routing to this service and their controller's path (issue 9); present when any does. */
  ingresses?: IngressReport[];
  findings: Finding[];
  /** Defaults netpath assumed because the bundle did not say (kube-proxy config, feature gates). */
  assumptions: string[];
  /** Present with --compare-modes. */
  modeComparison?: ModeComparison[];
  /** Present with --compare-exposure. */
  exposureComparison?: ExposureComparison;
  /** What the nodes' conntrack tables and rule counters show (issue 10); present when a node carried any. */
  observed?: { ports: ObservedPort[]; stale: StaleConntrack[] };
  /** The health of each node read that carried node-state files (as `node` reports it); present when any did. */
  nodeHealth?: NodeHealth[];
  /** Which nodes were read and which answered from the model, and what reading cost (issue 11). */
  reads?: ReadsSummary;
}

export interface ReadsSummary {
  /** Nodes whose dataplane was read and walked (basis dataplane). */
  nodesRead: string[];
  /** Nodes answered from kube-proxy's semantics (basis model): not planned, not in the bundle, or unreadable. */
  nodesModel: string[];
  /** Why each node read was chosen: `endpoints`, `every node`, or the group it stands for. */
  reasons: Record<string, string>;
  /** Live only (null offline): API requests, exec streams included, and debug pods created. */
  apiCalls: number | null;
  debugPods: number | null;
}

export interface TraceReport {
  apiVersion: 'netpath/v1alpha1';
  kind: 'Trace';
  packet: { src: string; dst: string; port: number; protocol: Protocol; entryNode: string; from: string };
  basis: Basis;
  proxyMode: ProxyMode | null;
  service: { namespace: string; name: string; entry: EntryKind } | null;
  outcomes: Outcome[];
  findings: Finding[];
  assumptions: string[];
}
