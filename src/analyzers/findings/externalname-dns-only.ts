import type { FindingRule, FindingRuleMeta } from './context.ts';
import { serviceEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'externalname-dns-only',
  severities: ['info'],
  description: 'ExternalName service: cluster DNS answers with a CNAME; kube-proxy programs nothing.',
  docs: 'docs/findings.md#externalname-dns-only',
};

/** ExternalName services never touch kube-proxy: say what resolves them instead. */
export const externalnameDnsOnly: FindingRule = {
  meta,
  check: ({ service }) => {
    if (service.type !== 'ExternalName') return [];
    return [
      {
        id: meta.id,
        severity: 'info',
        message: `${svcName(service)} is ExternalName: cluster DNS answers with a CNAME to ${service.externalName}; kube-proxy programs no rules and no port mapping happens.`,
        evidence: [serviceEvidence(service, `spec.type=ExternalName, spec.externalName=${service.externalName}`)],
        remediation: `Debug it with DNS (e.g. nslookup ${service.name}.${service.namespace}.svc from a pod) and check that ${service.externalName} resolves and listens on the port the client uses.`,
      },
    ];
  },
};
