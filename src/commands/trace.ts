import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import { stderrProgressReady } from '../cluster/live/progress.ts';
import { usageError } from '../errors.ts';
import type { Question } from '../model/question.ts';
import { traceFrom } from '../pipeline/trace.ts';
import type { GlobalOptions } from './global-options.ts';
import { openSource } from './open-source.ts';
import type { OutputFormat } from './output-format.ts';
import { printResult } from './print.ts';
import { parseProtocol, parseSource, parseTarget } from './target-syntax.ts';

/** Options: trace's flags as commander parsed them. */
export interface TraceFlags extends GlobalOptions, NodeAccessFlags {
  output: OutputFormat;
  from: string;
  node?: string;
  port?: string;
  protocol?: string;
}

/** Complete and Validate: TARGET and the flags as one Question; a bad one is a usage error. */
export function traceQuestion(rawTarget: string, opts: TraceFlags): Question {
  const question: Question = {
    target: parseTarget(rawTarget),
    source: parseSource(opts.from),
    protocol: opts.protocol ? parseProtocol(opts.protocol) : null,
    port: opts.port ?? null,
    node: opts.node ?? null,
  };
  if (question.port && question.target.kind === 'address') throw usageError('--port applies to a service TARGET; an IP:PORT target has its port');
  return question;
}

/** Run: the pipeline answers, the result is printed. */
export async function runTrace(rawTarget: string, opts: TraceFlags): Promise<void> {
  const question = traceQuestion(rawTarget, opts);
  const { source, namespace } = await openSource(opts);
  try {
    await printResult(await traceFrom(source, namespace, question, await stderrProgressReady(opts.verbose)), opts.output, opts.color);
  } finally {
    await source.close();
  }
}

/** The pipeline's entry and its question, under the names callers (bench) import from here. */
export { traceFrom };
export type { Question as TraceRequest };
