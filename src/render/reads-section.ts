import type { ReadsSummary } from '../model/results.ts';
import { wrap, type TextContext } from './sections.ts';

/**
 * The live node plan in one sentence, when it left nodes to the model: which were read and why,
 * and that the others were answered from kube-proxy's semantics. Offline, where a missing node
 * is the bundle's choice, the assumptions say so instead.
 */
export function readsSection(reads: ReadsSummary | undefined, ctx: TextContext): string[] {
  if (!reads || reads.apiCalls === null || reads.nodesModel.length === 0) return [];
  const total = reads.nodesRead.length + reads.nodesModel.length;
  const list = reads.nodesRead.map((n) => `${n} (${reads.reasons[n] ?? 'read'})`).join(', ');
  const text = `read ${reads.nodesRead.length} of ${total} nodes${list ? `: ${list}` : ''}; the others answered from kube-proxy's semantics, --all-nodes to read every one`;
  return wrap(text, ctx).map((l) => ctx.style.dim(l));
}
