import type { Finding } from '../../model/finding.ts';
import type { FindingContext, FindingRule } from './context.ts';
import { clusterPolicySnat } from './cluster-policy-snat.ts';
import { dataplaneDrift } from './dataplane-drift.ts';
import { dataplaneHealth } from './dataplane-health.ts';
import { endpointDuplicated } from './endpoint-duplicated.ts';
import { endpointNodeMismatch } from './endpoint-node-mismatch.ts';
import { endpointReadiness } from './endpoint-readiness.ts';
import { healthObserved } from './health-observed.ts';
import { internalLocalDrop } from './internal-local-drop.ts';
import { localImbalance } from './local-imbalance.ts';
import { localPolicyHealth } from './local-policy-health.ts';
import { mergeFindings } from './merge.ts';
import { noEndpoints } from './no-endpoints.ts';
import { noKubeProxyRules } from './no-kube-proxy-rules.ts';
import { serviceKind } from './service-kind.ts';
import { sessionAffinity } from './session-affinity.ts';
import { sourceRanges } from './source-ranges.ts';
import { topology } from './topology.ts';

const RULES: readonly FindingRule[] = [
  serviceKind,
  noEndpoints,
  dataplaneDrift,
  localPolicyHealth,
  healthObserved,
  internalLocalDrop,
  endpointReadiness,
  endpointNodeMismatch,
  endpointDuplicated,
  localImbalance,
  sourceRanges,
  topology,
  clusterPolicySnat,
  sessionAffinity,
  dataplaneHealth,
  noKubeProxyRules,
];

const ORDER = { error: 0, warning: 1, info: 2 } as const;

/** All findings for one service, one per cause, most severe first (stable within a severity). */
export function findServiceFindings(ctx: FindingContext): Finding[] {
  return mergeFindings(RULES.flatMap((rule) => rule(ctx))).sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

export type { EndpointFact, EndpointPlacement, Drift, FindingContext } from './context.ts';
