import { usageError } from '../../errors.ts';

/** `-` in --local-netns: this host's own network namespace. */
export const HOST_NETNS = '-';

/**
 * `--local-netns node-a=netpath-node-a,node-b=-`: each listed node is read on this machine, in the
 * named network namespace (`ip netns exec NAME ...`), or in this host's namespace for `-`. For a
 * test cluster whose nodes are network namespaces on one host, and for a user logged into a node.
 * The flag may repeat; later entries for the same node replace earlier ones.
 */
export function parseLocalNetns(values: readonly string[]): Map<string, string | null> {
  const map = new Map<string, string | null>();
  for (const value of values) {
    for (const entry of value.split(',')) {
      const m = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)=(.+)$/.exec(entry.trim());
      if (!m || !m[1] || !m[3] || (m[3] !== HOST_NETNS && !/^[A-Za-z0-9_.-]+$/.test(m[3]))) {
        throw usageError(`--local-netns ${JSON.stringify(entry)}: expected NODE=NETNS (or NODE=${HOST_NETNS} for this host)`);
      }
      map.set(m[1], m[3] === HOST_NETNS ? null : m[3]);
    }
  }
  return map;
}
