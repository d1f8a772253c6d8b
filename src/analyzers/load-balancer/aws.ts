import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState, KubeObject } from '../../model/cluster.ts';
import { annotationEvidence, annotationsOf, isLocal, localHealthCheck, refOf } from './detection.ts';
import type { Detection } from './detection.ts';
import type { LoadBalancerEvidence, TargetType } from './types.ts';

// AWS Load Balancer Controller, service annotations and their defaults:
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
// NLB instance vs ip targets:
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/nlb/
const LBC_DOC = 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/';
const LBC_CLASS = 'service.k8s.aws/nlb';
// EKS Auto Mode sets this class by default and reads the same service annotations:
// https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html
const EKS_AUTO_CLASS = 'eks.amazonaws.com/nlb';
const EKS_AUTO_DOC = 'https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html';
// TargetGroupBinding (elbv2.k8s.aws): spec.serviceRef, spec.targetType (instance | ip):
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/targetgroupbinding/targetgroupbinding/
const TGB_DOC = 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/targetgroupbinding/spec/';
// Pod readiness gate the controller injects: the pod is Ready only once its target is healthy.
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/
const GATE_PREFIX = 'target-health.elbv2.k8s.aws/';
const GATE_DOC = 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/';
// Client IP preservation: on by default for instance targets, off for ip targets (TCP/TLS):
// https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation
const PRESERVE_DOC = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation';
// In-tree AWS cloud provider (Classic LB by default, NLB with aws-load-balancer-type: nlb):
// instance targets on the NodePort; under Local, HTTP /healthz on healthCheckNodePort.
// https://github.com/kubernetes/cloud-provider-aws/blob/master/pkg/providers/v1/aws_loadbalancer.go
const INTREE_DOC = 'https://github.com/kubernetes/cloud-provider-aws/blob/master/pkg/providers/v1/aws_loadbalancer.go';

const A = 'service.beta.kubernetes.io/aws-load-balancer-';

/** TargetGroupBindings whose serviceRef names this service (same namespace). */
export function bindingsOf(state: ClusterState, svc: V1Service): KubeObject[] {
  return (state.targetGroupBindings ?? []).filter((b) => {
    const ref = b.spec?.serviceRef as { name?: string } | undefined;
    return b.metadata?.namespace === svc.metadata?.namespace && ref?.name === svc.metadata?.name;
  });
}

/** The AWS Load Balancer Controller (or EKS Auto Mode) reconciles this service; null when it does not. */
export function detectAwsLbc(state: ClusterState, svc: V1Service): Detection | null {
  const ann = annotationsOf(svc);
  const cls = svc.spec?.loadBalancerClass;
  const type = ann[`${A}type`];
  const bindings = bindingsOf(state, svc);
  const evidence: LoadBalancerEvidence[] = [];
  if (cls === LBC_CLASS) evidence.push({ kind: 'loadBalancerClass', ref: refOf(svc), detail: `${LBC_CLASS}: reconciled by the AWS Load Balancer Controller (${LBC_DOC})` });
  else if (cls === EKS_AUTO_CLASS) evidence.push({ kind: 'loadBalancerClass', ref: refOf(svc), detail: `${EKS_AUTO_CLASS}: EKS Auto Mode's NLB, configured by the controller's annotations (${EKS_AUTO_DOC})` });
  else if (type === 'external' || type === 'nlb-ip') evidence.push({ kind: 'annotation', ref: refOf(svc), detail: `${A}type: ${type}: reconciled by the AWS Load Balancer Controller (${LBC_DOC})` });
  else if (bindings.length === 0) return null;
  for (const b of bindings) {
    evidence.push({
      kind: 'TargetGroupBinding',
      ref: `targetgroupbinding ${b.metadata?.namespace}/${b.metadata?.name}`,
      detail: `serviceRef ${svc.metadata?.name}, targetType ${String(b.spec?.targetType ?? 'unset')} (${TGB_DOC})`,
    });
  }
  evidence.push(...annotationEvidence(svc, [`${A}nlb-target-type`, `${A}healthcheck-`, `${A}target-group-attributes`], LBC_DOC));
  const targetType = lbcTargetType(type, ann[`${A}nlb-target-type`], bindings);
  // Instance targets: only nodes matching aws-load-balancer-target-node-labels are registered.
  const entryNodes = targetType === 'instance' ? labelledNodes(state, ann[`${A}target-node-labels`]) : null;
  if (entryNodes) evidence.push(...annotationEvidence(svc, [`${A}target-node-labels`], `${LBC_DOC}: registered nodes ${entryNodes.join(', ') || 'none'}`));
  const gated = gatedPods(state, svc);
  if (gated.length) evidence.push({ kind: 'readinessGate', ref: `pods ${gated.join(', ')}`, detail: `${GATE_PREFIX}...: a pod turns Ready only once the load balancer's health check passes (${GATE_DOC})` });
  const attributes = ann[`${A}target-group-attributes`] ?? '';
  const preserve = /preserve_client_ip\.enabled=(true|false)/.exec(attributes)?.[1];
  const preservesClientIP = preserve ? preserve === 'true' : targetType === 'instance';
  evidence.push({ kind: 'client-ip', ref: refOf(svc), detail: `client IP ${preservesClientIP ? 'preserved' : 'replaced by the load balancer\'s address'} (${preserve ? 'target-group-attributes' : `default for ${targetType} targets`}; ${PRESERVE_DOC})` });
  return {
    implementation: 'aws-load-balancer-controller',
    targetType,
    entry: targetType === 'ip' ? 'pods' : 'all-healthy-nodes',
    assumed: false,
    evidence,
    healthCheck: lbcHealthCheck(svc, targetType),
    delivery: targetType === 'ip' ? 'pod' : 'node-port',
    entryNodes,
    localAnnouncers: false,
    weighting: 'even',
    preservesClientIP,
  };
}

/** nlb-ip means ip; the target-type annotation wins; else a binding's spec.targetType; default instance. */
function lbcTargetType(type: string | undefined, annotated: string | undefined, bindings: KubeObject[]): TargetType {
  if (type === 'nlb-ip') return 'ip';
  if (annotated === 'ip' || annotated === 'instance') return annotated;
  const bound = bindings.map((b) => b.spec?.targetType).find((t) => t === 'ip' || t === 'instance');
  return (bound as TargetType | undefined) ?? 'instance';
}

/**
 * Defaults (annotations doc, "Health Check"): port traffic-port, protocol TCP, path "/" for HTTP;
 * instance targets under Local: HTTP /healthz on healthCheckNodePort. Annotations override each.
 */
function lbcHealthCheck(svc: V1Service, targetType: TargetType): Detection['healthCheck'] {
  const ann = annotationsOf(svc);
  const base: NonNullable<Detection['healthCheck']> =
    targetType === 'instance' && isLocal(svc)
      ? localHealthCheck(svc)!
      : { target: targetType === 'ip' ? 'pod' : 'node', port: 'traffic-port', protocol: 'TCP', path: null };
  const portAnn = ann[`${A}healthcheck-port`];
  const protocol = (ann[`${A}healthcheck-protocol`] ?? base.protocol).toUpperCase();
  const port = portAnn === undefined ? base.port : portAnn === 'traffic-port' ? 'traffic-port' : Number(portAnn);
  const path = protocol === 'TCP' ? null : (ann[`${A}healthcheck-path`] ?? base.path ?? '/');
  return { target: base.target, port: Number.isNaN(port) ? null : port, protocol, path };
}

/** Nodes whose labels carry every k=v of a stringMap annotation ("k1=v1, k2=v2"); null without one. */
function labelledNodes(state: ClusterState, selector: string | undefined): string[] | null {
  if (!selector) return null;
  const pairs = selector.split(',').map((kv) => kv.split('=').map((x) => x.trim()));
  return state.nodes
    .filter((n) => pairs.every(([k, v]) => k !== undefined && n.metadata?.labels?.[k] === (v ?? '')))
    .map((n) => n.metadata?.name ?? '?')
    .sort();
}

/** Pods of the service's namespace carrying the controller's readiness gate. */
function gatedPods(state: ClusterState, svc: V1Service): string[] {
  return (state.pods ?? [])
    .filter((p) => p.metadata?.namespace === svc.metadata?.namespace && (p.spec?.readinessGates ?? []).some((g) => g.conditionType.startsWith(GATE_PREFIX)))
    .map((p) => p.metadata?.name ?? '?')
    .sort();
}

/**
 * The in-tree AWS provider: a Classic LB (default) or an NLB (`aws-load-balancer-type: nlb`),
 * both with instance targets on the NodePort. Seen from its annotations or an ELB hostname.
 */
export function detectAwsInTree(svc: V1Service, onAwsNodes: boolean): Detection | null {
  const ann = annotationsOf(svc);
  const hostnames = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.hostname ?? '').filter((h) => h.endsWith('.elb.amazonaws.com'));
  const annotated = Object.keys(ann).some((k) => k.startsWith(A));
  if (svc.spec?.loadBalancerClass || (!annotated && hostnames.length === 0 && !onAwsNodes)) return null;
  const nlb = ann[`${A}type`] === 'nlb';
  const evidence: LoadBalancerEvidence[] = [
    ...annotationEvidence(svc, [A], INTREE_DOC),
    ...hostnames.map((h) => ({ kind: 'status', ref: refOf(svc), detail: `load-balancer hostname ${h}: an AWS ELB` })),
  ];
  if (!annotated && hostnames.length === 0) evidence.push({ kind: 'node', ref: 'nodes', detail: 'spec.providerID aws://...: the in-tree AWS provider reconciles services without a class' });
  evidence.push({ kind: 'model', ref: refOf(svc), detail: `${nlb ? 'NLB' : 'Classic LB'} with instance targets on the NodePort (${INTREE_DOC})` });
  evidence.push({ kind: 'client-ip', ref: refOf(svc), detail: nlb ? 'client IP preserved (NLB instance targets)' : "client IP replaced by the load balancer's address (the Classic LB proxies TCP)" });
  return {
    implementation: 'aws-cloud-provider',
    targetType: 'instance',
    entry: 'all-healthy-nodes',
    assumed: false,
    evidence,
    healthCheck: isLocal(svc) ? localHealthCheck(svc) : { target: 'node', port: 'traffic-port', protocol: 'TCP', path: null },
    delivery: 'node-port',
    entryNodes: null,
    localAnnouncers: false,
    weighting: 'even',
    preservesClientIP: nlb,
  };
}
