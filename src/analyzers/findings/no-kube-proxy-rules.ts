import type { Finding } from '../../model/finding.ts';
import type { FindingRule, FindingRuleMeta } from './context.ts';
import { svcName } from './context.ts';

/** What each dump would hold if kube-proxy programmed it (the marks the mode detection looks for). */
const KUBE_PROXY_MARK: Record<string, string> = {
  'iptables-save.txt': 'no KUBE-SERVICES chain in its nat table',
  'nft.json': 'no kube-proxy table',
  'ipvsadm.txt': 'no virtual server',
  'ipset.txt': 'read with the IPVS dump only',
};

const meta: FindingRuleMeta = {
  id: 'no-kube-proxy-rules',
  severities: ['warning'],
  description: 'A well-formed dataplane dump holds no kube-proxy rules at all.',
  docs: 'docs/findings.md#no-kube-proxy-rules',
};

/**
 * A well-formed dump without any kube-proxy rule: not stale kube-proxy rules (nothing to clean
 * up) but a node whose Services are implemented elsewhere, or not at all. How to tell which:
 * - kube-proxy in another mode: its /proxyMode answer and the marks each mode leaves
 *   (pkg/proxy/iptables: nat KUBE-SERVICES; pkg/proxy/nftables: table ip/ip6 kube-proxy;
 *   pkg/proxy/ipvs: virtual servers and the kube-ipvs0 dummy interface).
 * - Cilium's kube-proxy replacement: Services live in eBPF maps; `cilium status` reports
 *   "KubeProxyReplacement: True" (cilium/cilium#10059, docs.cilium.io network/kubernetes/kubeproxy-free),
 *   clusters built for it skip kube-proxy (kubeadm --skip-phases=addon/kube-proxy).
 * - Calico's eBPF data plane: FelixConfiguration default `bpfEnabled: true` (operator:
 *   Installation spec.calicoNetwork.linuxDataplane BPF); kube-proxy is kept off the nodes with a
 *   nodeSelector on its DaemonSet, and Felix removes kube-proxy's iptables rules
 *   (docs.tigera.io calico/latest/operations/ebpf/enabling-ebpf).
 */
export const noKubeProxyRules: FindingRule = {
  meta,
  check: ({ service, nodeViews }) => {
    const bare = nodeViews.filter((v) => (v.withoutKubeProxyRules ?? []).length > 0);
    if (bare.length === 0) return [];
    const names = bare.map((v) => v.node).join(', ');
    const finding: Finding = {
      id: meta.id,
      severity: 'warning',
      message:
        `${names}: the dataplane dump is well-formed but holds no kube-proxy rules at all, so nothing there implements ${svcName(service)} the way kube-proxy does; ` +
        `netpath answers ${bare.length === 1 ? 'this node' : 'these nodes'} from the API objects (basis model), which holds only if another Service implementation behaves like kube-proxy.`,
      evidence: bare.map((v) => ({
        kind: 'node' as const,
        node: v.node,
        detail:
          (v.withoutKubeProxyRules ?? []).map((f) => `${v.location ?? ''}${v.location ? '/' : ''}${f}: ${KUBE_PROXY_MARK[f] ?? 'no kube-proxy rules'}`).join('; ') +
          (v.reportedMode ? `; kube-proxy reports mode ${v.reportedMode}` : '; no /proxyMode answer'),
      })),
      remediation:
        'Find what implements Services on these nodes. (1) kube-proxy in another mode than the dump shows: curl 127.0.0.1:10249/proxyMode on the node; ' +
        'iptables mode leaves chain KUBE-SERVICES in iptables-save -t nat (try iptables-legacy-save and iptables-nft-save), nftables mode a table ip kube-proxy in nft list ruleset, ' +
        'IPVS mode virtual servers in ipvsadm -Ln and a kube-ipvs0 interface. (2) A kube-proxy replacement: Cilium (kubectl -n kube-system get ds cilium; cilium status shows KubeProxyReplacement: True; ' +
        'its Services are eBPF maps, cilium-dbg service list), Calico eBPF (kubectl get felixconfiguration default -o yaml shows bpfEnabled: true, or Installation spec.calicoNetwork.linuxDataplane: BPF). ' +
        '(3) No kube-proxy on the node: kubectl -n kube-system get ds kube-proxy (absent, or its nodeSelector skips the node), or its pod there is not running yet. ' +
        'These are not stale kube-proxy rules: there is nothing of kube-proxy to clean up.',
    };
    return [finding];
  },
};
