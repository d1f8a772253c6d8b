/**
 * kube-proxy's two small HTTP answers a node read keeps: /proxyMode on the metrics port and the
 * health-check body. Either one that cannot be read is an error naming the file and line.
 */
import { DumpParseError } from '../../dataplane/errors.ts';
import { parseJsonText } from '../../dataplane/json-text.ts';
import { checkDumpText } from '../../dataplane/node-files.ts';

/**
 * The mode word kube-proxy's metrics server prints for /proxyMode (`iptables`, `ipvs`,
 * `nftables`, `kernelspace` on Windows): one lowercase word, nothing else. An unknown word is
 * kept (the mode check reports it); anything else is not that answer.
 */
export function parseProxyModeAnswer(text: string, file: string): string {
  checkDumpText(file, text);
  const lines = text.trim().split('\n');
  const word = lines[0]!.trim();
  if (lines.length > 1) throw new DumpParseError(file, 2, `expected one word (the answer of /proxyMode, e.g. "iptables"), found more lines`);
  if (!/^[a-z]+$/.test(word)) {
    throw new DumpParseError(file, 1, `"${word.length > 40 ? `${word.slice(0, 40)}...` : word}" is not a kube-proxy mode (the answer of /proxyMode is one word, e.g. "iptables")`);
  }
  return word;
}

/** What the health-check body says: the number of local endpoints, and whether kube-proxy calls itself healthy. */
export interface HealthzBody {
  localEndpoints: number;
  serviceProxyHealthy: boolean | null;
}

/**
 * kube-proxy's health-check body (pkg/proxy/healthcheck, service_health.go):
 * `{"service": {"namespace": ..., "name": ...}, "localEndpoints": N, "serviceProxyHealthy": B}`
 * (serviceProxyHealthy since 1.28). Valid JSON of another shape is not that answer either.
 */
export function parseHealthzBody(text: string, file: string): HealthzBody {
  const body = parseJsonText(text, file) as { localEndpoints?: unknown; serviceProxyHealthy?: unknown } | null;
  const n = typeof body === 'object' && body !== null && !Array.isArray(body) ? body.localEndpoints : undefined;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new DumpParseError(file, 1, 'not kube-proxy\'s health-check answer: expected an object with "localEndpoints" (a count)');
  }
  const healthy = (body as { serviceProxyHealthy?: unknown }).serviceProxyHealthy;
  return { localEndpoints: n, serviceProxyHealthy: typeof healthy === 'boolean' ? healthy : null };
}
