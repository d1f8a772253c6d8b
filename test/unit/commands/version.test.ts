// `kubectl netpath version` from the built CLI (dist/, made by `npm run build`): the version is
// package.json's, the commit is what git says about this checkout (asked here, independently).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execa } from 'execa';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

async function gitCommit(): Promise<string> {
  const sha = (await execa('git', ['rev-parse', 'HEAD'])).stdout.trim();
  const dirty = (await execa('git', ['status', '--porcelain', '--untracked-files=no'])).stdout.trim() !== '';
  return dirty ? `${sha}-dirty` : sha;
}

test('version -o json: package.json version and the checkout commit', async () => {
  const r = await execa(process.execPath, ['bin/kubectl-netpath', 'version', '-o', 'json']);
  assert.deepEqual(JSON.parse(String(r.stdout)), { version: pkg.version, commit: await gitCommit() });
});

test('version (text): one line with both', async () => {
  const r = await execa(process.execPath, ['bin/kubectl-netpath', 'version'], { stripFinalNewline: false });
  assert.equal(String(r.stdout), `kubectl-netpath ${pkg.version} (commit ${await gitCommit()})\n`);
});
