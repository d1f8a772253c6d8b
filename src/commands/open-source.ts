import { LiveSource } from '../cluster/live/live-source.ts';
import { nodeAccessOf } from '../cluster/live/node-access-options.ts';
import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import { SnapshotSource } from '../cluster/nodes/snapshot.ts';
import type { ClusterSource } from '../cluster/source.ts';
import type { GlobalOptions } from './global-options.ts';

export interface OpenedSource {
  source: ClusterSource;
  /** Namespace for names given without one. */
  namespace: string;
}

/** A snapshot bundle when --snapshot is given, else the live cluster of the kubeconfig. */
export async function openSource(opts: GlobalOptions & NodeAccessFlags): Promise<OpenedSource> {
  if (opts.snapshot) {
    return { source: await SnapshotSource.open(opts.snapshot), namespace: opts.namespace ?? 'default' };
  }
  const live = LiveSource.open(opts, nodeAccessOf(opts));
  return { source: live, namespace: live.namespace };
}
