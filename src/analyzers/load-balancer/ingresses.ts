import type { V1Ingress, V1IngressBackend, V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../../model/cluster.ts';
import type { IngressReport, LoadBalancerEvidence, TargetType } from './types.ts';

// AWS Load Balancer Controller Ingress: class `alb` / IngressClass controller ingress.k8s.aws/alb:
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/ingress_class/
const CLASS_DOC = 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/ingress_class/';
// alb.ingress.kubernetes.io/target-type: instance (default; the Service must be NodePort or
// LoadBalancer, the ALB sends to node:NodePort) | ip (straight to pod IPs):
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#target-type
const TARGET_DOC = 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#target-type';
const ALB_CONTROLLER = 'ingress.k8s.aws/alb';
// GKE Ingress (class gce / gce-internal): container-native load balancing when the Service
// carries cloud.google.com/neg {"ingress": true} (pods directly), else instance groups (node:NodePort):
// https://cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing
const NEG_DOC = 'https://cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing';
const GCE_CLASSES = new Set(['gce', 'gce-internal']);
const GCE_CONTROLLER = 'k8s-io/ingress-gce';

function backends(ing: V1Ingress): V1IngressBackend[] {
  const out: V1IngressBackend[] = [];
  if (ing.spec?.defaultBackend) out.push(ing.spec.defaultBackend);
  for (const rule of ing.spec?.rules ?? []) for (const p of rule.http?.paths ?? []) out.push(p.backend);
  return out;
}

/** Ingresses of the service's namespace with a backend naming it, and the path each controller takes. */
export function ingressesFor(state: ClusterState, service: V1Service): IngressReport[] {
  const ns = service.metadata?.namespace;
  const name = service.metadata?.name;
  return (state.ingresses ?? [])
    .filter((ing) => ing.metadata?.namespace === ns && backends(ing).some((b) => b.service?.name === name))
    .map((ing) => ingressReport(state, ing, service))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function ingressReport(state: ClusterState, ing: V1Ingress, service: V1Service): IngressReport {
  const ref = `ingress ${ing.metadata?.namespace}/${ing.metadata?.name}`;
  const ann = ing.metadata?.annotations ?? {};
  const className = ing.spec?.ingressClassName ?? ann['kubernetes.io/ingress.class'] ?? defaultClass(state);
  const controller = (state.ingressClasses ?? []).find((c) => c.metadata?.name === className)?.spec?.controller ?? null;
  const evidence: LoadBalancerEvidence[] = [];
  if (className) evidence.push({ kind: 'ingressClass', ref, detail: `class ${className}${controller ? `, controller ${controller}` : ''}` });
  const alb = controller === ALB_CONTROLLER || (controller === null && className === 'alb');
  if (!alb && (controller === GCE_CONTROLLER || (className !== null && GCE_CLASSES.has(className)))) return gkeIngress(ing, service, className, controller, evidence);
  if (!alb) {
    return { namespace: ing.metadata?.namespace ?? '', name: ing.metadata?.name ?? '', className, controller, implementation: 'unknown', targetType: null, kubeProxyOnPath: null, hops: [], evidence: [...evidence, { kind: 'model', ref, detail: 'controller not known to netpath: its path to the pods is not modelled' }] };
  }
  evidence.push({ kind: 'ingressClass', ref, detail: `AWS Load Balancer Controller ALB (${CLASS_DOC})` });
  const annotated = ann['alb.ingress.kubernetes.io/target-type'];
  const targetType: TargetType = annotated === 'ip' ? 'ip' : 'instance';
  evidence.push({ kind: 'annotation', ref, detail: `alb.ingress.kubernetes.io/target-type: ${annotated ?? 'unset, default instance'} (${TARGET_DOC})` });
  const nodePort = service.spec?.ports?.[0]?.nodePort;
  const hops =
    targetType === 'ip'
      ? ['client -> ALB (terminates HTTP, new connection from the ALB)', 'ALB -> pod IP:targetPort directly: kube-proxy is not on the path']
      : ['client -> ALB (terminates HTTP, new connection from the ALB)', `ALB -> node:${nodePort ?? 'NodePort'} on every registered node`, 'node -> kube-proxy NodePort rules -> pod (possibly on another node)'];
  if (targetType === 'instance' && !nodePort) evidence.push({ kind: 'model', ref, detail: `instance targets need a NodePort, and service ${service.metadata?.name} has none: the ALB cannot reach it (${TARGET_DOC})` });
  return { namespace: ing.metadata?.namespace ?? '', name: ing.metadata?.name ?? '', className, controller, implementation: 'aws-alb', targetType, kubeProxyOnPath: targetType === 'instance', hops, evidence };
}

/** GKE Ingress: NEG-annotated Services get pod targets; without the annotation the target type is the cluster's default, not visible here. */
function gkeIngress(ing: V1Ingress, service: V1Service, className: string | null, controller: string | null, evidence: LoadBalancerEvidence[]): IngressReport {
  const ref = `service ${service.metadata?.namespace}/${service.metadata?.name}`;
  const neg = service.metadata?.annotations?.['cloud.google.com/neg'];
  let ingressNeg: boolean | null = null;
  try {
    ingressNeg = neg ? (JSON.parse(neg) as { ingress?: boolean }).ingress === true : null;
  } catch {
    evidence.push({ kind: 'annotation', ref, detail: `cloud.google.com/neg is not JSON: ${neg}` });
  }
  const targetType: TargetType | null = ingressNeg === null ? null : ingressNeg ? 'ip' : 'instance';
  evidence.push({
    kind: 'annotation',
    ref,
    detail: `${neg ? `cloud.google.com/neg: ${neg}` : 'no cloud.google.com/neg: container-native or instance groups by the cluster\'s default'} (${NEG_DOC})`,
  });
  const hops =
    targetType === 'ip'
      ? ['client -> Google Cloud load balancer (proxies HTTP)', 'load balancer -> pod IP through its NEG: kube-proxy is not on the path']
      : targetType === 'instance'
        ? ['client -> Google Cloud load balancer (proxies HTTP)', `load balancer -> node:${service.spec?.ports?.[0]?.nodePort ?? 'NodePort'} (instance group)`, 'node -> kube-proxy NodePort rules -> pod']
        : [];
  return { namespace: ing.metadata?.namespace ?? '', name: ing.metadata?.name ?? '', className, controller, implementation: 'gke', targetType, kubeProxyOnPath: targetType === null ? null : targetType === 'instance', hops, evidence };
}

/** The IngressClass marked default, for Ingresses that name none. */
function defaultClass(state: ClusterState): string | null {
  return (state.ingressClasses ?? []).find((c) => c.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true')?.metadata?.name ?? null;
}
