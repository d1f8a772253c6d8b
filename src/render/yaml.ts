import { stringify } from 'yaml';
import type { ServiceExplanation, TraceReport } from '../model/results.ts';
import { contractOrder } from './key-order.ts';

/** `-o yaml`: the same document as `-o json`. */
export function toYaml(doc: ServiceExplanation | TraceReport): string {
  // No anchors/aliases (readers grep for values) and no folding of long rule texts.
  return stringify(contractOrder(doc), { aliasDuplicateObjects: false, lineWidth: 0 });
}
