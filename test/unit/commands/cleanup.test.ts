import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import type { Clients } from '../../../src/cluster/live/clients.ts';
import { buildDebugPod } from '../../../src/cluster/nodes/debug-pod.ts';
import { cleanupDebugPods, cleanupDecisions } from '../../../src/commands/cleanup.ts';

const now = new Date('2026-12-04T03:00:00.000Z');
/** A pod exactly as netpath creates it, with the deadline given and a phase set by "the kubelet". */
const ours = (name: string, deadline: string, phase: string, runId = 'aaaaaaaaaa'): V1Pod => {
  const pod = buildDebugPod({ name, namespace: 'dbg', node: 'node-a', image: 'img', runId, budgetMs: 60_000, deadline: new Date(deadline) });
  return { ...pod, metadata: { ...pod.metadata, uid: `uid-${name}` }, status: { phase } };
};

test('selection: finished pods and pods past their deadline go; a run in progress and foreign pods stay', () => {
  const foreign: V1Pod = { metadata: { name: 'impostor', namespace: 'dbg', labels: { 'app.kubernetes.io/managed-by': 'kubectl-netpath' } }, spec: { containers: [{ name: 'app', image: 'x' }] }, status: { phase: 'Running' } };
  const noDeadline = ours('old', '2026-12-04T02:00:00.000Z', 'Running');
  delete noDeadline.metadata!.annotations!['kubectl-netpath/deadline'];
  const decisions = cleanupDecisions(
    [
      ours('done', '2026-12-04T03:10:00.000Z', 'Failed'), // finished, deadline still ahead: deleted
      ours('stale', '2026-12-04T02:59:59.999Z', 'Running'), // 1 ms past its deadline: deleted
      ours('busy', '2026-12-04T03:00:00.000Z', 'Running', 'bbbbbbbbbb'), // exactly at its deadline: still the run's
      ours('pending', '2026-12-04T03:04:00.000Z', 'Pending', 'cccccccccc'),
      foreign,
      noDeadline,
    ],
    now,
  );
  assert.deepEqual(
    decisions.map((d) => [d.name, d.delete, d.reason]),
    [
      ['done', true, 'finished: Failed'],
      ['stale', true, 'past its deadline 2026-12-04T02:59:59.999Z (run aaaaaaaaaa)'],
      ['busy', false, 'run bbbbbbbbbb in progress until 2026-12-04T03:00:00.000Z'],
      ['pending', false, 'run cccccccccc in progress until 2026-12-04T03:04:00.000Z'],
      ['impostor', false, "not netpath's debug pod template (one container named netpath, a node annotation)"],
      ['old', false, 'running without a readable kubectl-netpath/deadline annotation; delete it with kubectl if no run uses it'],
    ],
  );
});

function fakeClients(pods: V1Pod[]) {
  const deleted: { name: string; uid?: string }[] = [];
  const core = {
    listNamespacedPod: async () => ({ items: pods }),
    deleteNamespacedPod: async ({ name, body }: { name: string; body?: { preconditions?: { uid?: string } } }) => {
      deleted.push({ name, ...(body?.preconditions?.uid ? { uid: body.preconditions.uid } : {}) });
      return {};
    },
  };
  return { deleted, clients: { core, call: (_r: unknown, fn: () => Promise<unknown>) => fn() } as unknown as Clients };
}

test('cleanup lists first, deletes only what it may (uid precondition), and --dry-run deletes nothing', async () => {
  const pods = [ours('done', '2026-12-04T03:10:00.000Z', 'Succeeded'), ours('busy', '2026-12-04T03:05:00.000Z', 'Running', 'bbbbbbbbbb')];
  const dry = fakeClients(pods);
  const lines: string[] = [];
  assert.equal(await cleanupDebugPods(dry.clients, 'dbg', (l) => lines.push(l), { dryRun: true, now }), 1);
  assert.deepEqual(dry.deleted, []);
  assert.deepEqual(lines, [
    'would delete pod dbg/done (node node-a): finished: Succeeded',
    'kept pod dbg/busy (node node-a): run bbbbbbbbbb in progress until 2026-12-04T03:05:00.000Z',
  ]);
  const real = fakeClients(pods);
  lines.length = 0;
  assert.equal(await cleanupDebugPods(real.clients, 'dbg', (l) => lines.push(l), { now }), 1);
  assert.deepEqual(real.deleted, [{ name: 'done', uid: 'uid-done' }]);
  assert.equal(lines[0], 'deleted pod dbg/done (node node-a): finished: Succeeded');
});
