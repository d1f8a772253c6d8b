import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';

/**
 * The subset of kube-proxy's KubeProxyConfiguration that changes forwarding. Fields are
 * optional because the ConfigMap may be absent or partial; analyzers fill defaults and say so.
 */
export interface KubeProxyConfig {
  mode?: string;
  clusterCIDR?: string;
  detectLocalMode?: string;
  masqueradeAll?: boolean;
  nodePortAddresses?: string[];
  localhostNodePorts?: boolean;
  ipvsScheduler?: string;
  featureGates?: Record<string, boolean>;
  /** syncPeriod in seconds (top level, else the mode's section): kube-proxy resyncs at least this often. */
  syncPeriodSeconds?: number;
  /** Where it was read from, for evidence. */
  source: string;
}

/** API objects as read from the cluster or a snapshot bundle (kubectl JSON shapes). */
export interface ClusterState {
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  nodes: V1Node[];
  pods: V1Pod[] | null;
  kubeProxyConfig: KubeProxyConfig | null;
}
