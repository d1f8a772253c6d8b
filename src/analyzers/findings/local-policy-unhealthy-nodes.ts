import type { Evidence } from '../../model/finding.ts';
import type { FindingRule, FindingRuleMeta } from './context.ts';
import { ASSUMED_LB, decisiveStep, entryShares, entryWords, pct, probesHealthCheckNodePort, serviceEvidence, stepEvidence, svcName } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'local-policy-unhealthy-nodes',
  severities: ['error', 'warning'],
  description: 'externalTrafficPolicy Local: nodes without a ready local endpoint fail the health check and drop.',
  docs: 'docs/findings.md#local-policy-unhealthy-nodes',
};

/**
 * externalTrafficPolicy Local: nodes without a local ready endpoint answer 503 on
 * healthCheckNodePort. What that does depends on the load balancer in front: one probing that
 * port avoids them; one sending to pods never meets them; one probing nothing (MetalLB, kube-vip)
 * keeps delivering to them and kube-proxy drops it.
 */
export const localPolicyUnhealthyNodes: FindingRule = {
  meta,
  check: ({ service, nodes, paths, endpoints, loadBalancer: lb }) => {
    if (service.externalTrafficPolicy !== 'Local' || service.healthCheckNodePort === null) return [];
    // ip targets: the load balancer probes and sends to pods; kube-proxy's answer steers nothing.
    if (lb?.entry === 'pods') return [];
    const failing = nodes.filter((n) => n.healthCheck.status === 503);
    if (failing.length === 0) return [];
    const all = failing.length === nodes.length;
    const evidence: Evidence[] = [
      serviceEvidence(service, `spec.externalTrafficPolicy=Local, healthCheckNodePort=${service.healthCheckNodePort}`),
    ];
    for (const n of failing) {
      evidence.push({ kind: 'node', node: n.name, detail: `${n.readyLocalEndpoints} ready local endpoints: health check answers 503 (${n.healthCheck.reason})` });
      const drop = paths
        .filter((p) => p.node === n.name && p.entry !== 'ClusterIP')
        .flatMap((p) => p.outcomes)
        .find((o) => o.verdict === 'DROP');
      const step = drop && decisiveStep(drop);
      if (step) evidence.push(stepEvidence(step));
    }
    const names = failing.map((n) => n.name).join(', ');
    if (lb && !lb.assumed && !probesHealthCheckNodePort(lb, service)) {
      const shares = entryShares(lb);
      const dropped = failing.filter((n) => shares.has(n.name));
      if (dropped.length === 0 && failing.length < nodes.length) return [];
      const droppedShare = dropped.reduce((a, n) => a + (shares.get(n.name) ?? 0), 0);
      const all = failing.length === nodes.length || droppedShare >= 1 - 1e-9;
      for (const n of dropped) evidence.push({ kind: 'node', node: n.name, detail: `receives ${pct(shares.get(n.name) ?? 0)} of load-balancer traffic (${lb.implementation}, entry ${lb.entry}, no health check of healthCheckNodePort)` });
      const where = dropped.length ? `${pct(droppedShare)} of it enters ${dropped.map((n) => n.name).join(', ')}` : 'no node with a ready local endpoint receives it';
      return [
        {
          id: meta.id,
          severity: all ? 'error' : 'warning',
          message: `${svcName(service)}: ${failing.length} of ${nodes.length} nodes (${names}) have no ready local endpoint, and the load balancer does not avoid them: ${entryWords(lb)} without probing healthCheckNodePort ${service.healthCheckNodePort}; ${where}, where kube-proxy DROPS it (externalTrafficPolicy Local)${all ? ': external traffic fails' : ''}.`,
          evidence,
          remediation:
            lb.entry === 'single-node'
              ? 'Run a ready pod on the node that holds the address (or let the announcement move to one that has a pod), or use externalTrafficPolicy: Cluster.'
              : 'Run a ready pod on every node that receives load-balancer traffic (a DaemonSet, or node affinity to the advertising nodes), or use externalTrafficPolicy: Cluster.',
        },
      ];
    }
    const assumed = lb?.assumed ? ASSUMED_LB : '';
    // Ready endpoints that sit on no node the load balancer targets (or on no node at all).
    const strays = endpoints.filter((e) => e.ready && !nodes.some((n) => n.name === e.node));
    const why = strays.length
      ? `its ready endpoints (${strays.map((e) => `${e.pod ?? e.ip} on ${e.node ?? 'no node'}`).join(', ')}) are not on any node the load balancer targets`
      : 'no pod of it is ready';
    return [
      {
        id: meta.id,
        severity: all ? 'error' : 'warning',
        message: all
          ? `${svcName(service)}: no node has a ready local endpoint (${why}), so every node answers 503 on healthCheckNodePort ${service.healthCheckNodePort}; the load balancer has no healthy target and external traffic fails${assumed}.`
          : `${svcName(service)}: ${failing.length} of ${nodes.length} nodes (${names}) have no ready local endpoint: kube-proxy answers 503 on healthCheckNodePort ${service.healthCheckNodePort}, the load balancer marks them unhealthy, and traffic that still reaches them from outside is dropped${assumed}.`,
        evidence,
        remediation: all
          ? strays.length
            ? 'Schedule the pods on nodes the load balancer targets (check nodeSelector/affinity and the exclude-from-external-load-balancers label), or use externalTrafficPolicy: Cluster.'
            : 'Make the pods ready (kubectl describe pod: readiness probe, crash loop), or switch to externalTrafficPolicy: Cluster while investigating.'
          : 'This is expected under Local policy when pods do not run everywhere; the load balancer should stop sending to those nodes. If it does not (health check pointed at the wrong port or path), fix the LB health check to use HTTP on healthCheckNodePort; spread pods (topologySpreadConstraints / anti-affinity) to cover more nodes.',
      },
    ];
  },
};
