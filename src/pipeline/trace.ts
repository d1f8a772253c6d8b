import { allNodeNames } from '../analyzers/node-scope.ts';
import { resolveTrace, TraceQuestionError } from '../analyzers/resolve-trace.ts';
import type { ResolvedTrace } from '../analyzers/resolve-trace.ts';
import { FACT_BUILDERS, runFacts } from '../analyzers/run-facts.ts';
import type { FactBuilders, RunFacts } from '../analyzers/run-facts.ts';
import { tracePacket } from '../analyzers/trace.ts';
import { silentProgress } from '../cluster/live/progress.ts';
import type { Progress } from '../cluster/live/progress.ts';
import type { ClusterSource } from '../cluster/source.ts';
import { notFound, usageError } from '../errors.ts';
import type { Question } from '../model/question.ts';
import type { TraceReport } from '../model/results.ts';
import { nodeViews } from './node-views.ts';
import { traceNodeReads, traceStateRead } from './plan.ts';

/**
 * trace: plan -> collect the API objects -> resolve the Question into one Packet -> collect and
 * parse the entry node's dump -> walk and findings -> result. `namespace` completes names given
 * without one. The run's facts are built once here and passed down.
 */
export async function traceFrom(
  cluster: ClusterSource,
  namespace: string,
  question: Question,
  progress: Progress = silentProgress,
  build: FactBuilders = FACT_BUILDERS,
): Promise<TraceReport> {
  const state = await cluster.readState(traceStateRead(question, namespace));
  const facts = runFacts(state, build);
  const resolved = resolve(facts, question, namespace);
  const dumps = await cluster.readNodes(traceNodeReads(resolved));
  // Every node gets a view (the others without a dump) so that findings cover the whole service.
  const names = allNodeNames(state);
  if (!names.includes(resolved.packet.entryNode)) names.push(resolved.packet.entryNode);
  return tracePacket(facts, resolved, nodeViews(facts, names, dumps, progress));
}

/** The question's packet, or the exit code that says why it cannot be asked. */
function resolve(facts: RunFacts, question: Question, namespace: string): ResolvedTrace {
  try {
    return resolveTrace(facts, question, namespace);
  } catch (e) {
    if (e instanceof TraceQuestionError) throw e.kind === 'not-found' ? notFound(e.message) : usageError(e.message);
    throw e;
  }
}
