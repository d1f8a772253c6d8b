/**
 * A deterministic synthetic cluster: N single-port TCP services with M endpoints each, spread
 * over three nodes, with the mix of service kinds a real cluster has. Every generator (API
 * objects, iptables, nftables, IPVS) derives its output from this one description.
 */

export type ServiceKind =
  /** ClusterIP, Cluster policy. */
  | 'cluster-ip'
  /** ClusterIP with sessionAffinity ClientIP (iptables `-m recent`, nft affinity sets). */
  | 'affinity'
  /** NodePort, externalTrafficPolicy Cluster. */
  | 'node-port'
  /** LoadBalancer, externalTrafficPolicy Local, with a healthCheckNodePort. */
  | 'lb-local'
  /** LoadBalancer, externalTrafficPolicy Cluster, with loadBalancerSourceRanges (KUBE-FW-/firewall- chain). */
  | 'lb-source-ranges';

export interface BenchNode {
  name: string;
  ip: string;
  podCIDR: string;
}

export interface BenchEndpoint {
  ip: string;
  port: number;
  node: string;
  pod: string;
}

export interface BenchService {
  index: number;
  namespace: string;
  name: string;
  kind: ServiceKind;
  clusterIP: string;
  port: number;
  portName: string;
  nodePort: number | null;
  healthCheckNodePort: number | null;
  loadBalancerIP: string | null;
  sourceRanges: string[];
  /** Sorted as kube-proxy sorts them: by "IP:port", as strings. */
  endpoints: BenchEndpoint[];
}

export interface ClusterSpec {
  services: BenchService[];
  /** The order kube-proxy wrote them in (Go map iteration: effectively random, here seeded). */
  order: BenchService[];
  nodes: BenchNode[];
  clusterCIDR: string;
  serviceCIDR: string;
  /** kube-proxy drops per-endpoint comments above 1000 endpoints (largeClusterEndpointsThreshold). */
  largeClusterMode: boolean;
}

export const NODES: readonly BenchNode[] = [0, 1, 2].map((n) => ({
  name: `node-${n}`,
  ip: `192.168.10.${10 + n}`,
  // A /15 per node: 20,000 services x 10 endpoints put about 70,000 pods on a node.
  podCIDR: `10.${200 + 2 * n}.0.0/15`,
}));

const KIND_BY_SLOT: readonly ServiceKind[] = [
  ...Array<ServiceKind>(11).fill('cluster-ip'),
  'affinity',
  ...Array<ServiceKind>(4).fill('node-port'),
  ...Array<ServiceKind>(3).fill('lb-local'),
  'lb-source-ranges',
];

const ENDPOINT_PORT = 8080;
const SERVICE_PORT = 80;
/**
 * A widened --service-node-port-range: 40% of the services are external (a NodePort each, a
 * health-check port for the Local ones), 8,000 + 3,000 ports at 20,000 services, beyond the default 30000-32767.
 */
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 65535;

/** mulberry32: a small seeded PRNG, so the same size always yields the same cluster. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ipv4 = (base: [number, number], k: number) => `${base[0]}.${base[1] + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`;

export function clusterSpec(serviceCount: number, endpointsPerService: number): ClusterSpec {
  const podCounter = NODES.map(() => 2);
  let nodePorts = NODE_PORT_MIN;
  let healthPorts = NODE_PORT_MAX;
  const allocNodePort = () => nodePorts++;
  const allocHealthPort = () => healthPorts--;
  let lbCount = 0;
  const services: BenchService[] = [];
  for (let i = 0; i < serviceCount; i++) {
    const kind = KIND_BY_SLOT[i % KIND_BY_SLOT.length]!;
    const namespace = `team-${i % 25}`;
    const name = `svc-${i}`;
    // About 1% of services have no endpoints at all (REJECT rules, no-endpoint map elements).
    const count = i % 97 === 42 ? 0 : endpointsPerService;
    const endpoints: BenchEndpoint[] = [];
    for (let j = 0; j < count; j++) {
      // Half of the Local services have no endpoint on node-0: external traffic there is dropped.
      const node = kind === 'lb-local' && i % 2 === 1 ? 1 + (j % 2) : (i + j) % NODES.length;
      const k = podCounter[node]!++;
      const ip = `10.${200 + 2 * node + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`;
      endpoints.push({ ip, port: ENDPOINT_PORT, node: NODES[node]!.name, pod: `${name}-${j}` });
    }
    endpoints.sort((a, b) => (`${a.ip}:${a.port}` < `${b.ip}:${b.port}` ? -1 : 1));
    const external = kind === 'node-port' || kind === 'lb-local' || kind === 'lb-source-ranges';
    const lb = kind === 'lb-local' || kind === 'lb-source-ranges';
    services.push({
      index: i,
      namespace,
      name,
      kind,
      clusterIP: ipv4([10, 96], i + 10),
      port: SERVICE_PORT,
      portName: 'http',
      nodePort: external ? allocNodePort() : null,
      healthCheckNodePort: kind === 'lb-local' ? allocHealthPort() : null,
      loadBalancerIP: lb ? ipv4([172, 20], ++lbCount) : null,
      sourceRanges: kind === 'lb-source-ranges' ? ['198.51.100.0/24'] : [],
      endpoints,
    });
  }
  if (nodePorts > healthPorts) throw new Error(`${serviceCount} services need more node ports than ${NODE_PORT_MIN}-${NODE_PORT_MAX} holds`);
  const random = prng(serviceCount);
  const order = [...services];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const totalEndpoints = services.reduce((n, s) => n + s.endpoints.length, 0);
  return {
    services,
    order,
    nodes: [...NODES],
    clusterCIDR: '10.200.0.0/13',
    serviceCIDR: '10.96.0.0/12',
    largeClusterMode: totalEndpoints > 1000,
  };
}

/** `ns/name:port`, kube-proxy's ServicePortName.String(). */
export const portName = (s: BenchService) => `${s.namespace}/${s.name}:${s.portName}`;

/** The endpoints kube-proxy on `node` uses for Cluster policy and for Local policy (CategorizeEndpoints, all ready). */
export function categorize(s: BenchService, node: string): { cluster: BenchEndpoint[]; local: BenchEndpoint[] } {
  return { cluster: s.endpoints, local: s.endpoints.filter((e) => e.node === node) };
}

export const externalPolicyLocal = (s: BenchService) => s.kind === 'lb-local';

/** The service of `kind` (with endpoints) closest after the middle of kube-proxy's order. */
export function middleService(spec: ClusterSpec, kind: ServiceKind, node?: string): BenchService {
  const n = spec.order.length;
  for (let k = 0; k < n; k++) {
    const s = spec.order[(Math.floor(n / 2) + k) % n]!;
    if (s.kind === kind && s.endpoints.length > 0 && (!node || s.endpoints.some((e) => e.node === node))) return s;
  }
  throw new Error(`no ${kind} service with endpoints`);
}
