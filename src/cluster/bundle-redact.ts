import { createHmac } from 'node:crypto';
import type { V1ConfigMap, V1EndpointSlice, V1Ingress, V1IngressClass, V1Node, V1ObjectMeta, V1Pod, V1Service } from '@kubernetes/client-node';
import type { KubeObject } from '../model/cluster.ts';
import type { BundleContents } from './bundle-writer.ts';
import type { NodeDump } from './source.ts';
import { NODE_FILES } from './bundle-layout.ts';
import { redactAnnotations } from './redact-annotations.ts';

/** What a redacted comment becomes. */
export const REDACTED = 'redacted';

/**
 * Labels under the Kubernetes-reserved prefixes (kubernetes.io, k8s.io and their subdomains) are
 * the only ones kube-proxy and netpath read (service-name, headless, service-proxy-name,
 * topology zone, exclude-from-external-load-balancers); the rest are the owner's.
 */
export function isReservedLabel(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const prefix = key.slice(0, slash);
  return /(^|\.)(kubernetes\.io|k8s\.io)$/.test(prefix);
}

/** metadata without managed fields, owners, non-reserved labels, or annotations other than the load balancer's (redactAnnotations). */
function meta(m: V1ObjectMeta | undefined, name?: string): V1ObjectMeta {
  const labels = Object.fromEntries(Object.entries(m?.labels ?? {}).filter(([k]) => isReservedLabel(k)));
  const annotations = redactAnnotations(m?.annotations, REDACTED);
  return {
    ...(name ?? m?.name ? { name: name ?? m?.name } : {}),
    ...(m?.namespace ? { namespace: m.namespace } : {}),
    ...(m?.creationTimestamp ? { creationTimestamp: m.creationTimestamp } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/** A stable stand-in for a pod name: same input and key, same name; no way back without the key. */
export function podPseudonym(key: Buffer, namespace: string, name: string): string {
  return `pod-${createHmac('sha256', key).update(`${namespace}/${name}`).digest('hex').slice(0, 10)}`;
}

/**
 * Replaces the comment of every iptables-save rule that is not in a kube-proxy chain (KUBE-*),
 * except kube-proxy's own fixed texts there ("kubernetes service portals", ...): other software's
 * and people's comments (firewalls, CNI) can say anything. kube-proxy's comments in its chains
 * name service ports, which are the question itself, and stay. Line numbers stay.
 */
export function redactIptablesComments(text: string): string {
  return text.replace(/^-A (?!KUBE-)(\S+)(.*)$/gm, (line) =>
    line.replace(/(-m comment --comment )("(?:[^"\\]|\\.)*"|\S+)/g, (all, flag: string, value: string) =>
      /^"?kubernetes /.test(value) ? all : `${flag}"${REDACTED}"`,
    ),
  );
}

/** The same for `nft -j list ruleset`: comments in tables other than kube-proxy's. */
export function redactNftComments(json: string): string {
  const doc = JSON.parse(json) as { nftables?: Record<string, Record<string, unknown>>[] };
  const scrub = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(scrub);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'comment' && typeof x === 'string' ? REDACTED : scrub(x)]));
    }
    return v;
  };
  const items = (doc.nftables ?? []).map((item) => {
    const [kind, body] = Object.entries(item)[0] ?? [];
    if (!kind || !body || kind === 'metainfo' || body.table === 'kube-proxy' || (kind === 'table' && body.name === 'kube-proxy')) return item;
    return { [kind]: scrub(body) as Record<string, unknown> };
  });
  return `${JSON.stringify({ ...doc, nftables: items })}\n`;
}

/**
 * `capture --redact`: the bundle without what a ticket's readers need not see, and with every
 * answer netpath gives unchanged (pod IPs, node addresses, service names and rules stay: they are
 * the answer). Precisely:
 * - every object: managedFields and ownerReferences removed; annotations removed except those that
 *   decide the load balancer in front (redactAnnotations: a few with their values, the providers'
 *   prefixes as keys only); labels kept only under the reserved prefixes (isReservedLabel); uid
 *   and resourceVersion removed;
 * - pods: names replaced by podPseudonym (also in EndpointSlice targetRefs); only nodeName,
 *   hostNetwork, phase and pod/host IPs kept (no containers, images, env, volumes, commands);
 * - nodes: status.images and status.nodeInfo removed;
 * - the kube-proxy ConfigMap: only data["config.conf"] kept;
 * - ingresses: spec.tls (secret names) removed; ingress classes: only spec.controller kept;
 * - TargetGroupBindings: only spec.serviceRef, targetType, ipAddressType and nodeSelector kept, the
 *   target group ARN (account, name) replaced by "redacted"; MetalLB statuses kept (node, service);
 * - node dumps: comments outside kube-proxy's chains and table replaced by "redacted"; the
 *   conntrack table left out (every connection through the node, with its client's address).
 * `key` (random per capture) makes pseudonyms consistent within one bundle only.
 */
export function redactBundle(contents: BundleContents, key: Buffer): BundleContents {
  const { state } = contents;
  const podName = (ns: string | undefined, name: string | undefined) => (name ? podPseudonym(key, ns ?? '', name) : undefined);
  const services: V1Service[] = state.services.map((s) => ({ ...s, metadata: meta(s.metadata) }));
  const endpointSlices: V1EndpointSlice[] = state.endpointSlices.map((s) => ({
    ...s,
    metadata: meta(s.metadata),
    endpoints: (s.endpoints ?? []).map((ep) => {
      const ref = ep.targetRef;
      if (!ref) return ep;
      const { uid: _uid, resourceVersion: _rv, ...rest } = ref;
      return { ...ep, targetRef: ref.kind === 'Pod' ? { ...rest, name: podName(ref.namespace ?? s.metadata?.namespace, ref.name) } : rest };
    }),
  }));
  const nodes: V1Node[] = state.nodes.map((n) => {
    const { images: _images, nodeInfo: _info, ...status } = n.status ?? {};
    return { ...n, metadata: meta(n.metadata), status };
  });
  const pods: V1Pod[] | null =
    state.pods?.map((p) => ({
      metadata: meta(p.metadata, podName(p.metadata?.namespace, p.metadata?.name)),
      spec: {
        containers: [],
        ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
        ...(p.spec?.hostNetwork ? { hostNetwork: true } : {}),
      },
      status: {
        ...(p.status?.phase ? { phase: p.status.phase } : {}),
        ...(p.status?.podIP ? { podIP: p.status.podIP } : {}),
        ...(p.status?.podIPs ? { podIPs: p.status.podIPs } : {}),
        ...(p.status?.hostIP ? { hostIP: p.status.hostIP } : {}),
      },
    })) ?? null;
  const cm = contents.kubeProxyConfigMap;
  const kubeProxyConfigMap: V1ConfigMap | null = cm
    ? { ...cm, metadata: meta(cm.metadata), data: cm.data?.['config.conf'] !== undefined ? { 'config.conf': cm.data['config.conf'] } : {} }
    : null;
  const ingresses: V1Ingress[] | null =
    state.ingresses?.map((i) => {
      const { tls: _tls, ...spec } = i.spec ?? {};
      return { ...i, metadata: meta(i.metadata), spec };
    }) ?? null;
  const ingressClasses: V1IngressClass[] | null =
    state.ingressClasses?.map((c) => ({ ...c, metadata: meta(c.metadata), spec: c.spec?.controller ? { controller: c.spec.controller } : {} })) ?? null;
  const targetGroupBindings: KubeObject[] | null =
    state.targetGroupBindings?.map((b) => ({
      ...b,
      metadata: meta(b.metadata),
      spec: {
        ...pick(b.spec, ['serviceRef', 'targetType', 'ipAddressType', 'nodeSelector']),
        ...(b.spec?.targetGroupARN !== undefined ? { targetGroupARN: REDACTED } : {}),
      },
    })) ?? null;
  const metallb = (list: KubeObject[] | null) => list?.map((o) => ({ ...o, metadata: meta(o.metadata) })) ?? null;
  const dumps = new Map<string, NodeDump>();
  for (const [node, dump] of contents.dumps) {
    const files = new Map(dump.files);
    const save = files.get(NODE_FILES.iptablesSave);
    if (save !== undefined) files.set(NODE_FILES.iptablesSave, redactIptablesComments(save));
    const nft = files.get(NODE_FILES.nftJson);
    if (nft !== undefined) files.set(NODE_FILES.nftJson, redactNftComments(nft));
    files.delete(NODE_FILES.conntrack);
    dumps.set(node, { ...dump, files });
  }
  const lb = { ingresses, ingressClasses, targetGroupBindings, serviceL2Statuses: metallb(state.serviceL2Statuses), serviceBGPStatuses: metallb(state.serviceBGPStatuses) };
  return { state: { ...state, services, endpointSlices, nodes, pods, ...lb }, kubeProxyConfigMap, dumps };
}

function pick(obj: Record<string, unknown> | undefined, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => obj?.[k] !== undefined).map((k) => [k, obj?.[k]]));
}
