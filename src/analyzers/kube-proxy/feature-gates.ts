/**
 * The kube-proxy feature gates that change endpoint selection. Defaults are those of
 * Kubernetes 1.34+: PreferSameTrafficDistribution beta (on) in 1.34 and GA in 1.35 (KEP-3015),
 * LoadBalancerIPMode beta (on) in 1.30 and GA in 1.32 (KEP-1860).
 */
export interface FeatureGates {
  /** kube-proxy honours EndpointSlice `hints.forNodes` (trafficDistribution: PreferSameNode). */
  PreferSameTrafficDistribution: boolean;
  /** kube-proxy skips LoadBalancer ingress IPs with `ipMode: Proxy`. */
  LoadBalancerIPMode: boolean;
}

export const DEFAULT_FEATURE_GATES: FeatureGates = {
  PreferSameTrafficDistribution: true,
  LoadBalancerIPMode: true,
};

/** Gates from the kube-proxy config, defaults for the rest, and a sentence per default used. */
export function resolveFeatureGates(raw: Record<string, boolean> | undefined): {
  gates: FeatureGates;
  assumptions: string[];
} {
  const gates = { ...DEFAULT_FEATURE_GATES };
  const assumptions: string[] = [];
  for (const name of Object.keys(DEFAULT_FEATURE_GATES) as (keyof FeatureGates)[]) {
    const value = raw?.[name];
    if (typeof value === 'boolean') gates[name] = value;
    else assumptions.push(`feature gate ${name}=${gates[name]} assumed (default since Kubernetes 1.34)`);
  }
  return { gates, assumptions };
}
