import type { Cluster } from './cluster.ts';
import { inNetns } from './netns.ts';

/** What `netpath-echo probe` printed: which pod answered and the source address it saw. */
export interface Tally {
  sent: number;
  answered: number;
  /** Failed connections by kind: refused, timeout, no route, unreachable, reset, other. */
  errors: Record<string, number>;
  /** Answers per pod (namespace/name). */
  pods: Record<string, number>;
  /** Per pod: source IP it saw -> count. */
  sources: Record<string, Record<string, number>>;
}

export interface ProbeOptions {
  /** Network namespace to send from: a pod's, a node's or the external client's. */
  from: string;
  address: string;
  port: number;
  protocol?: 'tcp' | 'udp';
  /** Connections to open, each from a fresh source port (at most 100000). */
  count: number;
  /** Per-connection timeout. Default 1000 ms. */
  timeoutMs?: number;
  /** The probe stops after this long whatever the count. Default 120 s. */
  deadlineMs?: number;
}

/** Sends `count` real connections from a namespace and tallies who answered. */
export async function probe(c: Cluster, opts: ProbeOptions): Promise<Tally> {
  const deadlineMs = opts.deadlineMs ?? 120_000;
  const host = opts.address.includes(':') ? `[${opts.address}]` : opts.address;
  const res = await inNetns(opts.from, [
    c.layout.echoBin, 'probe',
    '--addr', `${host}:${opts.port}`,
    '--proto', opts.protocol ?? 'tcp',
    '--count', String(opts.count),
    '--timeout', `${opts.timeoutMs ?? 1000}ms`,
    '--deadline', `${deadlineMs}ms`,
  ], deadlineMs + 10_000);
  // Exit 3 means nothing answered: still a tally (a DROP or REJECT rule is a valid outcome).
  if (res.exitCode !== 0 && res.exitCode !== 3) {
    throw new Error(`netpath-echo probe failed (exit ${res.exitCode}): ${res.stderr.trim()}`);
  }
  return JSON.parse(res.stdout) as Tally;
}
