import type { V1Pod } from '@kubernetes/client-node';
import { ExitCode, usageError } from '../errors.ts';
import type { NetpathError } from '../errors.ts';
import { PAGE_SIZE, listAll, makeClients } from '../cluster/live/clients.ts';
import type { Clients } from '../cluster/live/clients.ts';
import { loadKubeConfig } from '../cluster/live/kubeconfig.ts';
import { parseRequestTimeout } from '../cluster/live/request-timeout.ts';
import { MANAGED_BY_SELECTOR, NODE_ANNOTATION } from '../cluster/nodes/debug-pod.ts';
import type { GlobalOptions } from './global-options.ts';

export interface CleanupFlags extends GlobalOptions {
  debugNamespace?: string;
  allNamespaces?: boolean;
}

/** Run: cleanup with its parsed flags. */
export async function runCleanup(opts: CleanupFlags): Promise<void> {
  if (opts.snapshot) throw usageError('cleanup acts on a live cluster; --snapshot does not apply');
  if (opts.allNamespaces && opts.debugNamespace) throw usageError('cleanup: pass --debug-namespace or -A, not both');
  const clients = makeClients(loadKubeConfig(opts), parseRequestTimeout(opts.requestTimeout ?? '0'));
  const namespace = opts.allNamespaces ? null : (opts.debugNamespace ?? clients.config.namespace);
  const removed = await cleanupDebugPods(clients, namespace, (line) => process.stdout.write(`${line}\n`));
  if (removed === 0) process.stdout.write(`no debug pods in ${namespace ? `namespace ${namespace}` : 'any namespace'}\n`);
}

/** Deletes every pod carrying netpath's managed-by label in `namespace` (null: all); returns how many. */
export async function cleanupDebugPods(clients: Clients, namespace: string | null, say: (line: string) => void): Promise<number> {
  const { core } = clients;
  const pods = await clients.call({ verb: 'list', resource: 'pods', ...(namespace ? { namespace } : {}) }, () =>
    listAll<V1Pod>((cont) =>
      namespace
        ? core.listNamespacedPod({ namespace, labelSelector: MANAGED_BY_SELECTOR, limit: PAGE_SIZE, _continue: cont })
        : core.listPodForAllNamespaces({ labelSelector: MANAGED_BY_SELECTOR, limit: PAGE_SIZE, _continue: cont }),
    ),
  );
  let removed = 0;
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const ns = pod.metadata?.namespace ?? namespace ?? '';
    try {
      await clients.call({ verb: 'delete', resource: 'pods', namespace: ns, name }, () =>
        core.deleteNamespacedPod({ name, namespace: ns, gracePeriodSeconds: 0 }),
      );
    } catch (e) {
      if ((e as NetpathError).exitCode === ExitCode.NOT_FOUND) continue; // gone meanwhile
      throw e;
    }
    removed++;
    const node = pod.metadata?.annotations?.[NODE_ANNOTATION] ?? pod.spec?.nodeName;
    say(`pod ${ns}/${name} deleted${node ? ` (node ${node})` : ''}`);
  }
  return removed;
}
