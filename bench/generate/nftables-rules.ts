/**
 * kube-proxy nftables mode for one node: the `nft -f` input of a full sync, in the current
 * layout (pkg/proxy/nftables proxier.go and proxier_test.go baseRules @ 81810de6; fixture
 * nftables-TestOverallNFTablesRules.nft). Statements are grouped by kind (table, sets and maps,
 * chains, rules, elements); each chain keeps kube-proxy's rule order. Map elements are batched,
 * which changes nothing in the kernel.
 *
 * Two transactions: the kernel walks the whole pending transaction each time a rule binds an
 * anonymous set (`numgen ... vmap { ... }`, `ip saddr != { ... }`; __nft_set_trans_bind), so one
 * transaction of a 10,000-service table costs 11,000 walks of 350,000 entries (12 minutes here).
 * Those rules go in a second transaction; each is the last rule of its chain, so every chain's
 * rule order is unchanged and only the handle numbers differ from a single load.
 */
import { categorize, externalPolicyLocal, portName } from './cluster-spec.ts';
import type { BenchEndpoint, BenchNode, BenchService, ClusterSpec } from './cluster-spec.ts';
import { nftName } from './kube-proxy-names.ts';

const T = 'ip kube-proxy';
const STICKY_SECONDS = 10800;
const ELEMENTS_PER_STATEMENT = 500;

const BASE_CHAINS = [
  'cluster-ips-check',
  'filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }',
  'filter-output-pre-dnat { type filter hook output priority -110 ; }',
  'filter-forward { type filter hook forward priority 0 ; }',
  'filter-input { type filter hook input priority 0 ; }',
  'filter-output { type filter hook output priority 0 ; }',
  'firewall-check',
  'mark-for-masquerade',
  'masquerading',
  'nat-output { type nat hook output priority -100 ; }',
  'nat-postrouting { type nat hook postrouting priority 100 ; }',
  'nat-prerouting { type nat hook prerouting priority -100 ; }',
  'nodeport-endpoints-check',
  'reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }',
  'services',
  'service-endpoints-check',
];

const baseRules = (serviceCIDR: string) => [
  'cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
  `cluster-ips-check ip daddr { ${serviceCIDR} } drop comment "Drop traffic to unallocated ClusterIPs"`,
  'filter-prerouting-pre-dnat ct state new jump firewall-check',
  'filter-forward ct state new jump service-endpoints-check',
  'filter-forward ct state new jump cluster-ips-check',
  'filter-input ct state new jump nodeport-endpoints-check',
  'filter-input ct state new jump service-endpoints-check',
  'filter-output ct state new jump service-endpoints-check',
  'filter-output-pre-dnat ct state new jump firewall-check',
  'filter-output ct state new jump cluster-ips-check',
  'firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips',
  'mark-for-masquerade mark set mark or 0x4000',
  'masquerading mark and 0x4000 == 0 return',
  'masquerading mark set mark xor 0x4000',
  'masquerading masquerade fully-random',
  'nat-output jump services',
  'nat-postrouting jump masquerading',
  'nat-prerouting jump services',
  'nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports',
  'reject-chain reject',
  'services ip daddr . meta l4proto . th dport vmap @service-ips',
  'services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports',
  'service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services',
];

const SETS = [
  'set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }',
  'set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }',
  'map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }',
  'map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }',
  'map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }',
  'map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }',
  'map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }',
];

interface Out {
  sets: string[];
  chains: string[];
  rules: string[];
  /** Rules that bind an anonymous set, the last rule of their chain: the second transaction. */
  anonymousSetRules: string[];
  elements: Map<string, string[]>;
}

/** The `nft -f` inputs to load one after the other (see above why two). */
export function nftInput(spec: ClusterSpec, node: BenchNode): string[] {
  const out: Out = {
    sets: [...SETS],
    chains: [...BASE_CHAINS],
    rules: baseRules(spec.serviceCIDR),
    anonymousSetRules: [],
    elements: new Map([['nodeport-ips', [node.ip]]]),
  };
  for (const s of spec.order) writeService(out, spec, node, s);
  const lines = [
    `add table ${T} { comment "rules for kube-proxy" ; }`,
    ...out.sets.map((s) => `add ${s}`),
    ...out.chains.map((c) => `add chain ${T} ${c}`),
    ...out.rules.map((r) => `add rule ${T} ${r}`),
  ];
  for (const [set, elements] of out.elements) {
    for (let i = 0; i < elements.length; i += ELEMENTS_PER_STATEMENT) {
      lines.push(`add element ${T} ${set} { ${elements.slice(i, i + ELEMENTS_PER_STATEMENT).join(', ')} }`);
    }
  }
  return [`${lines.join('\n')}\n`, `${out.anonymousSetRules.map((r) => `add rule ${T} ${r}`).join('\n')}\n`];
}

function writeService(out: Out, spec: ClusterSpec, node: BenchNode, s: BenchService): void {
  const element = (set: string, text: string) => {
    const list = out.elements.get(set) ?? [];
    list.push(text);
    out.elements.set(set, list);
  };
  const spn = portName(s);
  const base = `${s.namespace}/${s.name}/tcp/${s.portName}`;
  const service = nftName('service-', base);
  const local = nftName('local-', base);
  const external = nftName('external-', base);
  const firewall = nftName('firewall-', base);
  const endpointBase = (e: BenchEndpoint) => `${base}__${e.ip}/${e.port}`;
  const endpointChain = (e: BenchEndpoint) => nftName('endpoint-', endpointBase(e));
  const affinitySet = (e: BenchEndpoint) => nftName('affinity-', endpointBase(e));
  const eps = categorize(s, node.name);
  const extLocal = externalPolicyLocal(s);
  const hasEndpoints = s.endpoints.length > 0;
  const hasExternalEndpoints = hasEndpoints && (!extLocal || eps.local.length > 0);
  const verdict = hasEndpoints ? 'drop' : 'goto reject-chain';
  const usesFW = s.loadBalancerIP !== null && s.sourceRanges.length > 0;

  element('cluster-ips', s.clusterIP);
  if (hasEndpoints) element('service-ips', `${s.clusterIP} . tcp . ${s.port} : goto ${service}`);
  else element('no-endpoint-services', `${s.clusterIP} . tcp . ${s.port} comment "${spn}" : ${verdict}`);
  if (usesFW) out.chains.push(firewall);
  if (s.loadBalancerIP) {
    if (hasEndpoints) element('service-ips', `${s.loadBalancerIP} . tcp . ${s.port} : goto ${external}`);
    if (usesFW) element('firewall-ips', `${s.loadBalancerIP} . tcp . ${s.port} : goto ${firewall}`);
    if (!hasExternalEndpoints) element('no-endpoint-services', `${s.loadBalancerIP} . tcp . ${s.port} comment "${spn}" : ${verdict}`);
  }
  if (s.nodePort !== null) {
    if (hasEndpoints) element('service-nodeports', `tcp . ${s.nodePort} : goto ${external}`);
    if (!hasExternalEndpoints) element('no-endpoint-nodeports', `tcp . ${s.nodePort} comment "${spn}" : ${verdict}`);
  }
  if (usesFW) out.anonymousSetRules.push(`${firewall} ip saddr != { ${s.sourceRanges.join(', ')} } drop`);
  if (!hasEndpoints) return;

  out.chains.push(service);
  out.rules.push(`${service} ip daddr ${s.clusterIP} ip saddr != ${spec.clusterCIDR} jump mark-for-masquerade`);
  if (s.nodePort !== null || s.loadBalancerIP !== null) {
    out.chains.push(external);
    if (!extLocal) {
      out.rules.push(`${external} jump mark-for-masquerade`);
    } else {
      out.rules.push(
        `${external} ip saddr ${spec.clusterCIDR} goto ${service} comment "short-circuit pod traffic"`,
        `${external} fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"`,
        `${external} fib saddr type local goto ${service} comment "short-circuit local traffic"`,
      );
    }
    if (hasExternalEndpoints) out.rules.push(`${external} goto ${extLocal ? local : service}`);
  }
  if (s.kind === 'affinity') {
    for (const e of eps.cluster) {
      out.sets.push(`set ${T} ${affinitySet(e)} { type ipv4_addr ; flags dynamic,timeout ; timeout ${STICKY_SECONDS}s ; }`);
    }
  }
  const toEndpoints = (chain: string, endpoints: BenchEndpoint[]) => {
    if (s.kind === 'affinity') {
      for (const e of endpoints) out.rules.push(`${chain} ip saddr @${affinitySet(e)} goto ${endpointChain(e)}`);
    }
    const vmap = endpoints.map((e, i) => `${i} : goto ${endpointChain(e)}`).join(' , ');
    out.anonymousSetRules.push(`${chain} numgen random mod ${endpoints.length} vmap { ${vmap} }`);
  };
  toEndpoints(service, eps.cluster);
  if (extLocal && eps.local.length > 0) {
    out.chains.push(local);
    toEndpoints(local, eps.local);
  }
  for (const e of eps.cluster) {
    const chain = endpointChain(e);
    out.chains.push(chain);
    out.rules.push(`${chain} ip saddr ${e.ip} jump mark-for-masquerade`);
    if (s.kind === 'affinity') out.rules.push(`${chain} update @${affinitySet(e)} { ip saddr }`);
    out.rules.push(`${chain} meta l4proto tcp dnat to ${e.ip}:${e.port}`);
  }
}
