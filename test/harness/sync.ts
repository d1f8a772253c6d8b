import type { Cluster } from './cluster.ts';
import { inNetnsOk } from './netns.ts';
import { waitUntil } from './wait.ts';

/**
 * One sample of a Prometheus text-format metric: the unlabelled one, or with `label` (e.g.
 * `ip_family="IPv4"`) among its labels; undefined when absent.
 */
export function metricValue(text: string, name: string, label?: string): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    if (label === undefined ? m[2] === undefined : m[2]?.includes(label)) return Number(m[3]);
  }
  return undefined;
}

interface ProxySyncState {
  lastSync: number;
  pending: number;
}

async function proxySyncState(netns: string): Promise<ProxySyncState> {
  const text = await inNetnsOk(netns, ['curl', '-sf', '-m', '2', 'http://127.0.0.1:10249/metrics'], 5_000);
  const pending =
    (metricValue(text, 'kubeproxy_sync_proxy_rules_endpoint_changes_pending') ?? 0) +
    (metricValue(text, 'kubeproxy_sync_proxy_rules_service_changes_pending') ?? 0);
  // kube-proxy runs an IPv6 proxier too where the netns has IPv6; the harness's Services are IPv4.
  const lastSync = metricValue(text, 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'ip_family="IPv4"') ?? 0;
  return { lastSync, pending };
}

/**
 * Waits until kube-proxy on every node (or on the nodes named) has finished a rule sync after
 * `since` (epoch seconds, taken before the API change) with no service or endpoint change left
 * pending. Call it once the API objects are in their final state (e.g. after waitForEndpoints).
 */
export async function waitForProxySync(c: Cluster, since: number, timeoutMs = 60_000, nodes?: readonly string[]): Promise<void> {
  for (const node of c.layout.nodes.filter((n) => !nodes || nodes.includes(n.name))) {
    await waitUntil(`kube-proxy sync on ${node.name}`, async () => {
      const s = await proxySyncState(node.netns);
      return s.lastSync > since && s.pending === 0 ? s : undefined;
    }, timeoutMs);
  }
}

export function nowSeconds(): number {
  return Date.now() / 1000;
}

/**
 * When kube-proxy last finished a rule sync on each node (epoch seconds, IPv4 proxier): equal
 * readings before and after a series of dumps mean the rules did not change in between.
 */
export async function lastProxySyncs(c: Cluster, nodes?: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const node of c.layout.nodes.filter((n) => !nodes || nodes.includes(n.name))) out[node.name] = (await proxySyncState(node.netns)).lastSync;
  return out;
}
