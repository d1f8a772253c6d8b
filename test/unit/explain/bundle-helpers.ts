import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import { explainFrom } from '../../../src/pipeline/explain-svc.ts';
import { traceFrom } from '../../../src/pipeline/trace.ts';
import type { Question } from '../../../src/model/question.ts';
import { parseSource, parseTarget } from '../../../src/commands/target-syntax.ts';
import type { ServiceExplanation, TraceReport } from '../../../src/model/results.ts';

/** explain-svc on a bundle, exactly as the command does it (minus printing). */
export async function explainBundle(dir: string, ns: string, name: string): Promise<ServiceExplanation> {
  const source = await SnapshotSource.open(dir);
  try {
    return await explainFrom(source, ns, name, true);
  } finally {
    await source.close();
  }
}

/** trace on a bundle, exactly as the command does it (minus printing). */
export async function traceBundle(
  dir: string,
  target: string,
  from: string,
  extra: Partial<Pick<Question, 'node' | 'port' | 'protocol'>> = {},
): Promise<TraceReport> {
  const source = await SnapshotSource.open(dir);
  try {
    return await traceFrom(source, 'default', {
      target: parseTarget(target),
      source: parseSource(from),
      protocol: extra.protocol ?? null,
      port: extra.port ?? null,
      node: extra.node ?? null,
    });
  } finally {
    await source.close();
  }
}
