import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import { nodeReportFrom } from '../pipeline/node.ts';
import { renderNodeHealth } from '../render/node-health.ts';
import type { GlobalOptions } from './global-options.ts';
import { openSource } from './open-source.ts';

/** Options: node's flags as commander parsed them. */
export type NodeFlags = GlobalOptions & NodeAccessFlags & { output: 'text' | 'json' | 'yaml' };

export type { NodeHealthReport } from '../pipeline/node.ts';

/** Run: the pipeline reads and judges the nodes; the report is printed. */
export async function runNode(names: string[], opts: NodeFlags): Promise<void> {
  const { source } = await openSource(opts);
  try {
    // A live reading is judged now; a bundle at the moment of its capture.
    const report = await nodeReportFrom(source, names, opts.snapshot ? null : Date.now());
    process.stdout.write(await renderNodeHealth(report, opts.output, opts.color));
  } finally {
    await source.close();
  }
}
