import type { Cluster } from './cluster.ts';
import { inNetns } from './netns.ts';

export interface HealthzAnswer {
  node: string;
  /** HTTP status, or null when nothing answered. */
  status: number | null;
  body: string;
}

/** curl http://IP:PORT/healthz from a network namespace. */
export async function curlHealthz(netns: string, ip: string, port: number): Promise<{ status: number | null; body: string }> {
  const res = await inNetns(netns, ['curl', '-s', '-m', '2', '-w', '\n%{http_code}', `http://${ip}:${port}/healthz`], 10_000);
  const lines = res.stdout.split('\n');
  const code = Number(lines.pop());
  return { status: code > 0 ? code : null, body: lines.join('\n') };
}

/**
 * Asks every node's kube-proxy about a healthCheckNodePort from the external client, as a cloud
 * load balancer's health checker would.
 */
export async function healthChecks(c: Cluster, port: number): Promise<HealthzAnswer[]> {
  return Promise.all(
    c.layout.nodes.map(async (n) => ({ node: n.name, ...(await curlHealthz(c.layout.client.netns, n.ip, port)) })),
  );
}
