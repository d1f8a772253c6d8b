// `kubectl netpath node` through the built CLI on the real example bundle (examples/real-kernel:
// node-a carries the node-state files, node-b and node-c do not) and on broken copies of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const BIN = 'bin/kubectl-netpath';
const BUNDLE = 'examples/real-kernel';

async function run(...args: string[]) {
  const r = await execa(process.execPath, [BIN, ...args], { reject: false, env: { NO_COLOR: '1' } });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

test('node -o json: every node, node-a with sync, rules and conntrack; the others without state files still reported', async () => {
  const r = await run('node', '--snapshot', BUNDLE, '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.kind, 'NodeHealthReport');
  assert.deepEqual(doc.nodes.map((n: { node: string }) => n.node), ['node-a', 'node-b', 'node-c']);
  const a = doc.nodes[0];
  assert.equal(a.kubeProxyVersion, 'v1.36.3');
  assert.equal(a.rules.rules, 50); // grep -c '^\[[0-9]*:[0-9]*\] -A' nodes/node-a/iptables-save.txt
  assert.equal(a.conntrack.count, 48);
  assert.equal(a.sync[0].lastSync, '2026-12-04T03:10:32.359Z');
  const b = doc.nodes[1];
  assert.equal(b.conntrack, null);
  assert.deepEqual(b.sync, []);
  assert.equal(b.rules.rules, 50); // grep -c '^-A' nodes/node-b/iptables-save.txt
});

test('node NAME: one node; an unknown node is exit 4', async () => {
  const r = await run('node', 'node-b', '--snapshot', BUNDLE, '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).nodes.map((n: { node: string }) => n.node), ['node-b']);
  const bad = await run('node', 'node-z', '--snapshot', BUNDLE);
  assert.equal(bad.code, 4);
  assert.match(bad.stderr, /^error: node node-z not found/);
});

test('a conntrack.txt that does not parse: exit 3 with file and line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'netpath-node-'));
  try {
    await cp(BUNDLE, dir, { recursive: true });
    await appendFile(join(dir, 'nodes/node-a/conntrack.txt'), 'garbage line\n');
    const r = await run('node', '--snapshot', dir);
    assert.equal(r.code, 3);
    // conntrack.txt has 48 entries: the appended line is line 49.
    assert.match(r.stderr, /^error: nodes\/node-a\/conntrack\.txt:49: not a conntrack -L entry/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('explain-svc shows the health of the nodes it read that carry node-state files, with their findings', async () => {
  const r = await run('explain-svc', 'kernel/web', '--snapshot', BUNDLE, '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  // Only node-a's directory holds kube-proxy-metrics.txt, conntrack*.txt and kube-proxy-healthz.json.
  assert.deepEqual(doc.nodeHealth.map((n: { node: string }) => n.node), ['node-a']);
  const a = doc.nodeHealth[0];
  assert.equal(a.kubeProxyVersion, 'v1.36.3'); // kubernetes_build_info{git_version="v1.36.3"}
  assert.equal(a.rules.rules, 50); // grep -c '^\[[0-9]*:[0-9]*\] -A' nodes/node-a/iptables-save.txt
  assert.equal(a.conntrack.count, 48); // conntrack-count: 48, then 262144
  assert.equal(a.sync[0].lastSync, '2026-12-04T03:10:32.359Z');
  const text = await run('explain-svc', 'kernel/web', '--snapshot', BUNDLE);
  assert.match(text.stdout, /\nNodes now \(kube-proxy and conntrack at the reading\)\n  node-a  iptables  kube-proxy v1\.36\.3  healthy\n/);
});

test('explain-svc on a bundle without node-state files has no node health (nothing to show)', async () => {
  const r = await run('explain-svc', 'shop/web', '--snapshot', 'examples/real-local-lb', '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).nodeHealth, undefined);
});
