import type { ServiceExplanation, TraceReport } from '../model/results.ts';
import { contractOrder } from './key-order.ts';

/** `-o json`: contract 2 with its key order, 2-space indent, ending with a newline. */
export function toJson(doc: ServiceExplanation | TraceReport): string {
  return JSON.stringify(contractOrder(doc), null, 2) + '\n';
}
