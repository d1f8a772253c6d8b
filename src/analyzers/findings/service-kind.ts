import type { FindingRule } from './context.ts';
import { serviceEvidence, svcName } from './context.ts';

/** Headless and ExternalName services never touch kube-proxy: say what resolves them instead. */
export const serviceKind: FindingRule = ({ service }) => {
  if (service.type === 'ExternalName') {
    return [
      {
        id: 'externalname-dns-only',
        severity: 'info',
        message: `${svcName(service)} is ExternalName: cluster DNS answers with a CNAME to ${service.externalName}; kube-proxy programs no rules and no port mapping happens.`,
        evidence: [serviceEvidence(service, `spec.type=ExternalName, spec.externalName=${service.externalName}`)],
        remediation: `Debug it with DNS (e.g. nslookup ${service.name}.${service.namespace}.svc from a pod) and check that ${service.externalName} resolves and listens on the port the client uses.`,
      },
    ];
  }
  if (service.headless) {
    return [
      {
        id: 'headless-no-proxy',
        severity: 'info',
        message: `${svcName(service)} is headless (clusterIP: None): kube-proxy programs no rules; cluster DNS returns the ready pod IPs and the client itself picks one.`,
        evidence: [serviceEvidence(service, 'spec.clusterIP=None')],
        remediation:
          'Balance is whatever the client library does with the DNS answer (often the first address). If you need kube-proxy load balancing, give the service a ClusterIP.',
      },
    ];
  }
  return [];
};
