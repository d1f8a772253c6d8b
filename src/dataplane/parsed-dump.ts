import type { NodeFiles } from './types.ts';

const parsedByFiles = new WeakMap<NodeFiles, Map<string, unknown>>();

/**
 * The file `dump` of a node's files, parsed once per read of the node: the walker, the node's
 * observations (rule counters) and its health (rule counts) share one model, and it goes when
 * the node's files go. A 10,000-service dump takes seconds to parse. Undefined when absent.
 */
export function parsedDump<T>(files: NodeFiles, dump: { name: string; parse(text: string, file: string): T }): T | undefined {
  const text = files.get(dump.name);
  if (text === undefined) return undefined;
  let parsed = parsedByFiles.get(files);
  if (!parsed) parsedByFiles.set(files, (parsed = new Map()));
  if (!parsed.has(dump.name)) parsed.set(dump.name, dump.parse(text, dump.name));
  return parsed.get(dump.name) as T;
}
