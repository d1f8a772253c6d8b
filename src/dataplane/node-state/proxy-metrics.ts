import { DumpParseError } from '../errors.ts';
import { parsePrometheusText } from './prometheus-text.ts';
import type { MetricSample } from './prometheus-text.ts';

/** Per IP family: what kube-proxy's :10249/metrics says about its syncs. */
export interface FamilyMetrics {
  /** Epoch seconds of the last successful sync (kubeproxy_sync_proxy_rules_last_timestamp_seconds). */
  lastSync: number | null;
  /** Epoch seconds when a sync was last queued; a queued sync newer than lastSync is still pending. */
  lastQueued: number | null;
  /** Mean sync duration in seconds and how many syncs it averages. */
  syncSeconds: { mean: number; count: number } | null;
  /** Mean network programming latency (change seen by the API server -> rules written). */
  programmingSeconds: { mean: number; count: number } | null;
  /** Rules/objects written at the last sync, by table (iptables: filter/nat; nftables: objects). */
  ruleTotals: Record<string, number>;
  /** Services with a Local policy and no local endpoint, by traffic_policy (internal/external). */
  noLocalEndpoints: Record<string, number>;
}

export interface ProxyMetrics {
  /** kubernetes_build_info git_version, e.g. v1.36.3. */
  version: string | null;
  /** process_start_time_seconds. */
  startTime: number | null;
  pendingChanges: { services: number | null; endpoints: number | null };
  families: Record<string, FamilyMetrics>;
  /** Line of each metric's first sample, for evidence. */
  lines: Record<string, number>;
}

const M = {
  lastSync: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
  lastQueued: 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds',
  sync: 'kubeproxy_sync_proxy_rules_duration_seconds',
  programming: 'kubeproxy_network_programming_duration_seconds',
  iptablesTotal: 'kubeproxy_sync_proxy_rules_iptables_total',
  nftablesTotal: 'kubeproxy_sync_proxy_rules_nftables_objects',
  noLocal: 'kubeproxy_sync_proxy_rules_no_local_endpoints_total',
  servicesPending: 'kubeproxy_sync_proxy_rules_service_changes_pending',
  endpointsPending: 'kubeproxy_sync_proxy_rules_endpoint_changes_pending',
} as const;

/** Samples read as numbers below (histograms by their _sum and _count). */
const KEPT = new Set<string>([...Object.values(M), 'process_start_time_seconds', ...[M.sync, M.programming].flatMap((b) => [`${b}_sum`, `${b}_count`])]);

/** Samples that are epoch seconds, and the largest a Date holds (8.64e15 ms). */
const TIMES = new Set<string>([M.lastSync, M.lastQueued, 'process_start_time_seconds']);
const MAX_EPOCH_S = 8.64e12;

/** Parses kube-proxy's metrics text and keeps what `node` reports; unknown metrics are ignored. */
export function parseProxyMetrics(text: string, file: string): ProxyMetrics {
  const samples = parsePrometheusText(text, file);
  const families: Record<string, FamilyMetrics> = {};
  const lines: Record<string, number> = {};
  const family = (s: MetricSample): FamilyMetrics => {
    // Single-stack kube-proxy versions before the per-family labels report no ip_family.
    const f = s.labels.ip_family ?? 'IPv4';
    return (families[f] ??= { lastSync: null, lastQueued: null, syncSeconds: null, programmingSeconds: null, ruleTotals: {}, noLocalEndpoints: {} });
  };
  const sums = new Map<string, { sum: number; count: number }>();
  let version: string | null = null;
  let startTime: number | null = null;
  const pending: ProxyMetrics['pendingChanges'] = { services: null, endpoints: null };
  for (const s of samples) {
    lines[s.name] ??= s.line;
    // Timestamps, counts and durations: +Inf or NaN (valid Prometheus text) is no reading of them.
    if (KEPT.has(s.name) && !Number.isFinite(s.value)) throw new DumpParseError(file, s.line, `${s.name} is ${s.value}: expected a finite number`);
    // Epoch seconds become dates: past +-8.64e12 s (year 275760) no Date holds them.
    if (TIMES.has(s.name) && !(Math.abs(s.value) <= MAX_EPOCH_S)) throw new DumpParseError(file, s.line, `${s.name} is ${s.value}: not a time in epoch seconds`);
    switch (s.name) {
      case 'kubernetes_build_info':
        version = s.labels.git_version ?? null;
        break;
      case 'process_start_time_seconds':
        startTime = s.value;
        break;
      case M.lastSync:
        family(s).lastSync = s.value;
        break;
      case M.lastQueued:
        family(s).lastQueued = s.value;
        break;
      case M.iptablesTotal:
      case M.nftablesTotal:
        family(s).ruleTotals[s.labels.table ?? s.labels.object_type ?? 'total'] = s.value;
        break;
      case M.noLocal:
        family(s).noLocalEndpoints[s.labels.traffic_policy ?? 'unknown'] = s.value;
        break;
      case M.servicesPending:
        pending.services = s.value;
        break;
      case M.endpointsPending:
        pending.endpoints = s.value;
        break;
      default:
        for (const base of [M.sync, M.programming]) {
          const part = s.name === `${base}_sum` ? 'sum' : s.name === `${base}_count` ? 'count' : null;
          if (!part) continue;
          const key = `${base}\0${s.labels.ip_family ?? 'IPv4'}`;
          family(s);
          const acc = sums.get(key) ?? { sum: 0, count: 0 };
          acc[part] = s.value;
          sums.set(key, acc);
        }
    }
  }
  for (const [key, { sum, count }] of sums) {
    const [base, f] = key.split('\0') as [string, string];
    const fm = families[f]!;
    const mean = count > 0 ? { mean: sum / count, count } : null;
    if (base === M.sync) fm.syncSeconds = mean;
    else fm.programmingSeconds = mean;
  }
  return { version, startTime, pendingChanges: pending, families, lines };
}
