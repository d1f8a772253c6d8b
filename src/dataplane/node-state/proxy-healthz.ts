import { DumpParseError } from '../errors.ts';

/** kube-proxy's own /healthz on 10256 (pkg/proxy/healthcheck/proxy_health.go). */
export interface ProxyHealthz {
  /** Epoch milliseconds of the last successful sync (lastUpdated), or null. */
  lastUpdated: number | null;
  /** Epoch milliseconds when kube-proxy answered (currentTime). */
  currentTime: number | null;
  healthy: boolean | null;
  /** Per IP family, where kube-proxy reports it (v1.31+). */
  families: Record<string, { lastUpdated: number | null; healthy: boolean | null }>;
}

const time = (v: unknown, field: string, file: string): number | null => {
  if (v === undefined || v === null) return null;
  const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t)) throw new DumpParseError(file, 1, `${field}: not an RFC 3339 time: ${JSON.stringify(v)}`);
  return t;
};
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

export function parseProxyHealthz(text: string, file: string): ProxyHealthz {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DumpParseError(file, null, `invalid JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new DumpParseError(file, null, 'expected a JSON object (kube-proxy /healthz body)');
  const d = doc as Record<string, unknown>;
  if (!('lastUpdated' in d)) throw new DumpParseError(file, null, 'no lastUpdated: not the body of kube-proxy :10256/healthz');
  const families: ProxyHealthz['families'] = {};
  const status = d.status && typeof d.status === 'object' ? (d.status as Record<string, Record<string, unknown>>) : {};
  for (const [family, s] of Object.entries(status)) {
    families[family] = { lastUpdated: time(s?.lastUpdated, `status.${family}.lastUpdated`, file), healthy: bool(s?.healthy) };
  }
  return {
    lastUpdated: time(d.lastUpdated, 'lastUpdated', file),
    currentTime: time(d.currentTime, 'currentTime', file),
    healthy: bool(d.healthy),
    families,
  };
}
