import type { Evidence, Finding } from '../../model/finding.ts';
import type { Drift, FindingRule, FindingRuleMeta } from './context.ts';
import { serviceEvidence, stepEvidence, svcName } from './context.ts';
import { uniqueEvidence } from './merge.ts';

const meta: FindingRuleMeta = {
  id: 'dataplane-stale',
  severities: ['error'],
  description: "A node's rules differ from what kube-proxy should program from the API objects.",
  docs: 'docs/findings.md#dataplane-stale',
};

/**
 * The node's rules disagree with the API: kube-proxy is stale, stopped, or something else edits
 * the rules. One finding per cause (the same endpoints missing or extra), however many paths
 * and nodes show it: one removed pod seen on five paths is one problem, with all five as evidence.
 */
export const dataplaneStale: FindingRule = {
  meta,
  check: ({ service, drifts }) => {
    const byCause = new Map<string, Drift[]>();
    for (const d of drifts) {
      const cause = JSON.stringify([[...d.onlyInDataplane].sort(), [...d.onlyInModel].sort()]);
      byCause.set(cause, [...(byCause.get(cause) ?? []), d]);
    }
    return [...byCause.values()].map((group): Finding => {
      const evidence: Evidence[] = [];
      for (const d of group) {
        evidence.push(serviceEvidence(service, `${d.path.entry} ${d.path.address}:${d.path.port} on ${d.path.node}`));
        for (const o of d.path.outcomes) {
          const last = o.steps[o.steps.length - 1];
          if (last) evidence.push(stepEvidence(last));
        }
      }
      const { onlyInDataplane, onlyInModel } = group[0]!;
      const parts = [];
      if (onlyInDataplane.length) parts.push(`rules send traffic to ${onlyInDataplane.join(', ')} which the EndpointSlices do not list as usable`);
      if (onlyInModel.length) parts.push(`EndpointSlices list ${onlyInModel.join(', ')} which the rules do not reach`);
      const nodes = [...new Set(group.map((d) => d.path.node))];
      const where = nodes.map((node) => {
        const paths = [...new Set(group.filter((d) => d.path.node === node).map((d) => `${d.path.entry} ${d.path.address}:${d.path.port}`))];
        return `on ${node} (${paths.join(', ')})`;
      });
      return {
        id: meta.id,
        severity: 'error',
        message: `${svcName(service)} ${where.join('; ')}: the dataplane differs from the API: ${parts.join('; ')}.`,
        evidence: uniqueEvidence(evidence),
        remediation: `Check kube-proxy on ${nodes.join(', ')}: is it running and syncing (kubectl -n kube-system logs of its pod; curl 127.0.0.1:10256/healthz on the node)? A stale dataplane keeps sending traffic to gone pods (timeouts) or never to new ones.`,
      };
    });
  },
};
