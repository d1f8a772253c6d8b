import type { FindingRule, FindingRuleMeta } from './context.ts';
import { serviceEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'session-affinity',
  severities: ['info'],
  description: 'sessionAffinity ClientIP: returning clients stick to one endpoint, so shares hold for new clients only.',
  docs: 'docs/findings.md#session-affinity',
};

export const sessionAffinity: FindingRule = {
  meta,
  check: ({ service }) => {
    if (service.sessionAffinity.type !== 'ClientIP') return [];
    const t = service.sessionAffinity.timeoutSeconds ?? 10800;
    return [
      {
        id: meta.id,
        severity: 'info',
        message: `${svcName(service)} has sessionAffinity ClientIP (${t}s): shares shown are for new clients; a client that connected within ${t}s goes back to the same endpoint, so real traffic can be far from even.`,
        evidence: [serviceEvidence(service, `spec.sessionAffinity=ClientIP, timeoutSeconds=${t}`)],
        remediation:
          'Expect uneven load when few clients (or one NAT gateway) send most traffic; drop affinity or shorten timeoutSeconds if that is not wanted.',
      },
    ];
  },
};
