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

/** The command whose output each dump file holds (capture runs these; errors on live reads name them). */
export const DUMP_COMMANDS: Readonly<Record<string, string>> = {
  [NODE_FILES.iptablesSave]: 'iptables-save',
  [NODE_FILES.nftJson]: 'nft -j list ruleset',
  [NODE_FILES.ipvsadm]: 'ipvsadm -Sn',
  [NODE_FILES.ipset]: 'ipset list',
  [NODE_FILES.ipAddr]: 'ip -j addr',
  [NODE_FILES.proxyMode]: 'curl 127.0.0.1:10249/proxyMode',
};

/** NodeDump.location of a node read live (debug pod or local network namespace) rather than from a bundle. */
export const LIVE_LOCATION = 'live';
