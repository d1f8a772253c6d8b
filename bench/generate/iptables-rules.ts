/**
 * kube-proxy iptables mode for one node, as syncProxyRules writes it (pkg/proxy/iptables/proxier.go,
 * ~v1.33, full sync): the iptables-restore payload, plus the jumps from the built-in chains that
 * kube-proxy and kubelet install beforehand with `iptables -I`.
 * Not written: the nfacct copies of NodePort and INVALID rules (kube-proxy leaves them out when
 * the nfacct counters cannot be created, as in a network namespace without the nfacct tool).
 */
import { categorize, externalPolicyLocal, portName } from './cluster-spec.ts';
import type { BenchEndpoint, BenchNode, BenchService, ClusterSpec } from './cluster-spec.ts';
import { iptablesChain, iptablesSepChain } from './kube-proxy-names.ts';

const MASQ_MARK = '0x4000';
const STICKY_SECONDS = 10800;

/** Built-in chain jumps and canaries in the order a node ends up with them (fixture iptables-save-kernel-TestOverallIPTablesRules). */
export const IPTABLES_NODE_SETUP = `*mangle
:KUBE-IPTABLES-HINT - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:KUBE-PROXY-CANARY - [0:0]
COMMIT
*filter
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-CANARY - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SERVICES - [0:0]
-A INPUT -j KUBE-FIREWALL
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A OUTPUT -j KUBE-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
COMMIT
*nat
:KUBE-POSTROUTING - [0:0]
:KUBE-PROXY-CANARY - [0:0]
:KUBE-SERVICES - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
COMMIT
`;

/** The iptables-restore input kube-proxy writes on `node` (loaded with --noflush). */
export function iptablesRestoreInput(spec: ClusterSpec, node: BenchNode): string {
  const filterChains = ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-FIREWALL'];
  const natChains = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
  const filter: string[] = [
    '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
  ];
  const nat: string[] = [
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  ];
  const out = { filter, nat, natChains, spec, node };
  for (const s of spec.order) writeService(out, s);
  nat.push(
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
  );
  filter.push(
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );
  const chainLine = (c: string) => `:${c} - [0:0]`;
  return [
    '*filter',
    ...filterChains.map(chainLine),
    ...filter,
    'COMMIT',
    '*nat',
    ...natChains.map(chainLine),
    ...nat,
    'COMMIT',
    '',
  ].join('\n');
}

interface Out {
  filter: string[];
  nat: string[];
  natChains: string[];
  spec: ClusterSpec;
  node: BenchNode;
}

function writeService(out: Out, s: BenchService): void {
  const { filter, nat, natChains, spec } = out;
  const spn = portName(s);
  const proto = 'tcp';
  const svc = iptablesChain('KUBE-SVC-', spn, proto);
  const svl = iptablesChain('KUBE-SVL-', spn, proto);
  const ext = iptablesChain('KUBE-EXT-', spn, proto);
  const fw = iptablesChain('KUBE-FW-', spn, proto);
  const { cluster, local } = categorize(s, out.node.name);
  const extLocal = externalPolicyLocal(s);
  const hasEndpoints = s.endpoints.length > 0;
  const hasExternalEndpoints = hasEndpoints && (!extLocal || local.length > 0);
  const externalPolicyChain = extLocal ? svl : svc;
  const usesExternalChain = hasEndpoints && (s.nodePort !== null || s.loadBalancerIP !== null);
  const usesFW = hasEndpoints && s.loadBalancerIP !== null && s.sourceRanges.length > 0;
  const filterTarget = hasEndpoints ? 'DROP' : 'REJECT';
  const filterComment = hasEndpoints ? `"${spn} has no local endpoints"` : `"${spn} has no endpoints"`;
  const dst = `-m ${proto} -p ${proto} -d ${s.clusterIP} --dport ${s.port}`;

  if (hasEndpoints) nat.push(`-A KUBE-SERVICES -m comment --comment "${spn} cluster IP" ${dst} -j ${svc}`);
  else filter.push(`-A KUBE-SERVICES -m comment --comment ${filterComment} ${dst} -j ${filterTarget}`);

  if (s.loadBalancerIP) {
    const lbDst = `-m ${proto} -p ${proto} -d ${s.loadBalancerIP} --dport ${s.port}`;
    if (hasEndpoints) nat.push(`-A KUBE-SERVICES -m comment --comment "${spn} loadbalancer IP" ${lbDst} -j ${usesFW ? fw : ext}`);
    if (usesFW) filter.push(`-A KUBE-PROXY-FIREWALL -m comment --comment "${spn} traffic not accepted by ${fw}" ${lbDst} -j DROP`);
    if (!hasExternalEndpoints) filter.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${filterComment} ${lbDst} -j ${filterTarget}`);
  }
  if (s.nodePort !== null) {
    if (hasEndpoints) nat.push(`-A KUBE-NODEPORTS -m comment --comment ${spn} -m ${proto} -p ${proto} --dport ${s.nodePort} -j ${ext}`);
    if (!hasExternalEndpoints) {
      filter.push(
        `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${filterComment} -m addrtype --dst-type LOCAL -m ${proto} -p ${proto} --dport ${s.nodePort} -j ${filterTarget}`,
      );
    }
  }
  if (s.healthCheckNodePort !== null) {
    filter.push(`-A KUBE-NODEPORTS -m comment --comment "${spn} health check node port" -m tcp -p tcp --dport ${s.healthCheckNodePort} -j ACCEPT`);
  }
  if (!hasEndpoints) return;

  nat.push(`-A ${svc} -m comment --comment "${spn} cluster IP" ${dst} ! -s ${spec.clusterCIDR} -j KUBE-MARK-MASQ`);
  if (usesExternalChain) {
    natChains.push(ext);
    if (!extLocal) {
      nat.push(`-A ${ext} -m comment --comment "masquerade traffic for ${spn} external destinations" -j KUBE-MARK-MASQ`);
    } else {
      nat.push(
        `-A ${ext} -m comment --comment "pod traffic for ${spn} external destinations" -s ${spec.clusterCIDR} -j ${svc}`,
        `-A ${ext} -m comment --comment "masquerade LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
        `-A ${ext} -m comment --comment "route LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j ${svc}`,
      );
    }
    if (hasExternalEndpoints) nat.push(`-A ${ext} -j ${externalPolicyChain}`);
  }
  if (usesFW) {
    natChains.push(fw);
    for (const cidr of s.sourceRanges) nat.push(`-A ${fw} -m comment --comment "${spn} loadbalancer IP" -s ${cidr} -j ${ext}`);
    nat.push(`-A ${fw} -m comment --comment "other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL"`);
  }
  const comment = (text: string) => (spec.largeClusterMode ? '' : ` -m comment --comment ${text}`);
  const toEndpoints = (chain: string, endpoints: BenchEndpoint[]) => {
    natChains.push(chain);
    const sep = (e: BenchEndpoint) => iptablesSepChain(spn, proto, `${e.ip}:${e.port}`);
    if (s.kind === 'affinity') {
      for (const e of endpoints) {
        nat.push(`-A ${chain}${comment(`"${spn} -> ${e.ip}:${e.port}"`)} -m recent --name ${sep(e)} --rcheck --seconds ${STICKY_SECONDS} --reap -j ${sep(e)}`);
      }
    }
    endpoints.forEach((e, i) => {
      const n = endpoints.length;
      const statistic = i < n - 1 ? ` -m statistic --mode random --probability ${(1 / (n - i)).toFixed(10)}` : '';
      nat.push(`-A ${chain}${comment(`"${spn} -> ${e.ip}:${e.port}"`)}${statistic} -j ${sep(e)}`);
    });
  };
  toEndpoints(svc, cluster);
  if (extLocal && local.length > 0) toEndpoints(svl, local);
  for (const e of cluster) {
    const chain = iptablesSepChain(spn, proto, `${e.ip}:${e.port}`);
    natChains.push(chain);
    const recent = s.kind === 'affinity' ? ` -m recent --name ${chain} --set` : '';
    nat.push(
      `-A ${chain}${comment(spn)} -s ${e.ip} -j KUBE-MARK-MASQ`,
      `-A ${chain}${comment(spn)}${recent} -m ${proto} -p ${proto} -j DNAT --to-destination ${e.ip}:${e.port}`,
    );
  }
}
