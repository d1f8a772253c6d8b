import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import { stderrProgressReady } from '../cluster/live/progress.ts';
import type { ServiceRef } from '../model/question.ts';
import { explainFrom } from '../pipeline/explain-svc.ts';
import type { GlobalOptions } from './global-options.ts';
import { openSource } from './open-source.ts';
import type { OutputFormat } from './output-format.ts';
import { printResult } from './print.ts';
import { parseServiceRef } from './target-syntax.ts';

/** Options: explain-svc's flags as commander parsed them. */
export interface ExplainFlags extends GlobalOptions, NodeAccessFlags {
  output: OutputFormat;
  allNodes?: boolean;
  compareModes?: boolean;
  compareExposure?: boolean;
}

interface ExplainQuestion {
  service: ServiceRef;
  allNodes: boolean;
  compareModes: boolean;
  compareExposure: boolean;
}

/** Complete and Validate: the argument and flags as one question; a bad one is a usage error. */
export function explainQuestion(raw: string, opts: ExplainFlags): ExplainQuestion {
  // A bundle's dumps cost nothing to read: use every one it has.
  return { service: parseServiceRef(raw), allNodes: !!opts.allNodes || !!opts.snapshot, compareModes: !!opts.compareModes, compareExposure: !!opts.compareExposure };
}

/** Run: the pipeline answers, the result is printed. */
export async function runExplain(raw: string, opts: ExplainFlags): Promise<void> {
  const q = explainQuestion(raw, opts);
  const { source, namespace } = await openSource(opts);
  try {
    const progress = await stderrProgressReady(opts.verbose);
    const result = await explainFrom(source, q.service.namespace ?? namespace, q.service.name, q.allNodes, { ...q, progress });
    await printResult(result, opts.output, opts.color);
  } finally {
    await source.close();
  }
}

/** The pipeline's entry, under the name callers (bench) import from here. */
export { explainFrom };
