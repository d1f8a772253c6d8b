import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../../model/cluster.ts';
import { detectAwsInTree, detectAwsLbc } from './aws.ts';
import { detectAzure } from './azure.ts';
import { annotationsOf, isLocal, localHealthCheck, refOf } from './detection.ts';
import type { Detection } from './detection.ts';
import { detectGke } from './gke.ts';
import { detectKubeVip } from './kube-vip.ts';
import { detectMetalLB } from './metallb.ts';
import type { LoadBalancerEvidence } from './types.ts';

// status.loadBalancer.ingress[].ipMode: VIP (default) delivers packets addressed to the LB IP;
// Proxy delivers them to node IP:NodePort or pod IP:port (KEP-1860):
// https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-ip-mode
export const IP_MODE_DOC = 'https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-ip-mode';

const providerOf = (state: ClusterState, prefix: string) => state.nodes.some((n) => n.spec?.providerID?.startsWith(prefix));

/**
 * Who implements this LoadBalancer Service and how it targets, from the API objects alone; null
 * for other service types. Rules are tried from the most specific signal (a class, a binding, a
 * status object, an annotation) to the nodes' cloud; none matching gives the assumed model.
 */
export function detectLoadBalancer(state: ClusterState, service: V1Service): Detection | null {
  if (service.spec?.type !== 'LoadBalancer') return null;
  const cls = service.spec.loadBalancerClass;
  const found =
    detectAwsLbc(state, service) ??
    detectKubeVip(service) ??
    detectMetalLB(state, service) ??
    detectGke(service, false) ??
    detectAzure(service, false) ??
    detectAwsInTree(service, false) ??
    // No signal on the service: the cloud of the nodes reconciles services without a class.
    (cls ? null : (detectGke(service, providerOf(state, 'gce://')) ?? detectAzure(service, providerOf(state, 'azure://')) ?? detectAwsInTree(service, providerOf(state, 'aws://'))));
  return withIpMode(service, found ?? unknown(service));
}

/** Nothing recognised: name what was seen and assume today's model, even over healthy nodes. */
function unknown(service: V1Service): Detection {
  const seen: LoadBalancerEvidence[] = [];
  const cls = service.spec?.loadBalancerClass;
  if (cls) seen.push({ kind: 'loadBalancerClass', ref: refOf(service), detail: `${cls}: not a class netpath knows` });
  const keys = Object.keys(annotationsOf(service)).sort();
  if (keys.length) seen.push({ kind: 'annotation', ref: refOf(service), detail: `annotations seen: ${keys.join(', ')}` });
  for (const i of service.status?.loadBalancer?.ingress ?? []) {
    seen.push({ kind: 'status', ref: refOf(service), detail: `ingress ${i.ip ?? i.hostname ?? '?'}${i.ipMode ? ` (ipMode ${i.ipMode})` : ''}` });
  }
  seen.push({ kind: 'client-ip', ref: refOf(service), detail: 'not known: an unknown load balancer may keep the client IP or replace it' });
  seen.push({
    kind: 'model',
    ref: refOf(service),
    detail: 'implementation unknown: assumed a load balancer spreading connections evenly over the nodes whose health check passes (all nodes under Cluster)',
  });
  return {
    implementation: 'unknown',
    targetType: 'instance',
    entry: 'all-healthy-nodes',
    assumed: true,
    evidence: seen,
    healthCheck: isLocal(service) ? localHealthCheck(service) : null,
    delivery: 'vip',
    entryNodes: null,
    localAnnouncers: false,
    weighting: 'even',
    preservesClientIP: true,
  };
}

/** ipMode Proxy: node targets receive node:NodePort, not the VIP. */
function withIpMode(service: V1Service, d: Detection): Detection {
  const proxied = (service.status?.loadBalancer?.ingress ?? []).filter((i) => i.ipMode === 'Proxy');
  if (proxied.length === 0) return d;
  const evidence = [...d.evidence, ...proxied.map((i) => ({ kind: 'status', ref: refOf(service), detail: `ingress ${i.ip} ipMode Proxy: the load balancer delivers to node IP:NodePort or pod IP:port, not to its own IP (${IP_MODE_DOC})` }))];
  return { ...d, evidence, delivery: d.delivery === 'pod' ? 'pod' : 'node-port' };
}
