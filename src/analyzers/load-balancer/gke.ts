import type { V1Service } from '@kubernetes/client-node';
import { annotationEvidence, annotationsOf, isLocal, localHealthCheck, refOf } from './detection.ts';
import type { Detection } from './detection.ts';

// GKE LoadBalancer Services: passthrough Network Load Balancers with node (GCE_VM_IP) backends,
// classes networking.gke.io/l4-regional-external|internal, cloud.google.com/l4-rbs, the
// internal annotation, weighted load balancing and the health checks per externalTrafficPolicy:
// https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer
const GKE_DOC = 'https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer';
// networking.gke.io/weighted-load-balancing: pods-per-node (with Local): the split over nodes
// follows each node's serving pods:
// https://cloud.google.com/kubernetes-engine/docs/how-to/backend-service-based-external-load-balancer
const WEIGHTED_DOC = 'https://cloud.google.com/kubernetes-engine/docs/how-to/backend-service-based-external-load-balancer';
// Container-native load balancing (cloud.google.com/neg) sends Ingress traffic to pod IPs:
// https://cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing
const NEG_DOC = 'https://cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing';
// Internal LBs with GKE subsetting (finalizer gke.networking.io/l4-ilb-v2): GCE_VM_IP NEGs of at
// most 25 nodes per zone; under Local only nodes with serving pods:
// https://cloud.google.com/kubernetes-engine/docs/how-to/internal-load-balancing
const ILB_DOC = 'https://cloud.google.com/kubernetes-engine/docs/how-to/internal-load-balancing';
/** Under Cluster, GKE's health check probes kube-proxy's own health server. */
const KUBE_PROXY_HEALTHZ_PORT = 10256;

const PREFIXES = ['cloud.google.com/', 'networking.gke.io/'];

export function detectGke(svc: V1Service, onGceNodes: boolean): Detection | null {
  const ann = annotationsOf(svc);
  const cls = svc.spec?.loadBalancerClass;
  const byClass = cls?.startsWith('networking.gke.io/') ?? false;
  const annotated = Object.keys(ann).some((k) => PREFIXES.some((p) => k.startsWith(p)));
  if ((cls && !byClass) || (!byClass && !annotated && !onGceNodes)) return null;
  const evidence = [
    ...(byClass ? [{ kind: 'loadBalancerClass', ref: refOf(svc), detail: `${cls}: GKE passthrough Network Load Balancer (${GKE_DOC})` }] : []),
    ...annotationEvidence(svc, ['cloud.google.com/l4-rbs', 'cloud.google.com/load-balancer-type', 'networking.gke.io/load-balancer-type'], GKE_DOC),
    ...annotationEvidence(svc, ['networking.gke.io/weighted-load-balancing'], WEIGHTED_DOC),
    ...annotationEvidence(svc, ['cloud.google.com/neg'], `${NEG_DOC}; a LoadBalancer Service still targets nodes`),
  ];
  if (!byClass && !annotated) evidence.push({ kind: 'node', ref: 'nodes', detail: `spec.providerID gce://...: GKE reconciles services without a class (${GKE_DOC})` });
  if ((svc.metadata?.finalizers ?? []).includes('gke.networking.io/l4-ilb-v2')) {
    evidence.push({ kind: 'finalizer', ref: refOf(svc), detail: `gke.networking.io/l4-ilb-v2: internal LB with GKE subsetting; under Local only nodes with serving pods are backends (${ILB_DOC})` });
  }
  const weighted = ann['networking.gke.io/weighted-load-balancing'] === 'pods-per-node';
  if (weighted && !isLocal(svc)) evidence.push({ kind: 'model', ref: refOf(svc), detail: `weighted load balancing needs externalTrafficPolicy Local; under Cluster the split stays even (${WEIGHTED_DOC})` });
  evidence.push({ kind: 'client-ip', ref: refOf(svc), detail: 'client IP preserved (passthrough load balancer)' });
  return {
    implementation: 'gke',
    targetType: 'instance',
    entry: 'all-healthy-nodes',
    assumed: false,
    evidence,
    healthCheck: isLocal(svc) ? localHealthCheck(svc) : { target: 'node', port: KUBE_PROXY_HEALTHZ_PORT, protocol: 'HTTP', path: '/healthz' },
    // Passthrough: packets reach the node still addressed to the load-balancer IP.
    delivery: 'vip',
    entryNodes: null,
    localAnnouncers: false,
    weighting: weighted && isLocal(svc) ? 'pods-per-node' : 'even',
    preservesClientIP: true,
  };
}
