import type { V1Pod } from '@kubernetes/client-node';
import { ExitCode, usageError } from '../errors.ts';
import type { NetpathError } from '../errors.ts';
import { PAGE_SIZE, listAll, makeClients } from '../cluster/live/clients.ts';
import type { Clients } from '../cluster/live/clients.ts';
import { loadKubeConfig } from '../cluster/live/kubeconfig.ts';
import { parseRequestTimeout } from '../cluster/live/request-timeout.ts';
import { CONTAINER_NAME, DEADLINE_ANNOTATION, MANAGED_BY_SELECTOR, NODE_ANNOTATION, RUN_ID_LABEL } from '../cluster/nodes/debug-pod-identity.ts';
import type { GlobalOptions } from './global-options.ts';

export interface CleanupFlags extends GlobalOptions {
  debugNamespace?: string;
  allNamespaces?: boolean;
  dryRun?: boolean;
}

/** Run: cleanup with its parsed flags. */
export async function runCleanup(opts: CleanupFlags): Promise<void> {
  if (opts.snapshot) throw usageError('cleanup acts on a live cluster; --snapshot does not apply');
  if (opts.allNamespaces && opts.debugNamespace) throw usageError('cleanup: pass --debug-namespace or -A, not both');
  const clients = makeClients(loadKubeConfig(opts), parseRequestTimeout(opts.requestTimeout ?? '0'));
  const namespace = opts.allNamespaces ? null : (opts.debugNamespace ?? clients.config.namespace);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const removed = await cleanupDebugPods(clients, namespace, say, { dryRun: !!opts.dryRun });
  if (removed === 0) say(`no debug pods to delete in ${namespace ? `namespace ${namespace}` : 'any namespace'}`);
}

export interface CleanupDecision {
  namespace: string;
  name: string;
  uid: string | undefined;
  node: string | undefined;
  delete: boolean;
  /** Why, in words for the line printed about it. */
  reason: string;
}

/**
 * Which listed pods cleanup may delete: only pods of netpath's own template (its label, its one
 * container, its node annotation) that are finished or past the deadline their run wrote on them.
 * A pod still inside its deadline belongs to a run in progress (maybe another user's) and is kept.
 */
export function cleanupDecisions(pods: readonly V1Pod[], now: Date): CleanupDecision[] {
  return pods.map((pod) => {
    const meta = pod.metadata ?? {};
    const base = { namespace: meta.namespace ?? '', name: meta.name ?? '', uid: meta.uid, node: meta.annotations?.[NODE_ANNOTATION] ?? pod.spec?.nodeName };
    const containers = pod.spec?.containers ?? [];
    if (containers.length !== 1 || containers[0]?.name !== CONTAINER_NAME || !meta.annotations?.[NODE_ANNOTATION]) {
      return { ...base, delete: false, reason: "not netpath's debug pod template (one container named netpath, a node annotation)" };
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return { ...base, delete: true, reason: `finished: ${phase}` };
    const raw = meta.annotations[DEADLINE_ANNOTATION];
    const deadline = raw ? new Date(raw) : null;
    if (!deadline || Number.isNaN(deadline.getTime())) {
      return { ...base, delete: false, reason: `running without a readable ${DEADLINE_ANNOTATION} annotation; delete it with kubectl if no run uses it` };
    }
    const run = meta.labels?.[RUN_ID_LABEL] ?? 'unknown';
    if (now.getTime() <= deadline.getTime()) {
      return { ...base, delete: false, reason: `run ${run} in progress until ${deadline.toISOString()}` };
    }
    return { ...base, delete: true, reason: `past its deadline ${deadline.toISOString()} (run ${run})` };
  });
}

/**
 * Lists netpath's labelled pods in `namespace` (null: all), decides with cleanupDecisions, and
 * deletes (or, dry run, names) those it may; returns how many. Deletes carry the listed uid as a
 * precondition, so a pod re-created under the same name meanwhile is not touched.
 */
export async function cleanupDebugPods(
  clients: Clients,
  namespace: string | null,
  say: (line: string) => void,
  opts: { dryRun?: boolean; now?: Date } = {},
): Promise<number> {
  const { core } = clients;
  const pods = await clients.call({ verb: 'list', resource: 'pods', ...(namespace ? { namespace } : {}) }, () =>
    listAll<V1Pod>((cont) =>
      namespace
        ? core.listNamespacedPod({ namespace, labelSelector: MANAGED_BY_SELECTOR, limit: PAGE_SIZE, _continue: cont })
        : core.listPodForAllNamespaces({ labelSelector: MANAGED_BY_SELECTOR, limit: PAGE_SIZE, _continue: cont }),
    ),
  );
  let removed = 0;
  for (const d of cleanupDecisions(pods, opts.now ?? new Date())) {
    const what = `pod ${d.namespace}/${d.name}${d.node ? ` (node ${d.node})` : ''}`;
    if (!d.delete) {
      say(`kept ${what}: ${d.reason}`);
      continue;
    }
    if (opts.dryRun) {
      say(`would delete ${what}: ${d.reason}`);
      removed++;
      continue;
    }
    try {
      await clients.call({ verb: 'delete', resource: 'pods', namespace: d.namespace, name: d.name }, () =>
        core.deleteNamespacedPod({ name: d.name, namespace: d.namespace, gracePeriodSeconds: 0, ...(d.uid ? { body: { preconditions: { uid: d.uid } } } : {}) }),
      );
    } catch (e) {
      if ((e as NetpathError).exitCode === ExitCode.NOT_FOUND) continue; // gone meanwhile
      throw e;
    }
    removed++;
    say(`deleted ${what}: ${d.reason}`);
  }
  return removed;
}
