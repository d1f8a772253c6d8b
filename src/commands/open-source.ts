import { nodeAccessOf } from '../cluster/live/node-access-options.ts';
import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import type { ClusterSource } from '../cluster/source.ts';
import type { GlobalOptions } from './global-options.ts';

export interface OpenedSource {
  source: ClusterSource;
  /** Namespace for names given without one. */
  namespace: string;
}

/**
 * A snapshot bundle when --snapshot is given, else the live cluster of the kubeconfig. Each is
 * imported only when chosen: an offline run never loads the API client.
 */
export async function openSource(opts: GlobalOptions & NodeAccessFlags): Promise<OpenedSource> {
  if (opts.snapshot) {
    const { SnapshotSource } = await import('../cluster/nodes/snapshot.ts');
    return { source: await SnapshotSource.open(opts.snapshot), namespace: opts.namespace ?? 'default' };
  }
  const access = nodeAccessOf(opts);
  const { LiveSource } = await import('../cluster/live/live-source.ts');
  const live = LiveSource.open(opts, access);
  return { source: live, namespace: live.namespace };
}
