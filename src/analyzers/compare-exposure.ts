import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../model/cluster.ts';
import type { ExposureComparison, ExposureRow, ExposureShare, ExposureWay } from '../model/exposure.ts';
import type { EndpointRef } from '../model/outcome.ts';
import type { Basis, EntryKind, NodeReport, PathReport, ServiceExplanation } from '../model/results.ts';
import { explainService } from './explain.ts';
import type { ExplainInput } from './inputs.ts';
import { expectedWalkerOf } from './expected-walker.ts';
import { runFacts } from './run-facts.ts';
import { endpointsForPort, primaryFamily } from './kube-proxy/index.ts';
import type { ServicePortView, ServiceView } from './kube-proxy/index.ts';
import { loadBalancerSharesFromPaths } from './load-balancer-shares.ts';

/** Documentation addresses (RFC 5737) for the ClusterIP / load-balancer IP a hypothetical row needs. */
const HYPOTHETICAL_CLUSTER_IP = '192.0.2.1';
const HYPOTHETICAL_LB_IP = '192.0.2.2';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
const EPS = 1e-12;

type Policy = 'Cluster' | 'Local';

interface Flow {
  entryNodes: { node: string; share: number }[];
  shares: Map<string, number>;
  remote: number;
  snat: number;
  dropped: number;
  /** Entry nodes where no connection reaches a pod. */
  droppedOn: string[];
  basis: Basis;
}

const key = (e: { ip: string; port: number }) => `${e.ip}:${e.port}`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** Sums of probabilities drift by ~1e-16: 1.0000000000000002 is 1. */
const round = (x: number) => Math.round(x * 1e12) / 1e12;

/**
 * The service as it would be with another type / externalTrafficPolicy: NodePorts, a
 * healthCheckNodePort and a load-balancer address are invented where it has none (kube-proxy
 * needs them to write rules; the rows name none of them), everything else kept.
 */
function reshaped(svc: V1Service, view: ServiceView, type: 'NodePort' | 'LoadBalancer', policy: Policy): V1Service {
  const spec = svc.spec ?? {};
  const used = (spec.ports ?? []).map((p) => p.nodePort ?? 0);
  let next = Math.max(30000, ...used) + 1;
  const ports = (spec.ports ?? []).map((p) => ({ ...p, nodePort: p.nodePort || next++ }));
  const vip = view.loadBalancerIngress.some((i) => i.programmed);
  return {
    ...svc,
    spec: {
      ...spec,
      type,
      ...(view.clusterIPs.length ? {} : { clusterIP: HYPOTHETICAL_CLUSTER_IP, clusterIPs: [HYPOTHETICAL_CLUSTER_IP] }),
      ports,
      externalTrafficPolicy: policy,
      healthCheckNodePort: type === 'LoadBalancer' && policy === 'Local' ? spec.healthCheckNodePort || next++ : undefined,
    },
    status: type === 'LoadBalancer' && !vip ? { loadBalancer: { ingress: [{ ip: HYPOTHETICAL_LB_IP }] } } : svc.status,
  };
}

/** A headless service's slices carry the headless label kube-proxy skips; a hypothetical proxied one would not. */
function withoutHeadlessLabel(state: ClusterState): ClusterState {
  return {
    ...state,
    endpointSlices: state.endpointSlices.map((s) => {
      if (s.metadata?.labels?.[HEADLESS_LABEL] === undefined) return s;
      const { [HEADLESS_LABEL]: _, ...labels } = s.metadata.labels;
      return { ...s, metadata: { ...s.metadata, labels } };
    }),
  };
}

/** Connections spread over entry nodes by `weights`, each node forwarding as its path says. */
function flowOver(paths: readonly PathReport[], entry: EntryKind, port: number, address: string | null, nodes: readonly string[]): Flow {
  const flow: Flow = { entryNodes: [], shares: new Map(), remote: 0, snat: 0, dropped: 0, droppedOn: [], basis: 'dataplane' };
  const chosen = nodes
    .map((node) => paths.find((p) => p.node === node && p.entry === entry && p.port === port && (address === null || p.address === address)))
    .filter((p): p is PathReport => p !== undefined);
  // No entry at all (no node passes the LB's health check, no rule): nothing reaches a pod.
  if (chosen.length === 0) return { ...flow, dropped: 1, basis: 'model' };
  const w = 1 / chosen.length;
  for (const path of chosen) {
    flow.entryNodes.push({ node: path.node, share: w });
    if (path.basis === 'model') flow.basis = 'model';
    if (path.outcomes.every((o) => o.verdict !== 'DNAT' || o.probability < EPS)) flow.droppedOn.push(path.node);
    for (const o of path.outcomes) {
      const p = w * o.probability;
      if (o.verdict !== 'DNAT' || !o.endpoint) {
        flow.dropped += p;
        continue;
      }
      flow.shares.set(key(o.endpoint), (flow.shares.get(key(o.endpoint)) ?? 0) + p);
      if (o.hop === 'remote') flow.remote += p;
      if (o.sourceIPPreserved === false) flow.snat += p;
    }
  }
  return flow;
}

function sharesOf(endpoints: readonly EndpointRef[], shares: ReadonlyMap<string, number>): ExposureShare[] {
  return endpoints.map((endpoint) => ({ endpoint, share: round(shares.get(key(endpoint)) ?? 0) }));
}

function clientIPSeen(flow: Flow, whenPreserved: string, whenMasqueraded: string): string {
  const served = 1 - flow.dropped;
  if (flow.snat < EPS) return whenPreserved;
  if (flow.snat > served - EPS) return whenMasqueraded;
  return `${whenMasqueraded} for ${pct(flow.snat)} of connections, else ${whenPreserved}`;
}

function healthByNode(nodes: readonly NodeReport[], port: number | null): string {
  const pass = nodes.filter((n) => n.healthCheck.status === 200).map((n) => n.name);
  const fail = nodes.filter((n) => n.healthCheck.status === 503).map((n) => n.name);
  return (
    `the load balancer probes ${port === null ? 'the healthCheckNodePort the API server would allocate' : `healthCheckNodePort ${port}`} /healthz on every node: kube-proxy answers 200 where a ready local endpoint runs` +
    `${pass.length ? ` (${pass.join(', ')})` : ''}, 503 elsewhere${fail.length ? ` (${fail.join(', ')})` : ''}; kubelet readiness decides which pods count`
  );
}

interface Row {
  way: ExposureWay;
  current: boolean;
  flow: Flow;
  expl: ServiceExplanation;
}

/**
 * explain-svc --compare-exposure: for this service's pods, what each way of reaching them would
 * do. Rows for the ways the service has today come from its own paths (the walked rules where
 * they were read); the others from the same explanation of the service reshaped (type,
 * externalTrafficPolicy), answered with kube-proxy's semantics on every node (basis model).
 * Load balancers are assumed to spread connections evenly over their targets.
 */
export function compareExposure(input: ExplainInput, actual: ServiceExplanation): ExposureComparison {
  // The run's view of the service (under its config), as explain built it: not a second copy.
  const view = (input.facts ?? runFacts(input.state)).view(input.service);
  const sp: ServicePortView | undefined = view.ports[0];
  const assumptions: string[] = [];
  if (!sp) return { port: '', rows: [], assumptions: [`${view.namespace}/${view.name} has no ports: nothing to compare`] };
  const state = view.headless ? withoutHeadlessLabel(input.state) : input.state;
  const family = primaryFamily(view);
  const all = endpointsForPort(state, input.service, sp, family);
  const endpoints: EndpointRef[] = all
    .filter((e) => e.ready || (e.serving && e.terminating))
    .map((e) => ({ ip: e.ip, port: e.port, node: e.nodeName, pod: e.pod?.name ?? null }));
  const ready = all.filter((e) => e.ready);
  const nodeNames = input.nodes.map((n) => n.node);
  const proxied = view.notProxiedReason === null;
  const policy: Policy = view.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster';

  // Hypothetical shapes, answered on every node from the API objects (as --compare-modes does).
  const cache = new Map<string, ServiceExplanation>();
  const hypothetical = (type: 'NodePort' | 'LoadBalancer', p: Policy): ServiceExplanation => {
    const k = `${type} ${p}`;
    let e = cache.get(k);
    if (!e) {
      // The reshaped Service replaces the real one in the state, as kube-proxy's service map would hold it.
      const service = reshaped(input.service, view, type, p);
      const services = state.services.map((s) => (s.metadata?.namespace === view.namespace && s.metadata?.name === view.name ? service : s));
      const facts = runFacts({ ...state, services });
      const nodes = input.nodes.map((n) => ({ ...n, basis: 'model' as const, walker: null, notices: [], expected: expectedWalkerOf(facts, n), problems: [], withoutKubeProxyRules: [], healthz: new Map() }));
      cache.set(k, (e = explainService({ state: facts.state, service, nodes, facts })));
    }
    return e;
  };

  const rows: Row[] = [];
  // ClusterIP from a pod: client pods assumed spread evenly over the nodes.
  const cipExpl = proxied && view.clusterIPs.length ? actual : hypothetical('NodePort', policy);
  const cip = cipExpl.paths.find((p) => p.entry === 'ClusterIP' && p.port === sp.port)?.address ?? null;
  rows.push({ way: 'ClusterIP', current: cipExpl === actual, flow: flowOver(cipExpl.paths, 'ClusterIP', sp.port, cip, nodeNames), expl: cipExpl });

  // NodePort under the service's own externalTrafficPolicy: clients assumed to pick any node.
  const npExpl = proxied && sp.nodePort !== null ? actual : hypothetical('NodePort', policy);
  const npPort = npExpl.service.ports[0]?.nodePort ?? 0;
  rows.push({ way: 'NodePort', current: npExpl === actual, flow: flowOver(npExpl.paths, 'NodePort', npPort, null, nodeNames), expl: npExpl });

  for (const p of ['Cluster', 'Local'] as const) {
    const isCurrent = proxied && view.type === 'LoadBalancer' && policy === p && actual.paths.some((x) => x.entry === 'LoadBalancer' || x.entry === 'NodePort');
    const expl = isCurrent ? actual : hypothetical('LoadBalancer', p);
    const lbEndpoints = endpoints;
    const targets = loadBalancerSharesFromPaths(expl.paths, expl.nodes, input.state.nodes, lbEndpoints).targetNodes;
    const vip = expl.paths.find((x) => x.entry === 'LoadBalancer' && x.port === sp.port);
    const flow = vip
      ? flowOver(expl.paths, 'LoadBalancer', sp.port, vip.address, targets)
      : flowOver(expl.paths, 'NodePort', expl.service.ports[0]?.nodePort ?? 0, null, targets);
    rows.push({ way: `LoadBalancer-instance-${p}`, current: isCurrent, flow, expl });
  }

  const result: ExposureRow[] = rows.map((r) => kubeProxyRow(r, endpoints, view));
  result.push(ipTargetRow(endpoints, ready.map((e) => key(e))), headlessRow(endpoints, ready.map((e) => key(e)), nodeNames, view));

  assumptions.push(
    `rows are about port ${sp.name ? `${sp.name} ` : ''}${sp.port}/${sp.protocol}; rows marked current use the service's own paths, the others reshape it (type, externalTrafficPolicy) and answer from the API objects with kube-proxy's semantics (basis model)`,
    `client pods (ClusterIP, headless) and NodePort clients spread evenly over the ${nodeNames.length} nodes`,
    'load balancers spread connections evenly over their targets: nodes passing the health check (instance targets), ready pods (ip targets); a provider may weight them otherwise',
  );
  if (view.type === 'LoadBalancer') assumptions.push('the current load balancer uses instance targets (node:nodePort)');
  if (view.sessionAffinity.type === 'ClientIP') assumptions.push('sessionAffinity ClientIP: shares are those of new clients; a returning client keeps its pod');
  return { port: `${sp.name ? `${sp.name} ` : ''}${sp.port}/${sp.protocol}`, rows: result, assumptions };
}

function kubeProxyRow({ way, current, flow, expl }: Row, endpoints: readonly EndpointRef[], view: ServiceView): ExposureRow {
  const n = flow.entryNodes.length;
  const readiness = 'kubelet readiness decides which pods kube-proxy uses (serving-terminating ones only when none is ready)';
  const base = {
    way,
    current,
    basis: flow.basis,
    entryNodes: flow.entryNodes.map((e) => ({ node: e.node, share: round(e.share) })),
    remoteHopShare: round(flow.remote),
    kubeProxyOnPath: true,
    snatShare: round(flow.snat),
    shares: sharesOf(endpoints, flow.shares),
    droppedShare: round(flow.dropped),
  };
  const notes: string[] = [];
  const droppedOn = flow.droppedOn;
  if (way === 'ClusterIP') {
    if (view.internalPolicyLocal) notes.push('internalTrafficPolicy Local: only pods on the client\'s node');
    if (droppedOn.length) notes.push(`client pods on ${droppedOn.join(', ')} get no answer`);
    return {
      ...base,
      hops: "client pod -> its node (kube-proxy DNAT) -> pod",
      clientIPSeen: clientIPSeen(flow, "the client pod's IP", "the client's node IP (masqueraded)"),
      balancing: 'kernel',
      balancingDetail: "kube-proxy's rules on the client's node pick a pod per new connection",
      healthCheck: readiness,
      notes,
    };
  }
  if (way === 'NodePort') {
    // KUBE-EXTERNAL-SERVICES / KUBE-NODEPORTS: "<svc> has no local endpoints" DROP under Local (iptables/proxier.go).
    notes.push(`externalTrafficPolicy ${view.externalTrafficPolicy ?? 'Cluster'}, as the service has it`);
    if (droppedOn.length) notes.push(`a client that picks ${droppedOn.join(', ')} gets no answer: no local endpoint there under externalTrafficPolicy ${view.externalTrafficPolicy ?? 'Cluster'}`);
    return {
      ...base,
      hops: 'client -> node:nodePort (kube-proxy DNAT) -> pod',
      clientIPSeen: clientIPSeen(flow, "the client's own IP", "the entry node's IP (masqueraded)"),
      balancing: 'kernel',
      balancingDetail: `the client picks one of ${n} nodes; kube-proxy's rules there pick a pod per new connection`,
      healthCheck: `nothing checks the node for the client; ${readiness}`,
      notes,
    };
  }
  const local = way === 'LoadBalancer-instance-Local';
  if (n === 0) notes.push('no node passes the health check: the load balancer has no healthy target (some providers then fail open and send to every node)');
  return {
    ...base,
    hops: 'client -> load balancer -> node:nodePort (kube-proxy DNAT) -> pod',
    // iptables/proxier.go: the EXT chain masquerades "traffic for ... external destinations" unless ExternalPolicyLocal.
    clientIPSeen: clientIPSeen(flow, "the client's own IP", "the entry node's IP (masqueraded)"),
    balancing: 'load-balancer-then-kernel',
    balancingDetail: `the load balancer picks one of ${n} nodes (assumed even); kube-proxy's rules there pick a pod per new connection`,
    healthCheck: local
      ? healthByNode(expl.nodes, current ? expl.service.healthCheckNodePort : null)
      : `the load balancer probes every node (the traffic nodePort, or kube-proxy's :10256/healthz, as the provider chooses): all ${n} pass while kube-proxy runs; ${readiness}`,
    notes,
  };
}

function evenOverReady(endpoints: readonly EndpointRef[], readyKeys: readonly string[]): ExposureShare[] {
  const ready = new Set(readyKeys);
  return endpoints.map((endpoint) => ({ endpoint, share: ready.has(key(endpoint)) ? round(1 / ready.size) : 0 }));
}

function ipTargetRow(endpoints: readonly EndpointRef[], readyKeys: readonly string[]): ExposureRow {
  return {
    way: 'LoadBalancer-ip',
    current: false,
    basis: 'model',
    hops: 'client -> load balancer -> pod',
    entryNodes: [],
    remoteHopShare: 0,
    kubeProxyOnPath: false,
    snatShare: null,
    clientIPSeen: "the client's IP or the load balancer's, as the provider preserves it",
    balancing: 'load-balancer',
    balancingDetail: `the load balancer picks one of ${readyKeys.length} ready pods (assumed even)`,
    shares: evenOverReady(endpoints, readyKeys),
    droppedShare: readyKeys.length ? 0 : 1,
    healthCheck: 'the load balancer probes each pod on its target port; kubelet readiness (and readiness gates the controller injects) decides registration',
    notes: [],
  };
}

function headlessRow(endpoints: readonly EndpointRef[], readyKeys: readonly string[], nodes: readonly string[], view: ServiceView): ExposureRow {
  const ready = endpoints.filter((e) => readyKeys.includes(key(e)));
  // A client pod on node N reaches another node unless it picked a pod on N: average over client nodes.
  const remote = ready.length === 0 ? 0 : nodes.reduce((sum, n) => sum + ready.filter((e) => e.node !== n).length / ready.length, 0) / nodes.length;
  return {
    way: 'headless',
    current: view.headless,
    basis: 'model',
    hops: 'client pod -> pod (address from DNS)',
    entryNodes: nodes.map((node) => ({ node, share: round(1 / nodes.length) })),
    remoteHopShare: round(remote),
    kubeProxyOnPath: false,
    snatShare: 0,
    clientIPSeen: "the client pod's IP",
    balancing: 'client',
    balancingDetail: `the client picks one of the ${ready.length} addresses DNS returns (assumed even; many clients keep the first one for the TTL and their connection pool)`,
    shares: evenOverReady(endpoints, readyKeys),
    droppedShare: ready.length ? 0 : 1,
    healthCheck: 'kubelet readiness only: DNS lists ready pods; nothing checks a pod between the lookup and the connection',
    notes: [],
  };
}
