import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { TOY_FILE } from './toy/index.ts';

const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

/** One node, one ClusterIP Service (10.96.0.10:80/TCP -> 8080) with two ready endpoints. */
function toyBundle(dir: string, toyText: string): void {
  mkdirSync(join(dir, 'cluster'), { recursive: true });
  mkdirSync(join(dir, 'nodes', 'n1'), { recursive: true });
  writeFileSync(join(dir, 'cluster', 'services.json'), list([{
    metadata: { name: 'web', namespace: 'toy' },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
  }]));
  writeFileSync(join(dir, 'cluster', 'endpointslices.json'), list([{
    metadata: { name: 'web-1', namespace: 'toy', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.244.1.2'], nodeName: 'n1', conditions: { ready: true, serving: true, terminating: false } },
      { addresses: ['10.244.1.3'], nodeName: 'n1', conditions: { ready: true, serving: true, terminating: false } },
    ],
  }]));
  writeFileSync(join(dir, 'cluster', 'nodes.json'), list([{ metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.240.0.11' }] } }]));
  writeFileSync(join(dir, 'cluster', 'pods.json'), list([]));
  writeFileSync(join(dir, 'nodes', 'n1', 'proxy-mode'), 'toy');
  writeFileSync(join(dir, 'nodes', 'n1', TOY_FILE), toyText);
}

/** The CLI in a child process, with the toy registered by toy/cli.ts (real stdout, real exit code). */
function run(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, 'toy', 'cli.ts'), ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('a dataplane registered from the test folder is read from a bundle and walked by explain-svc', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpath-toy-'));
  try {
    // The toy DNATs to 10.244.1.2 only: one endpoint of the two the API lists, so the walk is
    // visibly the toy's (a model answer would give both, 50% each).
    toyBundle(dir, '# toy\n10.96.0.10 80 TCP 10.244.1.2:8080\n');
    const { code, out, err } = run(['explain-svc', 'toy/web', '--snapshot', dir, '-o', 'json']);
    assert.equal(code, 0, err);
    const result = JSON.parse(out) as { nodes: { name: string; proxyMode: string; proxyModeSource: string }[]; paths: { node: string; basis: string; outcomes: { verdict: string; probability: number; endpoint: { ip: string } | null; steps: { rule: string; line: number | null }[] }[] }[] };
    assert.deepEqual(result.nodes.map((n) => [n.name, n.proxyMode, n.proxyModeSource]), [['n1', 'toy', 'proxy-mode']]);
    const clusterIP = result.paths.filter((p) => p.node === 'n1');
    assert.ok(clusterIP.length > 0);
    for (const p of clusterIP) {
      assert.equal(p.basis, 'dataplane');
      assert.deepEqual(p.outcomes.map((o) => [o.verdict, o.probability, o.endpoint?.ip]), [['DNAT', 1, '10.244.1.2']]);
      assert.equal(p.outcomes[0]!.steps.some((s) => s.rule === '10.96.0.10 80 TCP 10.244.1.2:8080' && s.line === 2), true);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a toy dump that cannot be parsed is bad input naming the file and line (exit 3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpath-toy-'));
  try {
    toyBundle(dir, '10.96.0.10 80\n');
    const { code, err } = run(['explain-svc', 'toy/web', '--snapshot', dir, '-o', 'json']);
    assert.equal(code, 3);
    assert.match(err, /toy\.txt.*line 1|toy\.txt:1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
