import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { LiveSource } from '../../src/cluster/live/live-source.ts';
import { nodeAccessOf } from '../../src/cluster/live/node-access-options.ts';
import type { NodeAccessFlags } from '../../src/cluster/live/node-access-options.ts';
import { ExitCode, NetpathError } from '../../src/errors.ts';
import { binDir, freePort, haveBinaries, startApiServer } from './apiserver.ts';
import type { ApiServer } from './apiserver.ts';
import { startFaultProxy } from './fault-proxy.ts';
import type { FaultProxy } from './fault-proxy.ts';
import { DEBUG_NS, debugPods, seed } from './fixtures.ts';

/**
 * netpath against a real kube-apiserver behind a fault-injecting proxy on loopback: throttling
 * (429 with Retry-After), failing (503), reset connections, slow answers and a pod create whose
 * answer comes late; and signals while a create is in flight or nodes are still queued. Each
 * test ends with no debug pod left.
 */
const is = (code: number, message: string | RegExp) => (e: unknown) =>
  e instanceof NetpathError && e.exitCode === code && (typeof message === 'string' ? e.message === message : message.test(e.message));

const get = (path: string) => (m: string, p: string) => m === 'GET' && p === path;
const SERVICE = '/api/v1/namespaces/shop/services/web';
const NODES = '/api/v1/nodes';
const PODS = `/api/v1/namespaces/${DEBUG_NS}/pods`;
const createPod = (m: string, p: string) => m === 'POST' && p === PODS;

describe('live reads through a fault-injecting proxy in front of a real kube-apiserver', { skip: !haveBinaries() && `no etcd/kube-apiserver in ${binDir()} (scripts/k8s/build.sh)` }, () => {
  let api: ApiServer;
  let proxy: FaultProxy;
  let kubeconfig: string;
  const env = { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' };
  const open = (access: NodeAccessFlags = {}, requestTimeout = '0') =>
    LiveSource.open({ kubeconfig, context: 'jane', requestTimeout }, nodeAccessOf({ debugNamespace: DEBUG_NS, ...access }), env);
  const count = (match: (m: string, p: string) => boolean) => proxy.seen.filter((s) => match(s.method, s.path)).length;

  before(async () => {
    api = await startApiServer();
    await seed(api.admin, await freePort());
    proxy = await startFaultProxy(api.server);
    kubeconfig = proxy.kubeconfigVia(api.kubeconfig, join(api.dir, 'kubeconfig-via-proxy'));
  });
  beforeEach(() => {
    proxy.rules.length = 0;
    proxy.seen.length = 0;
  });
  after(async () => {
    await proxy?.stop();
    await api?.stop();
  });

  test('reads ride out 429 with Retry-After, 503 and a reset connection', async () => {
    proxy.rules.push(
      { match: get(SERVICE), fault: { status: 429, retryAfter: '1' }, times: 1 },
      { match: get(SERVICE), fault: { status: 503 }, times: 1 },
      { match: get(NODES), fault: { reset: true }, times: 1 },
    );
    const state = await open().readState({ kind: 'service', namespace: 'shop', name: 'web' });
    assert.deepEqual(state.services.map((s) => s.metadata?.name), ['web']);
    assert.equal(state.nodes.length, 3);
    const tries = proxy.seen.filter((s) => get(SERVICE)(s.method, s.path));
    assert.deepEqual(tries.map((s) => (s.fault && 'status' in s.fault ? s.fault.status : 'ok')), [429, 503, 'ok']);
    assert.ok(tries[1]!.at - tries[0]!.at >= 1000, `waited ${tries[1]!.at - tries[0]!.at} ms after Retry-After: 1`);
    assert.equal(count(get(NODES)), 2); // the reset, then the answer
  });

  test('a read that keeps failing: one line after the retry budget (1 + 4 attempts)', async () => {
    proxy.rules.push({ match: get(SERVICE), fault: { status: 503 } });
    await assert.rejects(
      open().readState({ kind: 'service', namespace: 'shop', name: 'web' }),
      is(ExitCode.API_UNREACHABLE, `API server ${proxy.url} failed to get services web (503): injected 503`),
    );
    assert.equal(count(get(SERVICE)), 5);
  });

  test('a read slower than --request-timeout: TIMEOUT naming the flag, not retried', async () => {
    proxy.rules.push({ match: get(SERVICE), fault: { delayMs: 4000 } });
    await assert.rejects(
      open({}, '1s').readState({ kind: 'service', namespace: 'shop', name: 'web' }),
      is(ExitCode.TIMEOUT, `timeout: get services web on ${proxy.url} did not answer after 1s (--request-timeout)`),
    );
    assert.equal(count(get(SERVICE)), 1);
  });

  test('a pod create whose answer comes late: TIMEOUT, and the pod the server made is deleted', async () => {
    proxy.rules.push({ match: createPod, fault: { answerAfterMs: 3000 } });
    const source = open({}, '1s');
    await source.readState({ kind: 'service', namespace: 'shop', name: 'web' });
    await assert.rejects(source.readNodes({ nodes: ['node-a'], healthCheckPorts: [] }), is(ExitCode.TIMEOUT, /^timeout: create pods netpath-node-a-\w{5} on .* did not answer after 1s/));
    await source.close();
    assert.equal((await debugPods(api.admin, DEBUG_NS)).length, 0);
  });

  /** Runs the child until `ready`, signals it, returns its exit code and stderr. */
  async function signalled(args: string[], ready: () => Promise<unknown>, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [new URL('./read-nodes-faults-child.ts', import.meta.url).pathname, kubeconfig, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit');
    try {
      await Promise.race([ready(), exited.then(() => Promise.reject(new Error(`child exited early: ${stderr}`)))]);
      child.kill(signal);
      const [code] = await exited;
      return { code: code as number | null, stderr };
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  test('Ctrl-C while a create is in flight: the run waits for its answer, deletes that pod, exits 130', async () => {
    proxy.rules.push({ match: createPod, fault: { answerAfterMs: 2000 } });
    const { code, stderr } = await signalled(['node-a', '1', '0'], () => proxy.arrival(createPod), 'SIGINT');
    assert.equal(code, 130, stderr);
    assert.match(stderr, /SIGINT: deleting debug pods/);
    assert.equal(count((m, p) => m === 'DELETE' && p.startsWith(`${PODS}/netpath-node-a-`)) >= 1, true, 'the late pod was deleted');
    assert.equal((await debugPods(api.admin, DEBUG_NS)).length, 0);
  });

  test('SIGTERM with nodes still queued: no further create, the one pod deleted, exit 143', async () => {
    const podGet = (m: string, p: string) => m === 'GET' && p.startsWith(`${PODS}/netpath-node-`);
    const { code, stderr } = await signalled(['node-a,node-b,node-c', '1', '0'], () => proxy.arrival(podGet), 'SIGTERM');
    assert.equal(code, 143, stderr);
    assert.match(stderr, /SIGTERM: deleting debug pods/);
    assert.equal(count(createPod), 1, 'node-b and node-c never got a pod');
    assert.equal((await debugPods(api.admin, DEBUG_NS)).length, 0);
  });
});
