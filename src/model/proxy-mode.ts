/**
 * A kube-proxy mode netpath can read: the `mode` of a registered dataplane module
 * (src/dataplane/registry.ts: iptables, nftables, ipvs, userspace). A string, so that a module
 * registered at run time (registerDataplane) is one as well; isProxyMode checks a value.
 */
export type ProxyMode = string;
