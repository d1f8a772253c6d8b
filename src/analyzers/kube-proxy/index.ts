/** kube-proxy semantics from API objects alone (basis `model`): pure functions, no I/O. */
export { DEFAULT_FEATURE_GATES, resolveFeatureGates } from './feature-gates.ts';
export type { FeatureGates } from './feature-gates.ts';
export {
  clusterIPOfFamily,
  externalIPsOfFamily,
  loadBalancerVIPs,
  primaryFamily,
  serviceView,
  servicePortFlags,
  sourceRangesOfFamily,
} from './service-view.ts';
export type { LoadBalancerIngressIP, ServicePortFlags, ServicePortView, ServiceView } from './service-view.ts';
export { serviceSummary } from './service-summary.ts';
export {
  conditionWords,
  describeEndpoint,
  endpointEvidence,
  endpointRef,
  endpointsForPort,
  serviceEndpointSlices,
  sliceEndpointCopies,
} from './endpoints.ts';
export type { ServiceEndpoint } from './endpoints.ts';
export { categorizeEndpoints } from './categorize.ts';
export type { CategorizedEndpoints, TopologyMode } from './categorize.ts';
export { resolveProxyConfig } from './proxy-config.ts';
export type { LocalDetector, ProxyConfigView } from './proxy-config.ts';
export { detectPodTraffic, podTrafficCidr } from './local-traffic.ts';
export type { PodTrafficVerdict } from './local-traffic.ts';
export { acceptsNodePort, nodePortAddressesFor } from './node-port-addresses.ts';
export type { DataplaneFamily, NodePortAddressView } from './node-port-addresses.ts';
export { predictHealthCheck, readyLocalEndpoints } from './health.ts';
export type { HealthPrediction } from './health.ts';
export { modelOutcomes } from './model-walk.ts';
export type { ModelWalkInput } from './model-walk.ts';
export { findNode, loadBalancerExclusion, nodePodCIDRs, primaryNodeIPs } from './nodes.ts';
export { healthAnswer, healthCheckOutcome } from './node-itself.ts';
