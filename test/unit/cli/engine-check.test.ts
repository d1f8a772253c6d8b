// On a Node older than package.json's engines, every command (even --help) ends with one line
// naming the Node needed and exit 2, instead of a stack trace from a dependency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';

const OLD_NODE = '/usr/bin/node'; // Debian's Node 20 on this machine and CI's
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const oldVersion = existsSync(OLD_NODE) ? (await execa(OLD_NODE, ['--version'])).stdout.trim() : null;
const tooOld = oldVersion !== null && Number(/^v(\d+)/.exec(oldVersion)?.[1]) < 22;

test('engines says what the launcher checks', () => {
  assert.equal(pkg.engines.node, '>=22.19');
});

for (const [bin, args] of [
  ['bin/kubectl-netpath', ['--help']],
  ['bin/kubectl-netpath', ['explain-svc', 'ns2/svc2', '--snapshot', 'examples/overall']],
  ['bin/kubectl_complete-netpath', ['explain-svc', '']],
] as const) {
  test(`${bin} ${args.join(' ')} on ${oldVersion ?? 'an old Node'}: one line naming Node >=22.19, exit 2`, { skip: !tooOld && `no Node older than 22 at ${OLD_NODE}` }, async () => {
    const r = await execa(OLD_NODE, [bin, ...args], { reject: false });
    assert.equal(r.exitCode, 2);
    assert.equal(r.stdout, '');
    const lines = String(r.stderr).trim().split('\n');
    assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
    assert.match(lines[0] ?? '', /^error: kubectl-netpath needs Node >=22\.19 \(this is Node 20\.\d+\.\d+ at \/usr\/bin\/node\)/);
  });
}

test('the same launcher runs the CLI on the pinned Node', async () => {
  const r = await execa(process.execPath, ['bin/kubectl-netpath', '--version'], { reject: false });
  assert.equal(r.exitCode, 0);
  assert.equal(String(r.stdout).trim(), JSON.parse(readFileSync('package.json', 'utf8')).version);
});
