import type { Evidence } from '../../model/finding.ts';
import type { FindingRule, FindingRuleMeta } from './context.ts';
import { serviceEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'topology-aware-routing',
  severities: ['info'],
  description: 'Topology-aware routing (hints, trafficDistribution) narrows which endpoints ClusterIP traffic reaches.',
  docs: 'docs/findings.md#topology-aware-routing',
};

/**
 * Topology-aware routing (EndpointSlice hints, trafficDistribution): ClusterIP traffic from some
 * nodes reaches only part of the ready endpoints. Says where, so a skewed load is not a mystery.
 */
export const topologyAwareRouting: FindingRule = {
  meta,
  check: ({ service, endpoints, paths }) => {
    const hinted = endpoints.filter((e) => e.zoneHints.length || e.nodeHints.length);
    if (hinted.length === 0 && service.trafficDistribution === null) return [];
    const ready = new Set(endpoints.filter((e) => e.ready).map((e) => `${e.ip}:${e.port}`));
    const narrowed = paths
      .filter((p) => p.entry === 'ClusterIP')
      .map((p) => ({ p, reached: p.outcomes.filter((o) => o.verdict === 'DNAT' && o.probability > 0 && o.endpoint) }))
      .filter(({ reached }) => reached.length > 0 && reached.length < ready.size);
    const evidence: Evidence[] = [
      serviceEvidence(service, service.trafficDistribution ? `spec.trafficDistribution=${service.trafficDistribution}` : 'EndpointSlice hints present'),
      ...hinted.map((e): Evidence => ({
        kind: 'endpointslice',
        namespace: service.namespace,
        name: e.slice,
        endpoint: `${e.ip}:${e.port}`,
        detail: [e.zoneHints.length ? `forZones ${e.zoneHints.join(',')}` : '', e.nodeHints.length ? `forNodes ${e.nodeHints.join(',')}` : ''].filter(Boolean).join('; '),
      })),
    ];
    const where = narrowed.map(({ p, reached }) => `${p.node} -> ${reached.map((o) => o.endpoint?.pod ?? o.endpoint?.ip).join(', ')}`);
    return [
      {
        id: meta.id,
        severity: 'info',
        message: narrowed.length
          ? `${svcName(service)} uses topology-aware routing: ClusterIP traffic stays close to its source (${where.join('; ')}); endpoints in other zones/nodes get none of it.`
          : `${svcName(service)} asks for topology-aware routing${service.trafficDistribution ? ` (trafficDistribution ${service.trafficDistribution})` : ''}, but every node still reaches all ready endpoints (hints missing, incomplete, or not matching the nodes).`,
        evidence,
        remediation: narrowed.length
          ? 'Keep enough endpoints in every zone for its local traffic; a zone with many clients and few pods overloads them.'
          : 'The EndpointSlice controller writes hints only when every zone can get a fair share of endpoints; check the slices\' hints and the nodes\' topology.kubernetes.io/zone labels.',
      },
    ];
  },
};
