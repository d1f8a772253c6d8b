import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { execa } from 'execa';
import { DEADLINE_ANNOTATION, MANAGED_BY_SELECTOR } from '../../src/cluster/nodes/debug-pod-identity.ts';
import { startFaultProxy } from '../live/fault-proxy.ts';
import type { FaultProxy } from '../live/fault-proxy.ts';
import { down, skipReason, up } from './harness.ts';
import type { Harness } from './harness.ts';

/**
 * `capture` on the real kubelet node, stopped at each phase of a node read (creating the pod,
 * waiting for Running, exec, deleting) by SIGTERM, a double Ctrl-C or kill -9. The fault proxy
 * in front of the API server holds the phase's request in flight while the signal lands. Every
 * case ends with no netpath pod once the run's deadline has passed and `cleanup` has run, and a
 * second `cleanup` finds nothing.
 */
const why = skipReason();
const BIN = new URL('../../bin/kubectl-netpath', import.meta.url).pathname;
/** Node read budget: 10 s + 11 × 3 s = 43 s (nodeReadBudgetMs); the deadline a leftover pod carries. */
const TIMEOUTS = ['--pod-running-timeout', '10s', '--exec-timeout', '3s'];

type Phase = 'creating' | 'waiting' | 'exec' | 'deleting';
type Kill = 'SIGTERM' | 'double-SIGINT' | 'SIGKILL';

describe('signals at each phase of a live node read on a real kubelet node', { skip: why ?? false }, () => {
  let h: Harness;
  let proxy: FaultProxy;
  let kubeconfig: string;
  let core: CoreV1Api;
  let work: string;

  before(async () => {
    h = await up();
    proxy = await startFaultProxy(h.server);
    work = mkdtempSync(join(tmpdir(), 'netpath-kill-'));
    kubeconfig = proxy.kubeconfigVia(h.kubeconfig, join(work, 'kubeconfig'));
    const kc = new KubeConfig();
    kc.loadFromFile(h.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
  });
  after(async () => {
    await proxy?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    await down();
  });

  const pods = async (): Promise<V1Pod[]> => (await core.listPodForAllNamespaces({ labelSelector: MANAGED_BY_SELECTOR })).items;
  const podPath = (m: string, p: string) => /^\/api\/v1\/namespaces\/default\/pods\/netpath-/.test(p) && m === 'GET' && !p.endsWith('/exec');

  /** The request each phase holds (or waits for) while the signal lands. */
  function arm(phase: Phase): () => Promise<unknown> {
    proxy.rules.length = 0;
    proxy.seen.length = 0;
    const createPod = (m: string, p: string) => m === 'POST' && p === '/api/v1/namespaces/default/pods';
    if (phase === 'creating') {
      proxy.rules.push({ match: createPod, fault: { answerAfterMs: 3000 } });
      return () => proxy.arrival(createPod);
    }
    if (phase === 'waiting') {
      proxy.rules.push({ match: podPath, fault: { delayMs: 3000 }, times: 1 });
      return () => proxy.arrival(podPath);
    }
    if (phase === 'exec') return () => proxy.arrival((m, p) => p.endsWith('/exec'));
    const del = (m: string, p: string) => m === 'DELETE' && /\/pods\/netpath-/.test(p);
    proxy.rules.push({ match: del, fault: { delayMs: 3000 }, times: 1 });
    return () => proxy.arrival(del);
  }

  async function cleanup(): Promise<string> {
    const res = await execa(process.execPath, [BIN, 'cleanup', '-A', '--kubeconfig', h.kubeconfig], { reject: false, env: { NO_COLOR: '1' } });
    assert.equal(res.exitCode, 0, String(res.stderr));
    return String(res.stdout);
  }

  for (const phase of ['creating', 'waiting', 'exec', 'deleting'] as Phase[]) {
    for (const kill of ['SIGTERM', 'double-SIGINT', 'SIGKILL'] as Kill[]) {
      test(`${kill} while ${phase}: no netpath pod after the deadline, cleanup finds nothing`, { timeout: 4 * 60_000 }, async () => {
        const ready = arm(phase);
        const out = join(work, `bundle-${phase}-${kill}`);
        const child = spawn(process.execPath, [BIN, 'capture', '--all-services', '--output-dir', out, '--kubeconfig', kubeconfig, '--image', h.debugImage, ...TIMEOUTS, '-v'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        const exited = once(child, 'exit');
        await Promise.race([ready(), exited.then(() => Promise.reject(new Error(`capture ended before ${phase}: ${stderr}`)))]);
        if (kill === 'SIGKILL') child.kill('SIGKILL');
        else if (kill === 'SIGTERM') child.kill('SIGTERM');
        else {
          child.kill('SIGINT');
          await new Promise((r) => setTimeout(r, 50));
          child.kill('SIGINT');
        }
        const [code, signal] = await exited;
        if (kill === 'SIGTERM') {
          assert.equal(code, 143, stderr);
          // netpath deleted its pod before exiting (the delete may still be finishing on the server).
          for (const p of await pods()) assert.ok(p.metadata?.deletionTimestamp, `${p.metadata?.name} left behind: ${stderr}`);
        } else if (kill === 'SIGKILL') {
          assert.equal(signal, 'SIGKILL');
        } else {
          assert.equal(code, 130, stderr);
        }
        // Whatever is left carries its deadline; wait until it has passed, then cleanup removes it.
        const left = await pods();
        const latest = Math.max(Date.now(), ...left.map((p) => Date.parse(p.metadata?.annotations?.[DEADLINE_ANNOTATION] ?? '') || 0));
        if (left.length > 0) {
          // Before the deadline cleanup keeps the pod: its run might still be going.
          if (latest > Date.now() + 2000) assert.match(await cleanup(), /kept pod default\/netpath-.* in progress until/);
          await new Promise((r) => setTimeout(r, latest - Date.now() + 1000));
          await cleanup();
        }
        for (let i = 0; i < 60 && (await pods()).length > 0; i++) await new Promise((r) => setTimeout(r, 500));
        assert.deepEqual((await pods()).map((p) => p.metadata?.name), []);
        assert.equal((await cleanup()).trim(), 'no debug pods to delete in any namespace');
      });
    }
  }
});
