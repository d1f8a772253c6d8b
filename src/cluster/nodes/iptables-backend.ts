/** Which iptables backend holds kube-proxy's rules on a node. */
export type IptablesBackend = 'legacy' | 'nft';

export interface BackendChoice {
  backend: IptablesBackend;
  /** Why, for --verbose and evidence. */
  reason: string;
}

/** kubelet (1.17+) creates one of these chains in the mangle table of the backend it uses. */
const KUBELET_CHAINS = /^:(KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY)\s/m;

/** Rule lines that kube-proxy (or kubelet) wrote: appended to, or jumping to, a KUBE- chain. */
function kubeRuleLines(save: string): number {
  let n = 0;
  for (const raw of save.split('\n')) {
    // `-save -c` puts each rule's [packets:bytes] first.
    const line = raw.replace(/^\[\d+:\d+\]\s+/, '');
    if (line.startsWith('-') && line.includes('KUBE-')) n++;
  }
  return n;
}

/**
 * The detection of kubernetes-sigs/iptables-wrappers, applied to the two `-save` outputs: the
 * kubelet hint chains decide first (nft checked before legacy, as the wrapper does); without them,
 * the backend with more rule lines wins, ties going to nft (the wrapper's default). The wrapper
 * counts every rule line; this counts only lines that mention KUBE- chains, because a host can
 * keep unrelated rules (Docker, firewalld) in the other backend and what matters here is where
 * kube-proxy wrote. Pass null for a variant whose binary is missing or failed.
 */
export function detectIptablesBackend(legacySave: string | null, nftSave: string | null): BackendChoice {
  if (nftSave !== null && KUBELET_CHAINS.test(nftSave)) {
    return { backend: 'nft', reason: 'kubelet hint chain (KUBE-IPTABLES-HINT/KUBE-KUBELET-CANARY) in iptables-nft-save' };
  }
  if (legacySave !== null && KUBELET_CHAINS.test(legacySave)) {
    return { backend: 'legacy', reason: 'kubelet hint chain (KUBE-IPTABLES-HINT/KUBE-KUBELET-CANARY) in iptables-legacy-save' };
  }
  const legacy = legacySave === null ? 0 : kubeRuleLines(legacySave);
  const nft = nftSave === null ? 0 : kubeRuleLines(nftSave);
  if (legacy > nft) return { backend: 'legacy', reason: `no hint chain; ${legacy} KUBE- rule lines in legacy vs ${nft} in nft` };
  return { backend: 'nft', reason: `no hint chain; ${nft} KUBE- rule lines in nft vs ${legacy} in legacy` };
}
