// kube-proxy's configuration and each Service's view are facts of the run: the pipeline builds
// them once and passes them down (issue 8). Counted by wrapping the two builders for every
// importer (node:test module mocks, in a child Node that has the flag), so a call anywhere in
// the analyzers counts, not only the pipeline's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const CHILD = new URL('./count-builds.child.ts', import.meta.url).pathname;
const BUNDLE = 'examples/real-local-lb';

function counts(...args: string[]): { configs: number; views: Record<string, number> } {
  const r = spawnSync(process.execPath, ['--no-warnings', '--experimental-test-module-mocks', CHILD, BUNDLE, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { configs: number; views: Record<string, number> };
}

test('explain-svc (3 nodes, every path, --compare-modes) builds the proxy config once and the service view once', () => {
  // 3 nodes x (ClusterIP + NodePort + LoadBalancer) paths, then 3 modes again: one build of each.
  // The expected walker reads kube-proxy's service map (both services of the bundle): each view once.
  assert.deepEqual(counts('explain', 'shop', 'web'), { configs: 1, views: { 'default/kubernetes': 1, 'shop/web': 1 } });
});

test('trace to a service from a pod builds the proxy config once and the service view once', () => {
  // The expected walker reads kube-proxy's service map (both services of the bundle): each view once.
  assert.deepEqual(counts('trace', 'svc/shop/web', 'pod/shop/client-c'), { configs: 1, views: { 'default/kubernetes': 1, 'shop/web': 1 } });
});

test('trace to an LB IP:PORT looks at each service once to find the owner, and builds the config once', () => {
  // The bundle has 2 services (default/kubernetes, shop/web): each view built once while looking
  // for the one that owns 10.251.9.9:80, none again while walking.
  assert.deepEqual(counts('trace', '10.251.9.9:80', 'external:203.0.113.2', 'node-c'), { configs: 1, views: { 'default/kubernetes': 1, 'shop/web': 1 } });
});
