/**
 * Annotations whose values decide which load balancer is in front of a Service and how it
 * targets (read by src/analyzers/load-balancer/, which cites each provider's documentation).
 * `capture --redact` keeps them with their values: none names an account, a certificate, a
 * subnet or a security group, and without them a redacted bundle would answer differently.
 */
const KEPT_WITH_VALUE: ReadonlySet<string> = new Set([
  'service.beta.kubernetes.io/aws-load-balancer-type',
  'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type',
  'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port',
  'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol',
  'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path',
  'service.beta.kubernetes.io/aws-load-balancer-target-node-labels',
  'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes',
  'service.beta.kubernetes.io/azure-load-balancer-health-probe-protocol',
  'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path',
  'cloud.google.com/neg',
  'cloud.google.com/load-balancer-type',
  'cloud.google.com/l4-rbs',
  'networking.gke.io/load-balancer-type',
  'networking.gke.io/weighted-load-balancing',
  'alb.ingress.kubernetes.io/target-type',
  'kubernetes.io/ingress.class',
  'ingressclass.kubernetes.io/is-default-class',
  'kube-vip.io/vipHost',
]);

/** Prefixes whose mere presence names the implementation: the key stays, its value does not. */
const KEPT_KEY_PREFIXES: readonly string[] = [
  'service.beta.kubernetes.io/aws-load-balancer-',
  'service.beta.kubernetes.io/azure-',
  'cloud.google.com/',
  'networking.gke.io/',
  'metallb.universe.tf/',
  'metallb.io/',
  'kube-vip.io/',
];

/** The annotations a redacted bundle keeps (see above), undefined when none. */
export function redactAnnotations(annotations: Record<string, string> | undefined, redacted: string): Record<string, string> | undefined {
  const kept = Object.entries(annotations ?? {}).flatMap(([k, v]): [string, string][] =>
    KEPT_WITH_VALUE.has(k) ? [[k, v]] : KEPT_KEY_PREFIXES.some((p) => k.startsWith(p)) ? [[k, redacted]] : [],
  );
  return kept.length ? Object.fromEntries(kept) : undefined;
}
