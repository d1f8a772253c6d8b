// A kubectl plugin starts in tens of milliseconds: --help, --version, completion and offline
// --snapshot runs must not load the API client (about a second of CPU) nor execa, ora or tar.
// The built CLI (dist/) runs with a loader hook that lists every module it loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const HOOK = new URL('./import-trace.ts', import.meta.url).pathname;

/** The npm packages a CLI run loaded, and its exit code. */
async function packagesLoaded(args: string[], env: Record<string, string> = {}): Promise<{ packages: Set<string>; code: number | undefined }> {
  const dir = await mkdtemp(join(tmpdir(), 'netpath-imports-'));
  try {
    const trace = join(dir, 'trace');
    const r = await execa(process.execPath, ['--import', HOOK, 'bin/kubectl-netpath', ...args], {
      reject: false,
      env: { NETPATH_IMPORT_TRACE: trace, NO_COLOR: '1', KUBECONFIG: '', ...env },
    });
    const urls = (await readFile(trace, 'utf8')).split('\n').filter(Boolean);
    const packages = new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
    return { packages, code: r.exitCode };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const HEAVY = ['@kubernetes/client-node', 'execa', 'ora', 'tar'];

for (const args of [['--help'], ['--version'], ['help', 'trace'], ['explain-svc', '--help'], ['__complete', 'explain-svc', '--snapshot', 'examples/overall', '']]) {
  test(`${args.join(' ')} loads commander and none of ${HEAVY.join(', ')}`, async () => {
    const { packages, code } = await packagesLoaded(args);
    assert.equal(code, 0);
    assert.ok(packages.has('commander'), 'the hook sees npm packages');
    for (const p of HEAVY) assert.ok(!packages.has(p), `${p} loaded by ${args.join(' ')}`);
  });
}

test('offline runs on a bundle directory load neither the API client nor execa, ora or tar', async () => {
  for (const args of [
    ['explain-svc', 'ns2/svc2', '--snapshot', 'examples/overall'],
    ['trace', 'svc/shop/web', '--from', 'node/node-b', '--snapshot', 'examples/real-local-lb', '-o', 'json'],
  ]) {
    const { packages, code } = await packagesLoaded(args);
    assert.equal(code, 0, args.join(' '));
    for (const p of HEAVY) assert.ok(!packages.has(p), `${p} loaded by ${args.join(' ')}`);
  }
});

test('control: a live run does load the API client (the hook would see a static import)', async () => {
  // Port 1 on loopback refuses at once: exit 5 (API server unreachable) after client-node loaded.
  const { packages, code } = await packagesLoaded(['explain-svc', 'shop/web', '-s', 'https://127.0.0.1:1', '--request-timeout', '5s']);
  assert.equal(code, 5);
  assert.ok(packages.has('@kubernetes/client-node'));
});
