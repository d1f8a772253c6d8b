import { resolveTrace, TraceQuestionError } from '../analyzers/resolve-trace.ts';
import type { TraceSource, TraceTarget } from '../analyzers/resolve-trace.ts';
import { resolveProxyConfig } from '../analyzers/kube-proxy/index.ts';
import { tracePacket } from '../analyzers/trace.ts';
import { allNodeNames } from '../analyzers/node-scope.ts';
import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import { notFound, usageError } from '../errors.ts';
import { silentProgress, stderrProgressReady } from '../cluster/live/progress.ts';
import type { Progress } from '../cluster/live/progress.ts';
import type { GlobalOptions } from './global-options.ts';
import { nodeViews } from './node-views.ts';
import { openSource } from './open-source.ts';
import type { OutputFormat } from './output-format.ts';
import { printResult } from './print.ts';
import { parseProtocol, parseSource, parseTarget } from './target-syntax.ts';
import type { SourceSpec, TargetSpec } from './target-syntax.ts';
import type { ClusterSource, ExtraPods } from '../cluster/source.ts';
import type { Protocol } from '../model/packet.ts';
import type { TraceReport } from '../model/results.ts';

export interface TraceFlags extends GlobalOptions, NodeAccessFlags {
  output: OutputFormat;
  from: string;
  node?: string;
  port?: string;
  protocol?: string;
}

/** Run: trace with its parsed flags. */
export async function runTrace(rawTarget: string, opts: TraceFlags): Promise<void> {
  const request = {
    target: parseTarget(rawTarget),
    source: parseSource(opts.from),
    protocol: opts.protocol ? parseProtocol(opts.protocol) : null,
    port: opts.port ?? null,
    node: opts.node ?? null,
  };
  if (request.port && request.target.kind === 'address') throw usageError('--port applies to a service TARGET; an IP:PORT target has its port');
  const { source, namespace } = await openSource(opts);
  try {
    await printResult(await traceFrom(source, namespace, request, await stderrProgressReady(opts.verbose)), opts.output, opts.color);
  } finally {
    await source.close();
  }
}

export interface TraceRequest {
  target: TargetSpec;
  source: SourceSpec;
  protocol: Protocol | null;
  port: string | null;
  node: string | null;
}

/** Reads what the question needs from `source` and traces the packet. */
export async function traceFrom(
  cluster: ClusterSource,
  namespace: string,
  req: TraceRequest,
  progress: Progress = silentProgress,
): Promise<TraceReport> {
  const { target, source } = req;
  // The source pod is read too (a live source reads only the service's own pods otherwise).
  const extraPods: ExtraPods =
    source.kind === 'pod'
      ? { byName: [{ namespace: source.namespace ?? namespace, name: source.name }] }
      : source.kind === 'ip'
        ? { byIP: [source.ip] }
        : {};
  const state = await cluster.readState(
    target.kind === 'service'
      ? { kind: 'service', namespace: target.namespace ?? namespace, name: target.name, extraPods }
      : { kind: 'all-services', extraPods },
  );
  const tt: TraceTarget =
    target.kind === 'service' ? { kind: 'service', namespace: target.namespace ?? namespace, name: target.name, port: req.port } : target;
  const ts: TraceSource = source.kind === 'pod' ? { ...source, namespace: source.namespace ?? namespace } : source;
  let question;
  try {
    const gates = resolveProxyConfig(state.kubeProxyConfig, state.nodes).gates;
    question = resolveTrace(state, gates, tt, ts, { node: req.node, protocol: req.protocol });
  } catch (e) {
    if (e instanceof TraceQuestionError) throw e.kind === 'not-found' ? notFound(e.message) : usageError(e.message);
    throw e;
  }
  const hc = (question.service ?? question.healthCheck)?.spec?.healthCheckNodePort;
  // Only the entry node's rules decide the packet's fate; endpoints' nodes forward it unchanged.
  const dumps = await cluster.readNodes({ nodes: [question.entryNode], healthCheckPorts: hc ? [hc] : [] });
  // Every node gets a view (the others without a dump) so that findings cover the whole service.
  const names = allNodeNames(state);
  if (!names.includes(question.entryNode)) names.push(question.entryNode);
  return tracePacket(state, question, nodeViews(names, dumps, progress));
}
