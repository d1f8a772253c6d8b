/** kube-proxy modes netpath knows; userspace was removed in Kubernetes 1.26 but still seen. */
export type ProxyMode = 'iptables' | 'nftables' | 'ipvs' | 'userspace';

export const PROXY_MODES: readonly ProxyMode[] = ['iptables', 'nftables', 'ipvs', 'userspace'];
