import type { Evidence, Finding } from '../../model/finding.ts';
import type { FindingRule } from './context.ts';
import { svcName } from './context.ts';

/** Facts about the nodes' kube-proxy: mode disagreements, mixed modes, userspace, unparsed rules. */
export const dataplaneHealth: FindingRule = ({ service, nodeViews }) => {
  const findings: Finding[] = [];
  const modes = new Map<string, string[]>();
  for (const v of nodeViews) {
    if (v.mode) modes.set(v.mode, [...(modes.get(v.mode) ?? []), v.node]);
    for (const problem of v.problems) {
      findings.push({
        id: 'proxy-mode-mismatch',
        severity: 'warning',
        message: `${v.node}: ${problem}.`,
        evidence: [{ kind: 'node', node: v.node, detail: `reported mode ${v.reportedMode ?? 'unknown'}; dump at ${v.location ?? 'none'}` }],
        remediation: 'Check kube-proxy\'s configured mode (kube-system/kube-proxy ConfigMap, --proxy-mode) and its logs; left-over rules of another mode can be removed with kube-proxy --cleanup.',
      });
    }
    for (const n of v.walker?.notices() ?? []) {
      findings.push({
        id: 'dump-not-understood',
        severity: 'warning',
        message: `${v.node}: ${n.message} — netpath could not evaluate this, so answers that pass it are conditional.`,
        evidence: [{ kind: 'node', node: v.node, detail: `${n.file}${n.line === null ? '' : `:${n.line}`}` }],
        remediation: 'Read that rule by hand; please report it so netpath learns it.',
      });
    }
  }
  if (modes.size > 1) {
    const evidence: Evidence[] = [...modes].flatMap(([mode, nodes]) => nodes.map((node) => ({ kind: 'node' as const, node, detail: `kube-proxy mode ${mode}` })));
    findings.push({
      id: 'mixed-proxy-modes',
      severity: 'warning',
      message: `Nodes run different kube-proxy modes (${[...modes].map(([m, n]) => `${m}: ${n.join(', ')}`).join('; ')}): ${svcName(service)} may behave differently per node (e.g. IPVS falls back to remote endpoints where iptables/nftables drop); compare the paths per node.`,
      evidence,
      remediation: 'Converge kube-proxy\'s mode across nodes (one ConfigMap, restart kube-proxy everywhere) unless you are mid-migration.',
    });
  }
  const userspace = modes.get('userspace');
  if (userspace) {
    findings.push({
      id: 'userspace-mode',
      severity: 'warning',
      message: `${userspace.join(', ')} run kube-proxy's userspace mode (removed in Kubernetes 1.26): every connection is terminated and re-opened by kube-proxy itself, round robin, the source IP is always lost and each byte is copied through user space.`,
      evidence: userspace.map((node) => ({ kind: 'node' as const, node, detail: 'KUBE-PORTALS-* chains in iptables-save' })),
      remediation: 'Upgrade kube-proxy and switch to --proxy-mode=nftables (or iptables on kernels older than 5.13).',
    });
  }
  return findings;
};
