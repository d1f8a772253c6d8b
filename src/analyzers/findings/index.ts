import type { Finding } from '../../model/finding.ts';
import type { FindingContext, FindingRule } from './context.ts';
import { clusterPolicySnat } from './cluster-policy-snat.ts';
import { dataplaneStale } from './dataplane-stale.ts';
import { dumpNotUnderstood } from './dump-not-understood.ts';
import { endpointDuplicated } from './endpoint-duplicated.ts';
import { endpointNodeMismatch } from './endpoint-node-mismatch.ts';
import { endpointsNotReady } from './endpoints-not-ready.ts';
import { endpointsTerminating } from './endpoints-terminating.ts';
import { externalnameDnsOnly } from './externalname-dns-only.ts';
import { headlessNoProxy } from './headless-no-proxy.ts';
import { healthCheckDiffers } from './health-check-differs.ts';
import { internalLocalDrop } from './internal-local-drop.ts';
import { localPolicyImbalance } from './local-policy-imbalance.ts';
import { localPolicyUnhealthyNodes } from './local-policy-unhealthy-nodes.ts';
import { mergeFindings } from './merge.ts';
import { mixedProxyModes } from './mixed-proxy-modes.ts';
import { noEndpoints } from './no-endpoints.ts';
import { noKubeProxyRules } from './no-kube-proxy-rules.ts';
import { proxyModeMismatch } from './proxy-mode-mismatch.ts';
import { sessionAffinity } from './session-affinity.ts';
import { sourceBlockedByRanges } from './source-blocked-by-ranges.ts';
import { sourceRangesInEffect } from './source-ranges-in-effect.ts';
import { topologyAwareRouting } from './topology-aware-routing.ts';
import { userspaceMode } from './userspace-mode.ts';

/** Every rule, in the order its findings are listed within one severity. */
export const FINDING_RULES: readonly FindingRule[] = [
  externalnameDnsOnly,
  headlessNoProxy,
  noEndpoints,
  dataplaneStale,
  localPolicyUnhealthyNodes,
  healthCheckDiffers,
  internalLocalDrop,
  endpointsNotReady,
  endpointsTerminating,
  endpointNodeMismatch,
  endpointDuplicated,
  localPolicyImbalance,
  sourceBlockedByRanges,
  sourceRangesInEffect,
  topologyAwareRouting,
  clusterPolicySnat,
  sessionAffinity,
  proxyModeMismatch,
  dumpNotUnderstood,
  mixedProxyModes,
  userspaceMode,
  noKubeProxyRules,
];

const ORDER = { error: 0, warning: 1, info: 2 } as const;

/** All findings for one service, one per cause, most severe first (stable within a severity). */
export function findServiceFindings(ctx: FindingContext): Finding[] {
  return mergeFindings(FINDING_RULES.flatMap((rule) => rule.check(ctx))).sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

export type { EndpointFact, EndpointPlacement, Drift, FindingContext, FindingRule, FindingRuleMeta } from './context.ts';
