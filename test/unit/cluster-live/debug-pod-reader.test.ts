import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { DebugPodReader } from '../../../src/cluster/nodes/debug-pod.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';
import { fakeApi } from './fake-api.ts';

const target = (node: string) => ({ node, address: null, healthCheckPorts: [] });
const opts = { namespace: 'dbg', image: 'img', podRunningTimeoutMs: 60_000, execTimeoutMs: 60_000, pollMs: 5 };
const deferred = () => {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
};

test('abort() while a create is in flight: close waits for the answer, then deletes that pod', async () => {
  const api = fakeApi();
  const gate = deferred();
  api.hooks.beforeCreate = () => gate.promise;
  const reader = new DebugPodReader(api.clients, opts, 'run1');
  const read = reader.readNode(target('node-a'), () => {});
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(api.calls.map((c) => c.split('-').slice(0, 2).join('-')), ['create netpath-node']);
  const closing = reader.abort();
  setTimeout(() => gate.release(), 20); // the API answers after close() began
  await closing;
  assert.equal(api.pods.size, 0, 'the pod the late create made is gone');
  await assert.rejects(read, (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.INTERRUPTED);
});

test('after abort() no create starts: queued nodes reject as interrupted without touching the API', async () => {
  const api = fakeApi();
  const reader = new DebugPodReader(api.clients, opts, 'run2');
  await reader.abort();
  await assert.rejects(reader.readNode(target('node-b'), () => {}), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.INTERRUPTED && e.message === 'interrupted: debug pod on node node-b not started');
  assert.deepEqual(api.calls, []);
});

test('a create that timed out may land later: close() lists the run and deletes what it finds', async () => {
  const api = fakeApi();
  const reader = new DebugPodReader(api.clients, opts, 'run3');
  // The API stores the pod but the answer is lost (client-side timeout).
  api.hooks.beforeCreate = async () => {};
  const origCreate = api.clients.core.createNamespacedPod.bind(api.clients.core);
  (api.clients.core as unknown as { createNamespacedPod: typeof origCreate }).createNamespacedPod = async (arg) => {
    await origCreate(arg);
    throw new NetpathError(ExitCode.TIMEOUT, 'timeout: create pods did not answer');
  };
  // ...and a pod of another run in the same namespace must survive.
  api.pods.set('other', { metadata: { name: 'other', labels: { 'kubectl-netpath/run-id': 'someone-else' } } });
  await assert.rejects(reader.readNode(target('node-c'), () => {}), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.TIMEOUT);
  await reader.close();
  assert.deepEqual([...api.pods.keys()], ['other']);
  assert.ok(api.calls.includes('list kubectl-netpath/run-id=run3'), api.calls.join('\n'));
});

test('the wait for Running ends at --pod-running-timeout even while a poll hangs', async () => {
  const api = fakeApi();
  api.hooks.read = () => new Promise<V1Pod>(() => {}); // an API server that never answers the get
  const reader = new DebugPodReader(api.clients, { ...opts, podRunningTimeoutMs: 50 }, 'run4');
  const t0 = performance.now();
  await assert.rejects(
    reader.readNode(target('node-d'), () => {}),
    (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.TIMEOUT && /^timeout: debug pod dbg\/netpath-node-d-\w{5} on node node-d not running after 50ms \(Pending\)/.test(e.message),
  );
  assert.ok(performance.now() - t0 < 5000);
  assert.equal(api.pods.size, 0);
});

test('the node read budget ends while the create is in flight: the delete waits for the create, nothing is left', async () => {
  const api = fakeApi();
  const gate = deferred();
  api.hooks.beforeCreate = () => gate.promise;
  // budget = 10 + 1 * 11 = 21 ms, far shorter than the create takes
  const reader = new DebugPodReader(api.clients, { ...opts, podRunningTimeoutMs: 10, execTimeoutMs: 1 }, 'run5');
  const read = reader.readNode(target('node-e'), () => {});
  setTimeout(() => gate.release(), 60);
  await assert.rejects(read, (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.TIMEOUT && e.message === 'timeout: reading node node-e took longer than 21ms (--pod-running-timeout + 11 × --exec-timeout)');
  await new Promise((r) => setTimeout(r, 100)); // the create has answered by now
  assert.equal(api.pods.size, 0);
  const [create, del] = [api.calls.findIndex((c) => c.startsWith('create')), api.calls.findIndex((c) => c.startsWith('delete'))];
  assert.ok(create >= 0 && del > create, api.calls.join('\n'));
});
