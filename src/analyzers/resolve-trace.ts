import type { V1Node, V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../model/cluster.ts';
import type { Origin, Packet, Protocol } from '../model/packet.ts';
import type { Question } from '../model/question.ts';
import type { RunFacts } from './run-facts.ts';
import type { EntryKind } from '../model/results.ts';
import { isLoopback, parseIP, sameIP } from '../net/ip.ts';
import {
  clusterIPOfFamily,
  primaryFamily,
  primaryNodeIPs,
  sourceRangesOfFamily,
} from './kube-proxy/index.ts';
import type { ServiceView } from './kube-proxy/index.ts';
import { externalSource } from './sources.ts';
import { healthCheckServiceAt, nodeOfAddress, serviceEntryAt } from './service-entry.ts';

/** Why a trace question cannot be answered as asked; the command maps kinds to exit codes. */
export class TraceQuestionError extends Error {
  readonly kind: 'usage' | 'not-found';
  constructor(kind: 'usage' | 'not-found', message: string) {
    super(message);
    this.kind = kind;
  }
}

/** The question's packet, with what it is aimed at. */
export interface ResolvedTrace {
  packet: Packet;
  service: V1Service | null;
  entry: EntryKind | null;
  /** Words for the source, e.g. "pod shop/web-1 on node-a (10.244.1.5)". */
  from: string;
  /** The Service whose health-check node port the packet is aimed at (a node address), if any. */
  healthCheck: V1Service | null;
}

const nameOf = (n: V1Node) => n.metadata?.name ?? '';

function portOfService(view: ServiceView, want: string | null) {
  if (want === null) return view.ports[0] ?? null;
  return view.ports.find((p) => p.name === want || String(p.port) === want) ?? null;
}

function podByRef(state: ClusterState, ns: string, name: string) {
  if (state.pods === null) throw new TraceQuestionError('usage', `--from pod/${ns}/${name}: the bundle has no cluster/pods.json to find the pod in`);
  const pod = state.pods.find((p) => p.metadata?.namespace === ns && p.metadata?.name === name);
  if (!pod) throw new TraceQuestionError('not-found', `pod ${ns}/${name} not found`);
  const ip = pod.status?.podIP;
  const node = pod.spec?.nodeName;
  if (!ip || !node) throw new TraceQuestionError('usage', `pod ${ns}/${name} has no IP or node yet (phase ${pod.status?.phase ?? 'unknown'})`);
  return { ip, node, hostNetwork: !!pod.spec?.hostNetwork };
}

/** Turns TARGET, --from and --node into one packet with an entry node, or says why it cannot. */
export function resolveTrace(facts: RunFacts, question: Question, namespace: string): ResolvedTrace {
  const { state } = facts;
  const opts = question;
  const target = question.target.kind === 'service' ? { ...question.target, namespace: question.target.namespace ?? namespace } : question.target;
  const source = question.source.kind === 'pod' ? { ...question.source, namespace: question.source.namespace ?? namespace } : question.source;
  let service: V1Service | null = null;
  let entry: EntryKind | null = null;
  let dst: string;
  let port: number;
  let protocol: Protocol = opts.protocol ?? 'TCP';
  let impliedNode: string | null = null;
  let healthCheck: V1Service | null = null;

  if (target.kind === 'service') {
    service = state.services.find((s) => s.metadata?.namespace === target.namespace && s.metadata?.name === target.name) ?? null;
    if (!service) throw new TraceQuestionError('not-found', `service ${target.namespace}/${target.name} not found`);
    const view = facts.view(service);
    if (view.notProxiedReason !== null) throw new TraceQuestionError('usage', `${target.namespace}/${target.name}: ${view.notProxiedReason}; there is no kube-proxy path to trace`);
    const sp = portOfService(view, question.port);
    if (!sp) throw new TraceQuestionError('usage', `service ${target.namespace}/${target.name} has no port ${question.port ?? ''} (ports: ${view.ports.map((p) => p.name || p.port).join(', ')})`);
    const cip = clusterIPOfFamily(view, primaryFamily(view));
    if (!cip) throw new TraceQuestionError('usage', `service ${target.namespace}/${target.name} has no ClusterIP`);
    entry = 'ClusterIP';
    dst = cip;
    port = sp.port;
    protocol = opts.protocol ?? sp.protocol;
  } else {
    dst = target.ip;
    port = target.port;
    const owner = serviceEntryAt(facts, target.ip, target.port, opts.protocol);
    if (owner) {
      service = owner.svc;
      entry = owner.entry;
      protocol = opts.protocol ?? owner.protocol;
      impliedNode = owner.node;
    } else {
      // Not a Service entry: a node's own address (any port, such as a health-check node port)
      // is seen first by that node.
      impliedNode = nodeOfAddress(state, target.ip)?.metadata?.name ?? null;
      if (impliedNode !== null || isLoopback(target.ip)) {
        healthCheck = healthCheckServiceAt(facts, target.port, opts.protocol);
        if (healthCheck) protocol = 'TCP';
      }
    }
  }

  const family = parseIP(dst)?.family ?? 4;
  const nodeIP = (n: V1Node) => primaryNodeIPs(n).find((a) => parseIP(a)?.family === family) ?? primaryNodeIPs(n)[0];
  let src: string;
  let origin: Origin;
  let from: string;
  let sourceNode: string | null = null;
  switch (source.kind) {
    case 'external': {
      const ranges = service ? sourceRangesOfFamily(facts.view(service), family) : [];
      const point = source.ip ? { ip: source.ip, label: `an external client (${source.ip})` } : externalSource(ranges, family);
      ({ ip: src, label: from } = point);
      origin = 'external';
      break;
    }
    case 'pod': {
      const pod = podByRef(state, source.namespace, source.name);
      src = pod.ip;
      sourceNode = pod.node;
      origin = pod.hostNetwork ? 'node' : 'pod';
      from = `pod ${source.namespace}/${source.name} on ${pod.node} (${pod.ip}${pod.hostNetwork ? ', hostNetwork' : ''})`;
      break;
    }
    case 'node': {
      const node = state.nodes.find((n) => nameOf(n) === source.name);
      if (!node) throw new TraceQuestionError('not-found', `node ${source.name} not found`);
      const ip = nodeIP(node);
      if (!ip) throw new TraceQuestionError('usage', `node ${source.name} has no InternalIP in its status`);
      src = ip;
      sourceNode = source.name;
      origin = 'node';
      from = `node ${source.name} itself (${ip})`;
      break;
    }
    case 'ip': {
      src = source.ip;
      if (isLoopback(source.ip)) {
        // Only the node itself sends from loopback: which node is --node (or the only one).
        sourceNode = opts.node ?? (state.nodes.length === 1 ? nameOf(state.nodes[0]!) : null);
        if (sourceNode === null) throw new TraceQuestionError('usage', `--node is needed: --from ${source.ip} is a node's loopback address, say which node`);
        origin = 'node';
        from = `node ${sourceNode} itself (${src})`;
        break;
      }
      const node = state.nodes.find((n) => (n.status?.addresses ?? []).some((a) => sameIP(a.address, source.ip)));
      const pod = (state.pods ?? []).find((p) => (p.status?.podIPs ?? []).some((x) => sameIP(x.ip, source.ip)) && !p.spec?.hostNetwork);
      const slice = state.endpointSlices.flatMap((s) => s.endpoints ?? []).find((e) => e.addresses.some((a) => sameIP(a, source.ip)) && e.nodeName);
      if (node) {
        sourceNode = nameOf(node);
        origin = 'node';
        from = `node ${sourceNode} itself (${src})`;
      } else if (pod?.spec?.nodeName || slice?.nodeName) {
        sourceNode = pod?.spec?.nodeName ?? slice?.nodeName ?? null;
        origin = 'pod';
        from = `${pod ? `pod ${pod.metadata?.namespace}/${pod.metadata?.name}` : 'a pod'} on ${sourceNode} (${src})`;
      } else {
        origin = 'external';
        from = `an external client (${src})`;
      }
      break;
    }
  }
  // A packet has one IP family: walkers cannot match an IPv6 source against IPv4 rules.
  const srcFamily = parseIP(src)?.family;
  if (srcFamily !== undefined && srcFamily !== family) {
    throw new TraceQuestionError('usage', `the source ${src} is IPv${srcFamily} and the destination ${dst} is IPv${family}: a packet has one IP family`);
  }

  if (isLoopback(dst)) {
    // The destination is the sender's own loopback: only a process on the node can send there,
    // and the kernel picks the loopback source address for it.
    if (origin !== 'node' || sourceNode === null) {
      throw new TraceQuestionError('usage', `${dst} is the loopback address of whichever host sends to it: trace it --from node/NAME or --from ${family === 4 ? '127.0.0.1' : '::1'} --node NAME`);
    }
    if (!isLoopback(src)) {
      src = family === 4 ? '127.0.0.1' : '::1';
      from = `node ${sourceNode} itself (${src}, the source the kernel picks for a loopback destination)`;
    }
    impliedNode = sourceNode;
  }
  // A NodePort target decides where kube-proxy sees the packet: a pod or node elsewhere sends it
  // there unchanged (its own node has no rule for another node's address).
  if (opts.node && impliedNode && opts.node !== impliedNode) {
    throw new TraceQuestionError('usage', `--node ${opts.node} contradicts the target: ${dst}:${port} is seen first by ${impliedNode}`);
  }
  if (opts.node && sourceNode && opts.node !== sourceNode && !impliedNode) {
    throw new TraceQuestionError('usage', `--node ${opts.node} contradicts the source, which is on ${sourceNode}`);
  }
  let entryNode = impliedNode ?? opts.node ?? sourceNode ?? undefined;
  if (impliedNode && sourceNode && sourceNode !== impliedNode) {
    from = `${from}, via the network to ${impliedNode}`;
    // Sent by another node: on the entry node it arrives from outside, not from its own stack.
    if (origin === 'node') origin = 'external';
  }
  if (entryNode === undefined) {
    const all = state.nodes.map(nameOf).sort();
    if (all.length === 1 && all[0]) entryNode = all[0];
    else throw new TraceQuestionError('usage', `--node is needed: traffic from ${from} to ${dst}:${port} can enter at any of ${all.slice(0, 8).join(', ')}${all.length > 8 ? ', ...' : ''}`);
  }
  if (!state.nodes.some((n) => nameOf(n) === entryNode)) throw new TraceQuestionError('not-found', `node ${entryNode} not found`);
  return { packet: { src, dst, port, protocol, entryNode, origin }, service, entry, from, healthCheck };
}
