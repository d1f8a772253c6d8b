/** Contract 1 (shared/design.md): file names of a snapshot bundle. capture writes exactly these. */
import { dumpFiles } from '../dataplane/registry.ts';

export const CLUSTER_DIR = 'cluster';
export const NODES_DIR = 'nodes';

export const CLUSTER_FILES = {
  services: 'services.json',
  endpointSlices: 'endpointslices.json',
  nodes: 'nodes.json',
  pods: 'pods.json',
  kubeProxyConfig: 'kube-proxy-config.json',
  // Optional load-balancer objects (issue 9): who implements the load balancer and how it targets.
  ingresses: 'ingresses.json',
  ingressClasses: 'ingressclasses.json',
  targetGroupBindings: 'targetgroupbindings.json',
  serviceL2Statuses: 'servicel2statuses.json',
  serviceBGPStatuses: 'servicebgpstatuses.json',
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
  // Optional node state (issue 10): what the kernel and kube-proxy are doing now.
  conntrack: 'conntrack.txt',
  conntrackStats: 'conntrack-stats.txt',
  conntrackCount: 'conntrack-count',
  kubeProxyMetrics: 'kube-proxy-metrics.txt',
  kubeProxyHealthz: 'kube-proxy-healthz.json',
  /** (optional, IPVS mode) per virtual and real server: connections scheduled, packets, bytes. */
  ipvsadmStats: 'ipvsadm-stats.txt',
  /** (optional, IPVS mode) per real server: IPVS connection entries now (ActiveConn, InActConn). */
  ipvsadmConnections: 'ipvsadm-conns.txt',
} as const;

/** The optional node-state files: what the kernel and kube-proxy are doing at the reading. */
export const NODE_STATE_FILES: readonly string[] = [
  NODE_FILES.conntrack,
  NODE_FILES.conntrackStats,
  NODE_FILES.conntrackCount,
  NODE_FILES.kubeProxyMetrics,
  NODE_FILES.kubeProxyHealthz,
  NODE_FILES.ipvsadmStats,
  NODE_FILES.ipvsadmConnections,
];

/** Dump files a node directory may hold, in the order capture writes them: the dataplanes' (their modules say which), then the node's. */
export const DUMP_FILES: readonly string[] = [
  ...dumpFiles().filter((d) => d.captured).map((d) => d.name),
  NODE_FILES.ipAddr,
  ...NODE_STATE_FILES,
];

/** The command whose output each dump file holds (capture runs these; errors on live reads name them). */
export const DUMP_COMMANDS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(dumpFiles().map((d) => [d.name, d.command.join(' ')])),
  // Capture reads kube-proxy's tables only, by several calls (dump-commands.ts); a bundle built by
  // hand with a full save or ruleset reads the same.
  [NODE_FILES.iptablesSave]: 'iptables-save -c -t nat; iptables-save -c -t filter',
  [NODE_FILES.nftJson]: 'nft -j list table ip kube-proxy; nft -j list table ip6 kube-proxy',
  [NODE_FILES.ipAddr]: 'ip -j addr',
  [NODE_FILES.proxyMode]: 'curl 127.0.0.1:10249/proxyMode',
  [NODE_FILES.conntrack]: 'conntrack -L -o extended',
  [NODE_FILES.conntrackStats]: 'conntrack -S',
  [NODE_FILES.conntrackCount]: 'cat /proc/sys/net/netfilter/nf_conntrack_{count,max}',
  [NODE_FILES.kubeProxyMetrics]: 'curl 127.0.0.1:10249/metrics',
  [NODE_FILES.kubeProxyHealthz]: 'curl 127.0.0.1:10256/healthz',
  [NODE_FILES.ipvsadmStats]: 'ipvsadm -Ln --stats --exact',
  [NODE_FILES.ipvsadmConnections]: 'ipvsadm -Ln',
};

/** NodeDump.location of a node read live (debug pod or local network namespace) rather than from a bundle. */
export const LIVE_LOCATION = 'live';
