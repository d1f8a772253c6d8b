import type { V1Service } from '@kubernetes/client-node';
import { annotationEvidence, annotationsOf, refOf } from './detection.ts';
import type { Detection } from './detection.ts';

// kube-vip services: annotations kube-vip.io/*, the label implementation=kube-vip set by the
// kube-vip cloud provider: https://kube-vip.io/docs/usage/services/
const SERVICES_DOC = 'https://kube-vip.io/docs/usage/services/';
// ARP mode: the elected leader (kube-vip.io/vipHost names it) holds the address and receives
// all of its traffic: https://kube-vip.io/docs/modes/arp/
const ARP_DOC = 'https://kube-vip.io/docs/modes/arp/';

export function detectKubeVip(svc: V1Service): Detection | null {
  const ann = annotationsOf(svc);
  const labelled = svc.metadata?.labels?.implementation === 'kube-vip';
  const annotated = Object.keys(ann).some((k) => k.startsWith('kube-vip.io/'));
  if (!labelled && !annotated) return null;
  const evidence = annotationEvidence(svc, ['kube-vip.io/'], SERVICES_DOC);
  if (labelled) evidence.push({ kind: 'label', ref: refOf(svc), detail: `implementation: kube-vip (${SERVICES_DOC})` });
  evidence.push({ kind: 'client-ip', ref: refOf(svc), detail: 'client IP preserved: packets reach the node unchanged, addressed to the service IP' });
  const host = ann['kube-vip.io/vipHost'];
  const base = { implementation: 'kube-vip' as const, targetType: 'instance' as const, assumed: false, evidence, delivery: 'vip' as const, weighting: 'even' as const, preservesClientIP: true, localAnnouncers: false, healthCheck: null };
  if (host) {
    evidence.push({ kind: 'model', ref: refOf(svc), detail: `ARP: ${host} holds the address and receives all of its traffic (${ARP_DOC})` });
    return { ...base, entry: 'single-node', entryNodes: [host] };
  }
  evidence.push({ kind: 'model', ref: refOf(svc), detail: `no kube-vip.io/vipHost: BGP or routing-table mode, every node is taken as an entry (${SERVICES_DOC})` });
  return { ...base, entry: 'ecmp', entryNodes: null };
}
