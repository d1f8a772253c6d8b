import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState, KubeObject } from '../../model/cluster.ts';
import { annotationEvidence, annotationsOf, refOf } from './detection.ts';
import type { Detection } from './detection.ts';

// MetalLB service annotations (metallb.universe.tf/* and, from v0.14, metallb.io/*):
// https://metallb.universe.tf/usage/
const USAGE_DOC = 'https://metallb.universe.tf/usage/';
// Layer 2: one node answers ARP/NDP for the address and receives all of its traffic; with
// externalTrafficPolicy Local it is a node with a ready local endpoint:
// https://metallb.universe.tf/concepts/layer2/
const L2_DOC = 'https://metallb.universe.tf/concepts/layer2/';
// BGP: every advertising node is a next hop, the router spreads flows over them (ECMP); with
// Local only nodes with a ready local endpoint advertise:
// https://metallb.universe.tf/concepts/bgp/
const BGP_DOC = 'https://metallb.universe.tf/concepts/bgp/';
// ServiceL2Status / ServiceBGPStatus (metallb.io/v1beta1): status.node, status.serviceName,
// status.serviceNamespace, one object per announcing node:
// https://docs.okd.io/latest/networking/ingress_load_balancing/metallb/monitoring-metallb-status.html
const STATUS_DOC = 'https://docs.okd.io/latest/networking/ingress_load_balancing/metallb/monitoring-metallb-status.html';

const PREFIXES = ['metallb.universe.tf/', 'metallb.io/'];

interface MetalLBStatus {
  node?: string;
  serviceName?: string;
  serviceNamespace?: string;
}

/** Status objects about this service (status.serviceName/Namespace, else the metallb.io/service-* labels). */
function statusesOf(objects: KubeObject[] | null, svc: V1Service): { object: KubeObject; node: string }[] {
  const out: { object: KubeObject; node: string }[] = [];
  for (const o of objects ?? []) {
    const st = (o.status ?? {}) as MetalLBStatus;
    const labels = o.metadata?.labels ?? {};
    const name = st.serviceName ?? labels['metallb.io/service-name'];
    const ns = st.serviceNamespace ?? labels['metallb.io/service-namespace'];
    const node = st.node ?? labels['metallb.io/node'];
    if (name === svc.metadata?.name && ns === svc.metadata?.namespace && node) out.push({ object: o, node });
  }
  return out;
}

export function detectMetalLB(state: ClusterState, svc: V1Service): Detection | null {
  const l2 = statusesOf(state.serviceL2Statuses, svc);
  const bgp = statusesOf(state.serviceBGPStatuses, svc);
  const annotated = Object.keys(annotationsOf(svc)).some((k) => PREFIXES.some((p) => k.startsWith(p)));
  if (!annotated && l2.length === 0 && bgp.length === 0) return null;
  const evidence = annotationEvidence(svc, PREFIXES, USAGE_DOC);
  const ref = (kind: string, o: KubeObject) => `${kind.toLowerCase()} ${o.metadata?.namespace}/${o.metadata?.name}`;
  for (const s of l2) evidence.push({ kind: 'ServiceL2Status', ref: ref('ServiceL2Status', s.object), detail: `status.node ${s.node} announces the address (${L2_DOC}; ${STATUS_DOC})` });
  for (const s of bgp) evidence.push({ kind: 'ServiceBGPStatus', ref: ref('ServiceBGPStatus', s.object), detail: `status.node ${s.node} advertises the address (${BGP_DOC}; ${STATUS_DOC})` });
  evidence.push({ kind: 'client-ip', ref: refOf(svc), detail: 'client IP preserved: packets reach the node unchanged, addressed to the service IP' });
  const base = { implementation: 'metallb' as const, targetType: 'instance' as const, assumed: false, evidence, delivery: 'vip' as const, weighting: 'even' as const, preservesClientIP: true, localAnnouncers: true };
  // MetalLB itself probes nothing: an L2 leader moves when its speaker or node fails.
  if (l2.length > 0) return { ...base, entry: 'single-node', entryNodes: [...new Set(l2.map((s) => s.node))].sort(), healthCheck: null };
  if (bgp.length > 0) return { ...base, entry: 'ecmp', entryNodes: [...new Set(bgp.map((s) => s.node))].sort(), healthCheck: null };
  evidence.push({ kind: 'model', ref: refOf(svc), detail: `no ServiceL2Status or ServiceBGPStatus for the service was read: the announcing nodes are not known, every node is taken as an entry (${STATUS_DOC})` });
  return { ...base, entry: 'all-healthy-nodes', entryNodes: null, healthCheck: null };
}
