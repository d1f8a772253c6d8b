import type { Finding } from '../../model/finding.ts';
import type { EndpointPlacement, FindingRule, FindingRuleMeta } from './context.ts';
import { svcName } from './context.ts';

const describe = (p: EndpointPlacement) => `${p.slice}: ${p.sliceNode ?? 'no nodeName'}, ${p.ready ? 'ready' : 'not ready'}`;

const meta: FindingRuleMeta = {
  id: 'endpoint-duplicated',
  severities: ['warning'],
  description: 'One address in several EndpointSlices that disagree on its node or readiness.',
  docs: 'docs/findings.md#endpoint-duplicated',
};

/**
 * One address listed by several EndpointSlices that disagree on its node or readiness. kube-proxy
 * v1.36 merges a service's slices from a Go map and lets any non-terminating copy replace the one
 * it has (pkg/proxy/endpointslicecache.go addEndpoints: `!exists || !terminating`), so which copy
 * counts, and with it whether the endpoint is local on a node and what the health check answers,
 * can differ between nodes and between syncs. (v1.35 and older kept the copy naming the node.)
 */
export const endpointDuplicated: FindingRule = {
  meta,
  check: ({ service, placements }) => {
    const byIP = new Map<string, EndpointPlacement[]>();
    for (const p of placements) if (!p.terminating) byIP.set(p.ip, [...(byIP.get(p.ip) ?? []), p]);
    const findings: Finding[] = [];
    for (const [ip, copies] of byIP) {
      const nodes = new Set(copies.map((c) => c.sliceNode));
      const readiness = new Set(copies.map((c) => c.ready));
      if (copies.length < 2 || (nodes.size < 2 && readiness.size < 2)) continue;
      const last = copies[copies.length - 1]!;
      findings.push({
        id: meta.id,
        severity: 'warning',
        message:
          `${svcName(service)}: ${ip} is listed by ${copies.length} EndpointSlices that disagree (${copies.map(describe).join('; ')}). ` +
          `kube-proxy (v1.36) keeps whichever copy it merges last, in an order that differs between nodes and syncs, so where ${ip} counts as local ` +
          `(Local policies, health checks) can flip; netpath follows the last by name (${last.slice}). kube-proxy v1.35 and older keep the copy naming the node itself.`,
        evidence: copies.map((c) => ({ kind: 'endpointslice' as const, namespace: service.namespace, name: c.slice, endpoint: ip, detail: `nodeName ${c.sliceNode ?? 'unset'}, ${c.ready ? 'ready' : 'not ready'}` })),
        remediation: `Keep one EndpointSlice per address: delete or correct the stale or hand-made copy (kubectl get endpointslices -n ${service.namespace} -l kubernetes.io/service-name=${service.name} -o yaml).`,
      });
    }
    return findings;
  },
};
