import type { LoadBalancerShare } from '../../model/results.ts';

/** Who implements a LoadBalancer Service (contract 2, `loadBalancer.implementation`). */
export type LoadBalancerImplementation = 'aws-load-balancer-controller' | 'aws-cloud-provider' | 'gke' | 'azure' | 'metallb' | 'kube-vip' | 'unknown';

/** instance: the LB sends to node:NodePort (or the VIP on the node); ip: straight to pod IPs. */
export type TargetType = 'instance' | 'ip';

/** Where traffic enters the cluster: every healthy node, one announcing node, ECMP over advertising nodes, or pods. */
export type Entry = 'all-healthy-nodes' | 'single-node' | 'ecmp' | 'pods';

/** One fact a rule used: the object (kind), which one (ref) and what it said (detail, with the rule's source). */
export interface LoadBalancerEvidence {
  kind: string;
  ref: string;
  detail: string;
}

/** The load balancer's own health check of its targets (not kube-proxy's answer, which is per node). */
export interface LoadBalancerHealthCheck {
  target: 'node' | 'pod';
  port: number | null;
  protocol: string;
  path: string | null;
}

export interface InCluster {
  path: 'short-circuit' | 'via-load-balancer';
  hairpinRisk: boolean;
  reason: string;
}

/** contract 2: ServiceExplanation.loadBalancer (agreed with branches lblive and exposure). */
export interface LoadBalancerReport {
  implementation: LoadBalancerImplementation;
  targetType: TargetType;
  kubeProxyOnPath: boolean;
  entry: Entry;
  /** true when the implementation is unknown and the even-over-healthy-nodes model is assumed. */
  assumed: boolean;
  evidence: LoadBalancerEvidence[];
  healthCheck: LoadBalancerHealthCheck | null;
  nodeShares: { node: string; share: number }[];
  shares: LoadBalancerShare[];
  inCluster: InCluster;
}

/** ServiceExplanation.ingresses: an Ingress routing to this Service and the path its controller takes. */
export interface IngressReport {
  namespace: string;
  name: string;
  /** spec.ingressClassName, else the kubernetes.io/ingress.class annotation. */
  className: string | null;
  /** The IngressClass's spec.controller, when the class object was read. */
  controller: string | null;
  /** 'aws-alb' for the AWS Load Balancer Controller's ALB, 'gke' for GKE Ingress; 'unknown' otherwise. */
  implementation: 'aws-alb' | 'gke' | 'unknown';
  targetType: TargetType | null;
  kubeProxyOnPath: boolean | null;
  /** client -> ALB -> ... in words, one hop each. */
  hops: string[];
  evidence: LoadBalancerEvidence[];
}
