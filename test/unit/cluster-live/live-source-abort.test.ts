import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveSource } from '../../../src/cluster/live/live-source.ts';
import { nodeAccessOf } from '../../../src/cluster/live/node-access-options.ts';
import { fakeApi } from './fake-api.ts';

test('Ctrl-C with nodes still queued: the worker takes no further node, the pod is deleted, exit 130', async () => {
  const api = fakeApi(); // pods stay Pending: the first node's read waits until interrupted
  const clients = { ...api.clients, config: { namespace: 'dbg', server: 'https://192.0.2.9', contextName: 'c', userName: 'u' } } as typeof api.clients;
  const taken: string[] = []; // the node each worker turn starts on, as the spinner shows it
  const progress = { log: () => {}, warn: () => {}, stop: () => {}, status: (t: string) => void taken.push(t) };
  const source = new LiveSource(clients, nodeAccessOf({ debugNamespace: 'dbg', concurrency: '1' }), progress);
  const exit = process.exit;
  let exitCode: number | undefined;
  const exited = new Promise<void>((resolve) => {
    // The signal handler ends the process; here it reports the code instead.
    process.exit = ((code?: number) => {
      exitCode = code;
      resolve();
    }) as typeof process.exit;
  });
  try {
    void source.readNodes({ nodes: ['node-a', 'node-b', 'node-c'], healthCheckPorts: [] }); // never settles once interrupted
    for (let i = 0; i < 200 && !api.calls.some((c) => c.startsWith('get netpath-')); i++) await new Promise((r) => setTimeout(r, 5));
    process.emit('SIGINT', 'SIGINT');
    await exited;
  } finally {
    process.exit = exit;
  }
  assert.equal(exitCode, 130);
  assert.deepEqual(api.calls.filter((c) => c.startsWith('create')).map((c) => c.replace(/-\w{5}$/, '')), ['create netpath-node-a']);
  assert.equal(api.pods.size, 0);
  await new Promise((r) => setTimeout(r, 1200)); // past a poll (500 ms): node-a's worker turn has ended
  assert.deepEqual(taken.filter((t) => /: node-[bc]$/.test(t)), [], 'node-b and node-c were never taken');
});
