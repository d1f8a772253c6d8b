// The built CLI (dist/, made by `npm test` before the tests run) on bad input: one line on stderr,
// the documented exit code (README "Exit codes"), no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const BIN = 'bin/kubectl-netpath';

async function run(...args: string[]) {
  const r = await execa(process.execPath, [BIN, ...args], { reject: false, env: { NO_COLOR: '1' } });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function oneLine(stderr: string, re: RegExp) {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got: ${stderr}`);
  assert.match(lines[0] ?? '', re);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

async function withBundleCopy(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'netpath-cli-'));
  try {
    await cp('examples/overall', dir, { recursive: true });
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a bundle missing a required file: exit 3, names the file and the kubectl command', async () => {
  await withBundleCopy(async (dir) => {
    await rm(join(dir, 'cluster/endpointslices.json'));
    const r = await run('explain-svc', 'ns1/svc1', '--snapshot', dir);
    assert.equal(r.code, 3);
    oneLine(r.stderr, /^error: snapshot: missing cluster\/endpointslices\.json \(create it with: kubectl get endpointslices/);
  });
});

test('malformed JSON in the bundle: exit 3 with file and position', async () => {
  await withBundleCopy(async (dir) => {
    await writeFile(join(dir, 'cluster/services.json'), '{"items": [');
    const r = await run('explain-svc', 'ns1/svc1', '--snapshot', dir);
    assert.equal(r.code, 3);
    // `{"items": [` is 11 characters: the document stops at position 11, column 12.
    oneLine(r.stderr, /^error: cluster\/services\.json:1: truncated JSON \(the file is cut\) at column 12 \(position 11\)/);
  });
});

test('a truncated dump: exit 3 naming the node file and line', async () => {
  await withBundleCopy(async (dir) => {
    const path = join(dir, 'nodes/test-node/iptables-save.txt');
    const lines = (await readFile(path, 'utf8')).split('\n');
    // Cut inside the nat table (before its COMMIT), as a dump interrupted mid-write would be.
    await writeFile(path, lines.slice(0, 100).join('\n') + '\n');
    const r = await run('explain-svc', 'ns1/svc1', '--snapshot', dir);
    assert.equal(r.code, 3);
    oneLine(r.stderr, /^error: nodes\/test-node\/iptables-save\.txt:\d+: .*COMMIT/i);
  });
});

test('an unknown service: exit 4', async () => {
  const r = await run('explain-svc', 'ns1/nope', '--snapshot', 'examples/overall');
  assert.equal(r.code, 4);
  oneLine(r.stderr, /^error: service ns1\/nope not found in snapshot examples\/overall$/);
});

test('a bad TARGET and a bad --from: exit 2', async () => {
  let r = await run('trace', '1.2.3.4', '--snapshot', 'examples/overall');
  assert.equal(r.code, 2);
  oneLine(r.stderr, /^error: target "1\.2\.3\.4": an address needs a port/);
  r = await run('trace', 'svc/ns1/svc1', '--from', 'mars', '--snapshot', 'examples/overall');
  assert.equal(r.code, 2);
  oneLine(r.stderr, /^error: --from "mars": expected external/);
});

test('a snapshot path that does not exist: exit 3', async () => {
  const r = await run('explain-svc', 'ns1/svc1', '--snapshot', '/nonexistent/bundle');
  assert.equal(r.code, 3);
  oneLine(r.stderr, /^error: snapshot \/nonexistent\/bundle: no such file or directory$/);
});

test('an unknown option is a usage error (exit 2)', async () => {
  const r = await run('explain-svc', 'ns1/svc1', '--bogus');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option '--bogus'/);
});

test('a good run exits 0 and prints the service', async () => {
  const r = await run('explain-svc', 'ns2/svc2', '--snapshot', 'examples/overall');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Service ns2\/svc2 \(LoadBalancer\)/);
});
