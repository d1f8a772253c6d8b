import type { V1Service } from '@kubernetes/client-node';
import { annotationEvidence, annotationsOf, isLocal, localHealthCheck, refOf } from './detection.ts';
import type { Detection } from './detection.ts';

// cloud-provider-azure: service.beta.kubernetes.io/azure-* annotations, the health probe
// annotations (azure-load-balancer-health-probe-protocol, -request-path, port_N_health-probe_*)
// and floating IP (the packet keeps the frontend IP as destination):
// https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer/
const AZURE_DOC = 'https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer/';
const P = 'service.beta.kubernetes.io/azure-';
const PROBE = `${P}load-balancer-health-probe-`;

export function detectAzure(svc: V1Service, onAzureNodes: boolean): Detection | null {
  const ann = annotationsOf(svc);
  const annotated = Object.keys(ann).some((k) => k.startsWith(P));
  if (svc.spec?.loadBalancerClass || (!annotated && !onAzureNodes)) return null;
  const evidence = annotationEvidence(svc, [P], AZURE_DOC);
  if (!annotated) evidence.push({ kind: 'node', ref: 'nodes', detail: `spec.providerID azure://...: cloud-provider-azure reconciles services without a class (${AZURE_DOC})` });
  // Under Local the probe is kube-proxy's healthCheckNodePort; otherwise the traffic NodePort,
  // TCP unless the probe annotations (or the port's appProtocol) ask for HTTP(S).
  const protocol = (ann[`${PROBE}protocol`] ?? 'Tcp').toUpperCase();
  const healthCheck: Detection['healthCheck'] = isLocal(svc)
    ? localHealthCheck(svc)
    : { target: 'node', port: 'traffic-port', protocol, path: protocol === 'TCP' ? null : (ann[`${PROBE}request-path`] ?? '/') };
  evidence.push({ kind: 'client-ip', ref: refOf(svc), detail: 'client IP preserved (floating IP, no proxy)' });
  return {
    implementation: 'azure',
    targetType: 'instance',
    entry: 'all-healthy-nodes',
    assumed: false,
    evidence,
    healthCheck,
    delivery: 'vip',
    entryNodes: null,
    localAnnouncers: false,
    weighting: 'even',
    preservesClientIP: true,
  };
}
