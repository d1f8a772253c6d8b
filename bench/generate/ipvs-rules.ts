/**
 * kube-proxy IPVS mode for one node (pkg/proxy/ipvs/proxier.go ~v1.33): the ipsets (`ipset
 * restore` input), the iptables rules of writeIptablesRules, and the virtual servers.
 * The kernel here has no IPVS, so the virtual servers are written in `ipvsadm -Sn` syntax
 * directly; ipsets and iptables go through the kernel like the other modes.
 */
import { categorize, externalPolicyLocal } from './cluster-spec.ts';
import type { BenchEndpoint, BenchNode, ClusterSpec } from './cluster-spec.ts';

const STICKY_SECONDS = 10800;

/** ipsetInfo: every set kube-proxy creates, with its type. */
const SETS: readonly [string, string][] = [
  ['KUBE-LOOP-BACK', 'hash:ip,port,ip'],
  ['KUBE-CLUSTER-IP', 'hash:ip,port'],
  ['KUBE-EXTERNAL-IP', 'hash:ip,port'],
  ['KUBE-EXTERNAL-IP-LOCAL', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER-FW', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER-LOCAL', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER-SOURCE-IP', 'hash:ip,port,ip'],
  ['KUBE-LOAD-BALANCER-SOURCE-CIDR', 'hash:ip,port,net'],
  ['KUBE-NODE-PORT-TCP', 'bitmap:port'],
  ['KUBE-NODE-PORT-LOCAL-TCP', 'bitmap:port'],
  ['KUBE-NODE-PORT-UDP', 'bitmap:port'],
  ['KUBE-NODE-PORT-LOCAL-UDP', 'bitmap:port'],
  ['KUBE-NODE-PORT-SCTP-HASH', 'hash:ip,port'],
  ['KUBE-NODE-PORT-LOCAL-SCTP-HASH', 'hash:ip,port'],
  ['KUBE-HEALTH-CHECK-NODE-PORT', 'bitmap:port'],
  ['KUBE-IPVS-IPS', 'hash:ip'],
];

/** ipsetWithIptablesChain, in order: a rule only for sets that have members. */
const SET_RULES: readonly { set: string; table: 'nat' | 'filter'; rule: string }[] = [
  { set: 'KUBE-LOOP-BACK', table: 'nat', rule: '-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE' },
  { set: 'KUBE-LOAD-BALANCER', table: 'nat', rule: '-A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER' },
  { set: 'KUBE-LOAD-BALANCER-LOCAL', table: 'nat', rule: '-A KUBE-LOAD-BALANCER -m comment --comment "Kubernetes service load balancer ip + port with externalTrafficPolicy=local" -m set --match-set KUBE-LOAD-BALANCER-LOCAL dst,dst -j RETURN' },
  { set: 'KUBE-NODE-PORT-LOCAL-TCP', table: 'nat', rule: '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port with externalTrafficPolicy=local" -m set --match-set KUBE-NODE-PORT-LOCAL-TCP dst -j RETURN' },
  { set: 'KUBE-NODE-PORT-TCP', table: 'nat', rule: '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ' },
  { set: 'KUBE-LOAD-BALANCER-FW', table: 'filter', rule: '-A KUBE-PROXY-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port for load balancer with sourceRange" -m set --match-set KUBE-LOAD-BALANCER-FW dst,dst -j KUBE-SOURCE-RANGES-FIREWALL' },
  { set: 'KUBE-LOAD-BALANCER-SOURCE-CIDR', table: 'filter', rule: '-A KUBE-SOURCE-RANGES-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port + source cidr for packet filter purpose" -m set --match-set KUBE-LOAD-BALANCER-SOURCE-CIDR dst,dst,src -j RETURN' },
];

export interface IpvsNodeInput {
  /** `ipset restore` input. */
  ipsets: string;
  /** `iptables-restore` input, jumps from the built-in chains included (a fresh namespace has none). */
  iptables: string;
  /** The virtual servers as `ipvsadm -Sn` prints them. */
  ipvsadm: string;
}

export function ipvsNodeInput(spec: ClusterSpec, node: BenchNode): IpvsNodeInput {
  const members = new Map<string, string[]>(SETS.map(([name]) => [name, []]));
  const add = (set: string, member: string) => members.get(set)!.push(member);
  const vs: string[] = [];
  const virtualServer = (addr: string, endpoints: BenchEndpoint[], affinity: boolean) => {
    vs.push(`-A -t ${addr} -s rr${affinity ? ` -p ${STICKY_SECONDS}` : ''}`);
    for (const e of endpoints) vs.push(`-a -t ${addr} -r ${e.ip}:${e.port} -m -w 1`);
  };
  for (const s of spec.order) {
    const { cluster, local } = categorize(s, node.name);
    // Local policy without local endpoints falls back to the cluster endpoints (PR #97081).
    const external = externalPolicyLocal(s) && local.length > 0 ? local : cluster;
    const affinity = s.kind === 'affinity';
    const entry = (ip: string) => `${ip},tcp:${s.port}`;
    add('KUBE-CLUSTER-IP', entry(s.clusterIP));
    add('KUBE-IPVS-IPS', s.clusterIP);
    virtualServer(`${s.clusterIP}:${s.port}`, cluster, affinity);
    for (const e of local) add('KUBE-LOOP-BACK', `${e.ip},tcp:${e.port},${e.ip}`);
    if (s.loadBalancerIP) {
      add('KUBE-LOAD-BALANCER', entry(s.loadBalancerIP));
      add('KUBE-IPVS-IPS', s.loadBalancerIP);
      if (externalPolicyLocal(s)) add('KUBE-LOAD-BALANCER-LOCAL', entry(s.loadBalancerIP));
      if (s.sourceRanges.length) {
        add('KUBE-LOAD-BALANCER-FW', entry(s.loadBalancerIP));
        for (const cidr of s.sourceRanges) add('KUBE-LOAD-BALANCER-SOURCE-CIDR', `${entry(s.loadBalancerIP)},${cidr}`);
      }
      virtualServer(`${s.loadBalancerIP}:${s.port}`, external, affinity);
    }
    if (s.nodePort !== null) {
      add('KUBE-NODE-PORT-TCP', String(s.nodePort));
      if (externalPolicyLocal(s)) add('KUBE-NODE-PORT-LOCAL-TCP', String(s.nodePort));
      virtualServer(`${node.ip}:${s.nodePort}`, external, affinity);
    }
    if (s.healthCheckNodePort !== null) add('KUBE-HEALTH-CHECK-NODE-PORT', String(s.healthCheckNodePort));
  }
  const ipsets = SETS.flatMap(([name, type]) => [
    `create ${name} ${type} ${type === 'bitmap:port' ? 'range 0-65535' : 'family inet hashsize 1024 maxelem 65536'}`,
    ...members.get(name)!.map((m) => `add ${name} ${m}`),
  ]);
  const nonEmpty = (set: string) => members.get(set)!.length > 0;
  const nat = ['-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN'];
  const filter: string[] = [];
  for (const r of SET_RULES) if (nonEmpty(r.set)) (r.table === 'nat' ? nat : filter).push(r.rule);
  nat.push(
    `-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst ! -s ${spec.clusterCIDR} -j KUBE-MARK-MASQ`,
    '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
    '-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ',
    '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
    ...(nonEmpty('KUBE-LOAD-BALANCER') ? ['-A KUBE-SERVICES -m set --match-set KUBE-LOAD-BALANCER dst,dst -j ACCEPT'] : []),
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
  );
  filter.push(
    '-A KUBE-SOURCE-RANGES-FIREWALL -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT',
    '-A KUBE-IPVS-FILTER -m set --match-set KUBE-LOAD-BALANCER dst,dst -j RETURN',
    '-A KUBE-IPVS-FILTER -m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN',
    '-A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP dst,dst -j RETURN',
    '-A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst -j RETURN',
    '-A KUBE-IPVS-FILTER -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j RETURN',
    '-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT',
  );
  const iptables = [
    '*filter',
    ...['KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-IPVS-FILTER', 'KUBE-IPVS-OUT-FILTER'].map((c) => `:${c} - [0:0]`),
    // iptablesJumpChain, each prepended: the last one listed for a chain ends up first.
    '-A INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER',
    '-A INPUT -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL',
    '-A INPUT -m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT',
    '-A FORWARD -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A OUTPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-OUT-FILTER',
    ...filter,
    'COMMIT',
    '*nat',
    ...['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'].map((c) => `:${c} - [0:0]`),
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    ...nat,
    'COMMIT',
    '',
  ].join('\n');
  return { ipsets: `${ipsets.join('\n')}\n`, iptables, ipvsadm: `${vs.join('\n')}\n` };
}
