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
  /** (optional) `ip -j addr`: the node's own addresses, for addrtype LOCAL and NodePort matching. */
  ipAddr: 'ip-addr.json',
  healthzDir: 'healthz',
} as const;

/** Dump files a node directory may hold, in the order capture writes them. */
export const DUMP_FILES: readonly string[] = [
  NODE_FILES.iptablesSave,
  NODE_FILES.nftJson,
  NODE_FILES.ipvsadm,
  NODE_FILES.ipset,
  NODE_FILES.ipAddr,
];
