/** Contract 1 (shared/design.md): file names of a snapshot bundle. capture writes exactly these. */
export const CLUSTER_DIR = 'cluster';
export const NODES_DIR = 'nodes';

export const CLUSTER_FILES = {
  services: 'services.json',
  endpointSlices: 'endpointslices.json',
  nodes: 'nodes.json',
  pods: 'pods.json',
  kubeProxyConfig: 'kube-proxy-config.json',
} as const;

export const NODE_FILES = {
  proxyMode: 'proxy-mode',
  iptablesSave: 'iptables-save.txt',
  nftJson: 'nft.json',
  ipvsadm: 'ipvsadm.txt',
  ipset: 'ipset.txt',
  healthzDir: 'healthz',
  // Optional node state (issue 10): what the kernel and kube-proxy are doing now.
  conntrack: 'conntrack.txt',
  conntrackStats: 'conntrack-stats.txt',
  conntrackCount: 'conntrack-count',
  kubeProxyMetrics: 'kube-proxy-metrics.txt',
  kubeProxyHealthz: 'kube-proxy-healthz.json',
} as const;

/** Dump files a node directory may hold, in the order capture writes them. */
export const DUMP_FILES: readonly string[] = [
  NODE_FILES.iptablesSave,
  NODE_FILES.nftJson,
  NODE_FILES.ipvsadm,
  NODE_FILES.ipset,
  NODE_FILES.conntrack,
  NODE_FILES.conntrackStats,
  NODE_FILES.conntrackCount,
  NODE_FILES.kubeProxyMetrics,
  NODE_FILES.kubeProxyHealthz,
];
