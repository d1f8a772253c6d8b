import type { IptablesDump } from '../dataplane/iptables/model.ts';
import type { NftRuleset } from '../dataplane/nftables/model.ts';
import type { NodeState } from '../dataplane/node-state/node-state.ts';
import type { Evidence, Finding } from '../model/finding.ts';

/** Everything `node` knows about one node, already parsed. */
export interface NodeHealthInput {
  node: string;
  /** The mode netpath walks this node in (reported, or inferred from its files). */
  mode: string | null;
  state: NodeState;
  iptables: IptablesDump | null;
  nft: NftRuleset | null;
  /** kube-proxy's syncPeriod in seconds and where it came from (ConfigMap, or the default). */
  syncPeriod: { seconds: number; source: string };
  /** The time of the reading in epoch ms (live: now; bundle: kube-proxy's healthz currentTime), or null. */
  now: number | null;
}

export interface RuleCounts {
  rules: number;
  chains: number;
  /** By kind of chain: service, endpoint, external, firewall, kube-proxy (fixed chains), other. */
  byKind: Record<string, { chains: number; rules: number }>;
  /** Rules a new connection's first packet may test one by one before its service matches. */
  serviceDispatchRules: number | null;
}

export interface FamilySync {
  family: string;
  lastSync: string | null;
  ageSeconds: number | null;
  meanSyncSeconds: number | null;
  meanProgrammingSeconds: number | null;
  ruleTotals: Record<string, number>;
  noLocalEndpoints: Record<string, number>;
}

export interface NodeHealth {
  node: string;
  proxyMode: string | null;
  kubeProxyVersion: string | null;
  healthy: boolean | null;
  sync: FamilySync[];
  pendingChanges: { services: number | null; endpoints: number | null } | null;
  iptablesBackend: { inUse: string | null; otherBackendHasRules: boolean } | null;
  rules: RuleCounts | null;
  conntrack: {
    count: number | null;
    max: number | null;
    fill: number | null;
    insertFailed: number | null;
    drop: number | null;
    earlyDrop: number | null;
    entriesRead: number | null;
  } | null;
  findings: Finding[];
}

/** Fill at which the table is reported as nearly full: early drops start only when it is full. */
export const CONNTRACK_NEAR_FULL = 0.9;
/** Services past which a note on iptables mode's linear first-packet cost is given (the 1,000+). */
export const SCALE_NOTE_SERVICES = 1000;

const BLOG = 'https://kubernetes.io/blog/2025/02/28/nftables-kube-proxy/';
const KEP_NFT = 'KEP-3866 (https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/3866-nftables-proxy)';
const KEP_IPVS = 'KEP-5495 (https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/5495-deprecate-ipvs-mode-in-kube-proxy)';

export function nodeHealth(input: NodeHealthInput): NodeHealth {
  const { node, state } = input;
  const m = state.metrics;
  const findings: Finding[] = [];
  const evidence = (file: string, detail: string): Evidence => ({ kind: 'node', node, detail: `${state.files[file] ?? file}: ${detail}` });

  const sync: FamilySync[] = Object.entries(m?.families ?? {}).map(([family, f]) => {
    const fromHealthz = state.healthz?.families[family]?.lastUpdated ?? null;
    const last = f.lastSync !== null ? f.lastSync * 1000 : fromHealthz;
    return {
      family,
      lastSync: last === null ? null : new Date(last).toISOString(),
      ageSeconds: last === null || input.now === null ? null : Math.max(0, (input.now - last) / 1000),
      meanSyncSeconds: f.syncSeconds?.mean ?? null,
      meanProgrammingSeconds: f.programmingSeconds?.mean ?? null,
      ruleTotals: f.ruleTotals,
      noLocalEndpoints: f.noLocalEndpoints,
    };
  });
  // kube-proxy re-syncs only on changes (and once an hour), so an old last sync is normal. It is
  // late when a change has waited longer than 2 × syncPeriod, when its own /healthz turns
  // unhealthy (pkg/proxy/healthcheck/proxy_health.go; cmd/kube-proxy/app/server.go).
  const healthTimeout = 2 * input.syncPeriod.seconds;
  for (const [family, f] of Object.entries(m?.families ?? {})) {
    if (f.lastQueued === null || input.now === null || (f.lastSync !== null && f.lastQueued <= f.lastSync)) continue;
    const waited = input.now / 1000 - f.lastQueued;
    if (waited <= healthTimeout) continue;
    findings.push({
      id: 'kube-proxy-not-synced',
      severity: 'warning',
      message: `${node}: a change to kube-proxy's ${family} rules has waited ${Math.round(waited)} s without a successful sync, longer than 2 × its sync period (${healthTimeout} s, when its own /healthz turns unhealthy): the rules read may not reflect the current Services and EndpointSlices.`,
      evidence: [
        evidence('kube-proxy-metrics.txt', `${family} last queued ${new Date(f.lastQueued * 1000).toISOString()}, last sync ${f.lastSync === null ? 'never' : new Date(f.lastSync * 1000).toISOString()}`),
        { kind: 'config', source: input.syncPeriod.source, detail: `syncPeriod ${input.syncPeriod.seconds}s` },
      ],
      remediation: "Check kube-proxy's logs on the node (sync errors, iptables lock contention) and that it is running; compare its sync duration with the sync period.",
    });
  }

  const stats = state.conntrackStats?.totals;
  const count = state.conntrackCount;
  const conntrack = state.conntrackCount || state.conntrackStats || state.conntrack
    ? {
        count: count?.count ?? null,
        max: count?.max ?? null,
        fill: count && count.max > 0 ? count.count / count.max : null,
        insertFailed: stats?.insert_failed ?? null,
        drop: stats?.drop ?? null,
        earlyDrop: stats?.early_drop ?? null,
        entriesRead: state.conntrack?.entries.length ?? null,
      }
    : null;
  if (conntrack?.fill !== null && conntrack?.fill !== undefined && conntrack.fill >= CONNTRACK_NEAR_FULL) {
    const full = conntrack.fill >= 1;
    findings.push({
      id: 'conntrack-near-full',
      severity: full ? 'error' : 'warning',
      message: `${node}: the connection tracking table holds ${conntrack.count} of ${conntrack.max} entries (${(conntrack.fill * 100).toFixed(1)}%)${full ? ': it is full, new connections are dropped' : ''}.`,
      evidence: [evidence('conntrack-count', `nf_conntrack_count ${conntrack.count}, nf_conntrack_max ${conntrack.max}`)],
      remediation: 'Raise net.netfilter.nf_conntrack_max (kube-proxy conntrack.maxPerCore/min), shorten timeouts of idle states, or find the client opening connections it never closes (conntrack -L grouped by source).',
    });
  }
  const lost = (conntrack?.drop ?? 0) + (conntrack?.earlyDrop ?? 0) + (conntrack?.insertFailed ?? 0);
  if (conntrack && lost > 0) {
    findings.push({
      id: 'conntrack-drops',
      severity: 'warning',
      message: `${node}: conntrack counted drop ${conntrack.drop ?? 0}, early_drop ${conntrack.earlyDrop ?? 0}, insert_failed ${conntrack.insertFailed ?? 0} since boot (summed over CPUs): packets were lost to a full table or to insertion races (UDP above all).`,
      evidence: [evidence('conntrack-stats.txt', 'conntrack -S')],
      remediation: 'early_drop/drop: the table is or was full (see nf_conntrack_max). insert_failed: simultaneous packets of one UDP flow raced (e.g. DNS A and AAAA queries): kernels 5.0+ resolve most clashes; consider single-request-reopen or NodeLocal DNSCache.',
    });
  }

  let iptablesBackend: NodeHealth['iptablesBackend'] = null;
  if (input.iptables) {
    const otherBackendHasRules = input.iptables.notices.some((n) => /legacy tables|iptables-legacy/i.test(n.message));
    iptablesBackend = { inUse: input.iptables.backend, otherBackendHasRules };
    if (otherBackendHasRules) {
      findings.push({
        id: 'iptables-both-backends',
        severity: 'warning',
        message: `${node}: rules exist in both iptables backends (kube-proxy's in ${input.iptables.backend}, others in legacy): both are evaluated by the kernel, and a component writing to the wrong one is invisible to the other's tools.`,
        evidence: [evidence('iptables-save.txt', 'iptables-nft-save warned that legacy tables are present')],
        remediation: 'Make every component on the node (kube-proxy, CNI, kubelet, host firewall) use one backend; inspect the other with iptables-legacy-save.',
      });
    }
  }

  const rules = input.iptables ? iptablesCounts(input.iptables) : input.nft ? nftCounts(input.nft) : null;
  const services = rules?.serviceDispatchRules ?? null;
  if (input.mode === 'iptables' && services !== null && services >= SCALE_NOTE_SERVICES) {
    findings.push({
      id: 'iptables-mode-at-scale',
      severity: 'info',
      message: `${node}: KUBE-SERVICES holds ${services} rules, one per service address and port, tested in order for the first packet of every new connection: in iptables mode that cost grows linearly with the number of Services, and each full resync rewrites all ${rules!.rules} rules. The nftables mode looks the address up in one verdict map instead (Kubernetes blog, "NFTables mode for kube-proxy", ${BLOG}; ${KEP_NFT}).`,
      evidence: [evidence('iptables-save.txt', `${rules!.rules} rules in ${rules!.chains} chains`)],
      remediation: 'Plan a move to --proxy-mode=nftables (GA in v1.33, kernel 5.13+), or keep the service count per cluster down.',
    });
  }
  const version = m?.version ?? null;
  if (input.mode === 'ipvs' && version && minorOf(version) !== null && minorOf(version)! >= 35) {
    findings.push({
      id: 'ipvs-mode-deprecated',
      severity: 'warning',
      message: `${node}: kube-proxy ${version} runs the IPVS mode, deprecated since v1.35 (${KEP_IPVS}); the nftables mode is its replacement.`,
      evidence: [evidence('kube-proxy-metrics.txt', `kubernetes_build_info git_version ${version}`)],
      remediation: 'Plan the move to --proxy-mode=nftables.',
    });
  }

  return {
    node,
    proxyMode: input.mode,
    kubeProxyVersion: version,
    healthy: state.healthz?.healthy ?? null,
    sync,
    pendingChanges: m?.pendingChanges ?? null,
    iptablesBackend,
    rules,
    conntrack,
    findings,
  };
}

function minorOf(version: string): number | null {
  const mm = /^v?1\.(\d+)\./.exec(version);
  return mm ? Number(mm[1]) : null;
}

const IPT_KINDS: [RegExp, string][] = [
  [/^KUBE-SEP-/, 'endpoint'],
  [/^KUBE-(SVC|SVL)-/, 'service'],
  [/^KUBE-(EXT|XLB)-/, 'external'],
  [/^KUBE-(FW|SRC)-/, 'firewall'],
  [/^KUBE-/, 'kube-proxy'],
];

export function iptablesCounts(dump: IptablesDump): RuleCounts {
  const byKind: RuleCounts['byKind'] = {};
  let rules = 0;
  let chains = 0;
  let dispatch: number | null = null;
  for (const table of dump.tables) {
    for (const chain of table.chains) {
      chains++;
      rules += chain.ruleCount;
      const kind = IPT_KINDS.find(([re]) => re.test(chain.name))?.[1] ?? 'other';
      const k = (byKind[kind] ??= { chains: 0, rules: 0 });
      k.chains++;
      k.rules += chain.ruleCount;
      if (table.name === 'nat' && chain.name === 'KUBE-SERVICES') dispatch = (dispatch ?? 0) + chain.ruleCount;
    }
  }
  return { rules, chains, byKind, serviceDispatchRules: dispatch };
}

const NFT_KINDS: [RegExp, string][] = [
  [/^endpoint-/, 'endpoint'],
  [/^service-/, 'service'],
  [/^external-/, 'external'],
  [/^firewall-/, 'firewall'],
];

/** kube-proxy's own tables (ip/ip6 kube-proxy); other tables on the node are not kube-proxy's. */
export function nftCounts(rs: NftRuleset): RuleCounts {
  const byKind: RuleCounts['byKind'] = {};
  let rules = 0;
  let chains = 0;
  for (const table of rs.tables.filter((t) => t.name === 'kube-proxy')) {
    for (const chain of table.chains.values()) {
      chains++;
      rules += chain.ruleCount;
      const kind = NFT_KINDS.find(([re]) => re.test(chain.name))?.[1] ?? 'kube-proxy';
      const k = (byKind[kind] ??= { chains: 0, rules: 0 });
      k.chains++;
      k.rules += chain.ruleCount;
    }
  }
  // nftables looks services up in a map: the first packet does not walk a list.
  return { rules, chains, byKind, serviceDispatchRules: null };
}
