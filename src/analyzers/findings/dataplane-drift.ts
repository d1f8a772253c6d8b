import type { Evidence } from '../../model/finding.ts';
import type { FindingRule } from './context.ts';
import { serviceEvidence, stepEvidence, svcName } from './context.ts';

/** The node's rules disagree with the API: kube-proxy is stale, stopped, or something else edits the rules. */
export const dataplaneDrift: FindingRule = ({ service, drifts }) =>
  drifts.map((d) => {
    const evidence: Evidence[] = [serviceEvidence(service, `${d.path.entry} ${d.path.address}:${d.path.port} on ${d.path.node}`)];
    for (const o of d.path.outcomes) {
      const last = o.steps[o.steps.length - 1];
      if (last) evidence.push(stepEvidence(last));
    }
    const parts = [];
    if (d.onlyInDataplane.length) parts.push(`rules send traffic to ${d.onlyInDataplane.join(', ')} which the EndpointSlices do not list as usable`);
    if (d.onlyInModel.length) parts.push(`EndpointSlices list ${d.onlyInModel.join(', ')} which the rules do not reach`);
    return {
      id: 'dataplane-stale',
      severity: 'error' as const,
      message: `${svcName(service)} on ${d.path.node} (${d.path.entry} ${d.path.address}:${d.path.port}): the dataplane differs from the API: ${parts.join('; ')}.`,
      evidence,
      remediation: `Check kube-proxy on ${d.path.node}: is it running and syncing (kubectl -n kube-system logs of its pod; curl 127.0.0.1:10256/healthz on the node)? A stale dataplane keeps sending traffic to gone pods (timeouts) or never to new ones.`,
    };
  });
