import type { Evidence, Finding } from '../../model/finding.ts';
import type { FindingRule, FindingRuleMeta } from './context.ts';
import { svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'endpoint-node-mismatch',
  severities: ['warning'],
  description: "An EndpointSlice's nodeName is not the node where the endpoint's address lives.",
  docs: 'docs/findings.md#endpoint-node-mismatch',
};

/**
 * An EndpointSlice whose nodeName is not where the endpoint runs (hand-made slices, a stale
 * mirror). kube-proxy decides "local" from the slice alone (pkg/proxy/endpointslicecache.go
 * addEndpoints: isLocal = nodeName == hostname), so its rules and its health check follow the
 * slice, while a packet DNATed to the address is routed to where the pod really is.
 */
export const endpointNodeMismatch: FindingRule = {
  meta,
  check: ({ service, placements }) => {
    const seen = new Set<string>();
    const findings: Finding[] = [];
    for (const e of placements) {
      const home = e.home;
      if (!home || home.node === e.sliceNode) continue;
      const key = `${e.slice}|${e.ip}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const what = home.pod
        ? `pod ${home.pod.namespace}/${home.pod.name} runs on ${home.node}`
        : home.basis === 'node'
          ? `${e.ip} is an address of node ${home.node}`
          : `${e.ip} is in the podCIDR of ${home.node}`;
      const rules = e.sliceNode
        ? `kube-proxy on ${e.sliceNode} counts this copy as a local endpoint (Local policies, health check node port), other nodes as remote`
        : 'with no nodeName kube-proxy counts this copy local on no node (Local policies and health checks never see it)';
      const evidence: Evidence[] = [
        { kind: 'endpointslice', namespace: service.namespace, name: e.slice, endpoint: e.ip, detail: `nodeName ${e.sliceNode ?? 'unset'}` },
        home.pod
          ? { kind: 'pod', namespace: home.pod.namespace, name: home.pod.name, detail: `spec.nodeName ${home.node}, IP ${e.ip}` }
          : { kind: 'node', node: home.node, detail: home.basis === 'node' ? `has address ${e.ip}` : `podCIDR contains ${e.ip}` },
      ];
      findings.push({
        id: meta.id,
        severity: 'warning',
        message: `${svcName(service)}: EndpointSlice ${e.slice} puts ${e.ip} on ${e.sliceNode ?? 'no node'}, but ${what}. The rules follow the slice: ${rules}. Packets follow the pod: connections DNATed to ${e.ip} go to ${home.node}.`,
        evidence,
        remediation: `Correct nodeName in EndpointSlice ${service.namespace}/${e.slice} to ${home.node} (no controller fixes a hand-made slice), or give the Service a selector and let the EndpointSlice controller write its slices.`,
      });
    }
    return findings;
  },
};
