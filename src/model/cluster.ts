import type { V1EndpointSlice, V1Ingress, V1IngressClass, V1Node, V1ObjectMeta, V1Pod, V1Service } from '@kubernetes/client-node';

/** A custom resource read as a plain object (no generated client type exists for it). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

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
  /** Load-balancer objects (issue 9); null when the bundle or the cluster did not provide them. */
  ingresses: V1Ingress[] | null;
  ingressClasses: V1IngressClass[] | null;
  /** Custom resources as plain objects (elbv2.k8s.aws TargetGroupBinding, metallb.io ServiceL2Status / ServiceBGPStatus). */
  targetGroupBindings: KubeObject[] | null;
  serviceL2Statuses: KubeObject[] | null;
  serviceBGPStatuses: KubeObject[] | null;
}
