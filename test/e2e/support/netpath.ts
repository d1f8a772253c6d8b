import assert from 'node:assert/strict';
import type { Cluster } from '../../harness/cluster.ts';
import { healthChecks } from '../../harness/healthz.ts';
import { probe } from '../../harness/traffic.ts';
import type { Outcome } from '../../../src/model/outcome.ts';
import type { EntryKind, PathReport, ServiceExplanation, TraceReport } from '../../../src/model/results.ts';
import { explainBundle, traceBundle } from '../../unit/explain/bundle-helpers.ts';
import { assertKernelAgrees, kernelCategory, withOneResample } from './compare.ts';
import type { KernelRun } from './compare.ts';
import type { Scenario } from './scenario.ts';

export { explainBundle, traceBundle };

/** Connections per path with answers: enough for a chi-square test to see a 5-point share error. */
export const CONNECTIONS = 1200;
/** A path netpath says is dropped is deterministic: a few unanswered connections show it. */
const DROP_CONNECTIONS = 20;
const DROP_TIMEOUT_MS = 300;
/**
 * A REJECT answers with ICMP port unreachable, which Linux rate-limits per destination
 * (net.ipv4.icmp_ratelimit 1 s, burst 6): past the burst, refusals turn into timeouts (observed:
 * 1200 connections gave refused and timeout alternating, one token a second). So REJECT paths
 * get fewer connections than the burst, and each scenario sends them to different
 * (node, client) pairs.
 */
const REJECT_CONNECTIONS = 5;
/**
 * A path where some connections are answered and others time out (replies lost on the way back):
 * connections run one after another, so fewer and shorter ones keep it under the deadline
 * (60 timeouts x 600 ms = 36 s); at a 1/3 answer share 90 give 30 answers, SD 4.5.
 */
const MIXED_CONNECTIONS = 90;
const MIXED_TIMEOUT_MS = 600;
/** Answers come within milliseconds; the margin is for a busy machine. */
export const ANSWER_TIMEOUT_MS = 2000;

/** The explain-svc path of one entry on one node (and port, when the service has several). */
export function pathOf(ex: ServiceExplanation, entry: EntryKind, node: string, port?: number): PathReport {
  const found = ex.paths.filter((p) => p.entry === entry && p.node === node && (port === undefined || p.port === port));
  assert.equal(found.length, 1, `explain-svc ${ex.service.namespace}/${ex.service.name}: ${found.length} ${entry} paths on ${node}${port ? ` port ${port}` : ''} (paths: ${ex.paths.map((p) => `${p.entry}@${p.node}:${p.port}`).join(', ')})`);
  return found[0]!;
}

export interface Shot {
  /** Network namespace to send from. */
  from: string;
  /** Its address as the entry node sees it. */
  clientIP: string;
  /** Node whose rules decide (where the packet first meets kube-proxy's rules). */
  entryNode: string;
  address: string;
  port: number;
  protocol?: 'tcp' | 'udp';
  label: string;
}

/**
 * Sends real connections as `shot` says and checks the kernel against every prediction given
 * (e.g. the explain-svc path and the trace of the same packet). The number of connections comes
 * from the first prediction: DROP-only and REJECT-only paths get a few (see above), others
 * CONNECTIONS.
 */
export async function probeAgainst(s: Scenario, shot: Shot, predictions: Record<string, readonly Outcome[]>): Promise<KernelRun> {
  const first = Object.values(predictions)[0];
  if (!first) throw new Error('probeAgainst: no prediction');
  const only = (k: string) => first.every((o) => kernelCategory(o, s.namespace) === k);
  const dropOnly = only('timeout');
  const mixed = !dropOnly && first.some((o) => kernelCategory(o, s.namespace) === 'timeout' && o.probability > 0);
  const count = dropOnly ? DROP_CONNECTIONS : only('refused') ? REJECT_CONNECTIONS : mixed ? MIXED_CONNECTIONS : CONNECTIONS;
  const take = async (): Promise<KernelRun> => ({
    label: shot.label,
    count,
    tally: await probe(s.c, {
      from: shot.from,
      address: shot.address,
      port: shot.port,
      protocol: shot.protocol ?? 'tcp',
      count,
      timeoutMs: dropOnly ? DROP_TIMEOUT_MS : mixed ? MIXED_TIMEOUT_MS : ANSWER_TIMEOUT_MS,
      deadlineMs: 60_000,
    }),
    clientIP: shot.clientIP,
    entryNode: s.node(shot.entryNode),
    namespace: s.namespace,
    pods: s.pods,
  });
  return withOneResample(shot.label, take, (run) => {
    for (const [who, outcomes] of Object.entries(predictions)) assertKernelAgrees(run, outcomes, who);
  });
}

/** trace's outcomes, after checking the report describes the packet that was sent. */
export function traced(t: TraceReport, shot: Shot): Outcome[] {
  assert.equal(t.packet.dst, shot.address, `${shot.label}: trace dst`);
  assert.equal(t.packet.port, shot.port, `${shot.label}: trace port`);
  assert.equal(t.packet.src, shot.clientIP, `${shot.label}: trace src`);
  assert.equal(t.packet.entryNode, shot.entryNode, `${shot.label}: trace entry node`);
  assert.equal(t.basis, 'dataplane', `${shot.label}: trace walked the rules`);
  return t.outcomes;
}

/**
 * curl NODE-IP:healthCheckNodePort/healthz from the external client on every node: the status
 * is what netpath predicted, and the localEndpoints kube-proxy reports is netpath's count of
 * ready local endpoints. Returns the nodes that answered 200 (where an LB would send).
 */
export async function assertHealthChecks(c: Cluster, ex: ServiceExplanation): Promise<string[]> {
  const port = ex.service.healthCheckNodePort;
  assert.ok(port, `${ex.service.name} has a healthCheckNodePort`);
  const answers = await healthChecks(c, port);
  for (const a of answers) {
    const predicted = ex.nodes.find((n) => n.name === a.node);
    assert.ok(predicted, `explain-svc reports node ${a.node}`);
    assert.equal(predicted.healthCheck.status, a.status, `health check of ${ex.service.name} on ${a.node}: kernel answered ${a.status} (${a.body}), netpath predicted ${predicted.healthCheck.status} (${predicted.healthCheck.reason})`);
    const body = JSON.parse(a.body) as { localEndpoints?: number };
    assert.equal(predicted.readyLocalEndpoints, body.localEndpoints, `localEndpoints of ${ex.service.name} on ${a.node}: kube-proxy says ${body.localEndpoints}`);
  }
  return answers.filter((a) => a.status === 200).map((a) => a.node);
}
