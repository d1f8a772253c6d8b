import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { Exec, V1Pod, V1Status } from '@kubernetes/client-node';
import {
  buildDebugPod,
  debugPodName,
  exitCodeOf,
  nodeReadBudgetMs,
  podExecRunner,
  podProgress,
  toolboxFromProbe,
} from '../../../src/cluster/nodes/debug-pod.ts';
import { DEFAULT_DEBUG_IMAGE } from '../../../src/cluster/nodes/debug-pod-identity.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

test('pod names: netpath-<node>-<5 chars>, valid DNS labels, long FQDN node names truncated', () => {
  assert.equal(debugPodName('node-a', 'bcdfg'), 'netpath-node-a-bcdfg');
  assert.equal(debugPodName('ip-10-0-1-23.eu-west-1.compute.internal', 'bcdfg'), 'netpath-ip-10-0-1-23-eu-west-1-compute-internal-bcdfg');
  const long = debugPodName(`${'a'.repeat(48)}.b-c.example.com`, 'xz245');
  // 63 = 'netpath-' (8) + 48 node chars + '-' (1) + 'xz245' (5) + ... the node part gets 63-8-1-5 = 49
  // chars: 48 a's and the dash that replaced the dot, which is then stripped as a trailing dash.
  assert.equal(long, `netpath-${'a'.repeat(48)}-xz245`);
  assert.ok(long.length <= 63);
  for (let i = 0; i < 50; i++) {
    const name = debugPodName('Node_With.Odd.Chars');
    assert.match(name, DNS_LABEL);
    assert.match(name, /^netpath-node-with-odd-chars-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  }
});

test('a node read budget: pod running timeout plus 11 commands and one per health-check port', () => {
  // 60 000 + 60 000 * (11 + 2) = 840 000 ms
  assert.equal(nodeReadBudgetMs(60_000, 60_000, 2), 840_000);
  // 20 000 + 5 000 * 11 = 75 000 ms
  assert.equal(nodeReadBudgetMs(20_000, 5_000, 0), 75_000);
  // a sum a timer cannot hold is clamped to 2^31 - 1 ms
  assert.equal(nodeReadBudgetMs(2 ** 31 - 1, 2 ** 31 - 1, 0), 2 ** 31 - 1);
});

test('the debug pod spec: kubectl debug --profile=sysadmin, pinned, self-terminating, labelled, host root read-only', () => {
  const deadline = new Date('2026-12-04T03:00:00.000Z');
  const pod = buildDebugPod({ name: 'netpath-node-a-bcdfg', namespace: 'dbg', node: 'node-a', image: 'example/img@sha256:00', runId: '0123456789', budgetMs: 60_500, deadline });
  assert.equal(pod.metadata?.name, 'netpath-node-a-bcdfg');
  assert.equal(pod.metadata?.namespace, 'dbg');
  assert.deepEqual(pod.metadata?.labels, { 'app.kubernetes.io/managed-by': 'kubectl-netpath', 'kubectl-netpath/run-id': '0123456789' });
  assert.deepEqual(pod.metadata?.annotations, { 'kubectl-netpath/node': 'node-a', 'kubectl-netpath/deadline': '2026-12-04T03:00:00.000Z' });
  const spec = pod.spec!;
  assert.equal(spec.nodeName, 'node-a');
  assert.equal(spec.hostNetwork, true);
  assert.equal(spec.hostPID, true);
  assert.deepEqual(spec.tolerations, [{ operator: 'Exists' }]);
  assert.equal(spec.restartPolicy, 'Never');
  assert.equal(spec.activeDeadlineSeconds, 61); // 60 500 ms rounded up to whole seconds
  assert.equal(spec.automountServiceAccountToken, false);
  assert.equal(spec.containers.length, 1);
  const c = spec.containers[0]!;
  assert.equal(c.image, 'example/img@sha256:00');
  assert.equal(c.securityContext?.privileged, true);
  assert.deepEqual(c.command, ['sleep', '121']); // outlives the deadline by a minute: the kubelet ends it first
  assert.deepEqual(c.volumeMounts, [{ name: 'host-root', mountPath: '/host', readOnly: true }]);
  assert.deepEqual(spec.volumes, [{ name: 'host-root', hostPath: { path: '/' } }]);
});

test('the default image is pinned by digest', () => {
  assert.match(DEFAULT_DEBUG_IMAGE, /@sha256:[0-9a-f]{64}$/);
});

const pod = (status: V1Pod['status']): V1Pod => ({ metadata: { name: 'p' }, status });

test('pod progress: running, waiting, and the failures that get one clear line', () => {
  assert.deepEqual(podProgress(pod({ phase: 'Running' }), 'n1', 'img'), { state: 'running' });
  assert.deepEqual(podProgress(pod({ phase: 'Pending' }), 'n1', 'img'), { state: 'waiting', detail: 'phase Pending' });
  const pull = podProgress(
    pod({ phase: 'Pending', containerStatuses: [{ name: 'netpath', image: 'img', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "img"' } } }] }),
    'n1',
    'img',
  );
  assert.equal(pull.state, 'failed');
  assert.equal(pull.state === 'failed' && pull.error.exitCode, ExitCode.NODE_ACCESS);
  assert.equal(pull.state === 'failed' && pull.error.message, 'node n1 cannot pull the debug image img (ImagePullBackOff: Back-off pulling image "img"); pass --image with an image the node can pull');
  const unsched = podProgress(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] }), 'n1', 'img');
  assert.equal(unsched.state === 'failed' && unsched.error.message, 'debug pod p cannot be placed on node n1: Unschedulable: 0/3 nodes are available');
  const ended = podProgress(pod({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' }), 'n1', 'img');
  assert.equal(ended.state === 'failed' && ended.error.message, 'debug pod p on node n1 ended (Failed, DeadlineExceeded: Pod was active on the node longer than the specified deadline)');
});

test('exit codes come from the status channel', () => {
  assert.equal(exitCodeOf({ status: 'Success' }), 0);
  assert.equal(exitCodeOf({ status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }), 3);
  assert.equal(exitCodeOf({ status: 'Failure', reason: 'InternalError', message: 'executable file not found in $PATH' }), null);
});

test('tool probe output becomes a toolbox: node binaries through chroot, else the image', () => {
  const tools = toolboxFromProbe('host iptables-save /usr/sbin/iptables-save\nhost iptables-legacy-save /usr/sbin/iptables-legacy-save\nimage nft\nimage curl\nhost ip /usr/sbin/ip\nhost cat cat\n');
  // By the node's path: a busybox chroot with preferred applets runs its own `ip` for a bare name.
  assert.deepEqual(tools['iptables-save'], ['chroot', '/host', '/usr/sbin/iptables-save']);
  assert.deepEqual(tools['iptables-legacy-save'], ['chroot', '/host', '/usr/sbin/iptables-legacy-save']);
  assert.deepEqual(tools.ip, ['chroot', '/host', '/usr/sbin/ip']);
  // A name the node's shell knows without a path (a builtin) stays a name.
  assert.deepEqual(tools.cat, ['chroot', '/host', 'cat']);
  assert.deepEqual(tools.nft, ['nft']);
  assert.deepEqual(tools.curl, ['curl']);
  assert.equal(tools.ipvsadm, null);
  assert.equal(tools['iptables-nft-save'], null);
});

/** A stand-in for client-node's Exec: writes the streams, sends a status (or not), closes (or not). */
function fakeExec(script: { stdout?: string; stderr?: string; status?: V1Status; close: boolean }, seen: string[][]): Exec {
  return {
    exec: async (_ns: string, _pod: string, _c: string, command: string | string[], stdout: Writable | null, stderr: Writable | null, _stdin: unknown, _tty: boolean, statusCallback?: (s: V1Status) => void) => {
      seen.push([...command]);
      const ws = Object.assign(new EventEmitter(), { close: () => ws.emit('close') });
      setImmediate(() => {
        if (script.stdout) stdout?.write(script.stdout);
        if (script.stderr) stderr?.write(script.stderr);
        if (script.status) statusCallback?.(script.status);
        if (script.close) ws.emit('close');
      });
      return ws;
    },
  } as unknown as Exec;
}

const clients = { config: { userName: 'u' } } as Parameters<typeof podExecRunner>[0];

test('exec: output and exit code once the status arrived and the socket closed', async () => {
  const seen: string[][] = [];
  const runner = podExecRunner(clients, 'ns', 'p', 'n1', 10_000, fakeExec({ stdout: 'iptables\n', stderr: 'warn\n', status: { status: 'Success' }, close: true }, seen));
  assert.deepEqual(await runner.run(['curl', '-s', 'http://127.0.0.1:10249/proxyMode']), { exitCode: 0, stdout: 'iptables\n', stderr: 'warn\n' });
  assert.deepEqual(seen, [['curl', '-s', 'http://127.0.0.1:10249/proxyMode']]); // argv passed as is
  const failing = podExecRunner(clients, 'ns', 'p', 'n1', 10_000, fakeExec({ status: { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } }, close: true }, seen));
  assert.equal((await failing.run(['curl'])).exitCode, 7);
});

test('exec: a socket that closes without a status is an error, not an empty success', async () => {
  const runner = podExecRunner(clients, 'ns', 'p', 'n1', 10_000, fakeExec({ stdout: 'partial', close: true }, []));
  await assert.rejects(runner.run(['iptables-save']), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.NODE_ACCESS && /without a status/.test(e.message));
});

test('exec: no answer within the limit is TIMEOUT', async () => {
  const runner = podExecRunner(clients, 'ns', 'p', 'n1', 20, fakeExec({ close: false }, []));
  await assert.rejects(runner.run(['nft', '-j', 'list', 'ruleset']), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.TIMEOUT && e.message === 'timeout: nft -j list ruleset on node n1 took longer than 20ms');
});

test('exec: a refused upgrade (403) names pods/exec and the RBAC file', async () => {
  const refusing = { exec: async () => Promise.reject(new Error('Unexpected server response: 403')) } as unknown as Exec;
  const runner = podExecRunner(clients, 'dbg', 'p', 'n1', 10_000, refusing);
  await assert.rejects(runner.run(['true']), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.FORBIDDEN && e.message === 'forbidden: cannot create pods/exec in namespace dbg (user u); apply deploy/rbac.yaml');
});

test('exec: output past the cap stops the command with one clear line', async () => {
  const runner = podExecRunner(clients, 'ns', 'p', 'n1', 10_000, fakeExec({ stdout: 'x'.repeat(11), status: { status: 'Success' }, close: true }, []), 10);
  await assert.rejects(runner.run(['iptables-save']), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.NODE_ACCESS && e.message === 'node n1: iptables-save printed more than 10 bytes; stopped reading it');
  // exactly at the cap is fine
  const atCap = podExecRunner(clients, 'ns', 'p', 'n1', 10_000, fakeExec({ stdout: 'x'.repeat(10), status: { status: 'Success' }, close: true }, []), 10);
  assert.equal((await atCap.run(['iptables-save'])).stdout, 'xxxxxxxxxx');
});
