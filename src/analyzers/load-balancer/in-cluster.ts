import type { V1Service } from '@kubernetes/client-node';
import type { Detection } from './detection.ts';
import { IP_MODE_DOC } from './detect-load-balancer.ts';
import type { InCluster } from './types.ts';

/**
 * A pod connecting to the service's load-balancer address: kube-proxy programs an IP-based
 * ingress with ipMode VIP (or unset) and DNATs the connection on the pod's own node; with
 * ipMode Proxy, or a hostname-only ingress, it leaves for the load balancer and comes back.
 * Coming back with the client's address kept, to a target on the client's own node, the reply
 * goes straight to the pod and the connection hangs (hairpin).
 */
export function inClusterPath(service: V1Service, d: Detection): InCluster {
  const ingress = service.status?.loadBalancer?.ingress ?? [];
  const proxy = ingress.filter((i) => i.ip && i.ipMode === 'Proxy');
  const hostnameOnly = ingress.length > 0 && ingress.every((i) => !i.ip);
  if (proxy.length === 0 && !hostnameOnly) {
    const reason =
      ingress.length === 0
        ? 'the service has no load-balancer address yet'
        : `kube-proxy programs the load-balancer IP (ipMode ${ingress.find((i) => i.ipMode)?.ipMode ?? 'unset, VIP'}): a pod's connection is translated on its own node and never reaches the load balancer (${IP_MODE_DOC})`;
    return { path: 'short-circuit', hairpinRisk: false, reason };
  }
  const why = hostnameOnly
    ? `the ingress is a hostname only (${ingress.map((i) => i.hostname).join(', ')}): kube-proxy has no IP to program`
    : `ipMode Proxy on ${proxy.map((i) => i.ip).join(', ')}: kube-proxy does not program it (${IP_MODE_DOC})`;
  const hairpinRisk = d.preservesClientIP;
  const risk = d.assumed
    ? `; if the unknown load balancer keeps the client's address, a connection it sends to a target on the client's own node is answered directly by that node and can hang (hairpin)`
    : hairpinRisk
    ? `; the load balancer keeps the client's address, so a connection it sends to a target on the client's own node is answered directly by that node and can hang (hairpin)`
    : '; the load balancer replaces the client address, so replies return through it';
  return { path: 'via-load-balancer', hairpinRisk, reason: `${why}${risk}` };
}
