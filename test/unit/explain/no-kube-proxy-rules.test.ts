// A well-formed dump with no kube-proxy rules (a node whose Services are Cilium's or Calico
// eBPF's, or kube-proxy in another mode) gets its own finding naming the likely causes, not
// "kube-proxy stale / --cleanup". The dumps are real: a plain firewall loaded into a fresh
// network namespace and dumped (test/fixtures/no-kube-proxy-netns.md), put in place of node-c's
// dump in a copy of examples/real-local-lb.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../../src/model/finding.ts';
import { explainBundle, traceBundle } from './bundle-helpers.ts';

async function withNodeC(files: Record<string, string | null>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'netpath-no-kp-'));
  try {
    await cp('examples/real-local-lb', dir, { recursive: true });
    for (const [name, from] of Object.entries(files)) {
      const to = join(dir, 'nodes/node-c', name);
      if (from === null) await rm(to);
      else await copyFile(from, to);
    }
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function checkFinding(findings: Finding[], detail: string): void {
  const f = findings.filter((x) => x.id === 'no-kube-proxy-rules');
  assert.equal(f.length, 1, findings.map((x) => x.id).join(' '));
  const [finding] = f;
  assert.equal(finding!.severity, 'warning');
  assert.match(finding!.message, /^node-c: the dataplane dump is well-formed but holds no kube-proxy rules at all/);
  assert.deepEqual(finding!.evidence, [{ kind: 'node', node: 'node-c', detail }]);
  // The causes, and how to tell each.
  for (const cause of [/proxyMode/, /KUBE-SERVICES/, /table ip kube-proxy/, /ipvsadm -Ln/, /Cilium/, /KubeProxyReplacement/, /Calico eBPF/, /bpfEnabled/, /get ds kube-proxy/]) {
    assert.match(finding!.remediation, cause);
  }
  // Not taken for kube-proxy's stale or left-over rules.
  for (const x of findings) {
    assert.doesNotMatch(x.remediation, /kube-proxy --cleanup/, x.id);
    assert.notEqual(x.id, 'dataplane-stale');
    assert.notEqual(x.id, 'proxy-mode-mismatch');
  }
}

test('iptables-save of a node without kube-proxy rules (proxy-mode still says iptables)', async () => {
  await withNodeC({ 'iptables-save.txt': 'test/fixtures/no-kube-proxy-netns-iptables-save.txt' }, async (dir) => {
    const explain = await explainBundle(dir, 'shop', 'web');
    checkFinding(explain.findings, 'nodes/node-c/iptables-save.txt: no KUBE-SERVICES chain in its nat table; kube-proxy reports mode iptables');
    // node-c is answered from the API objects; node-a and node-b still from their rules.
    assert.deepEqual(
      [...new Set(explain.paths.map((p) => `${p.node} ${p.basis}`))].sort(),
      ['node-a dataplane', 'node-b dataplane', 'node-c model'],
    );
    const trace = await traceBundle(dir, 'svc/shop/web', 'pod/shop/client-c');
    assert.equal(trace.basis, 'model');
    checkFinding(trace.findings, 'nodes/node-c/iptables-save.txt: no KUBE-SERVICES chain in its nat table; kube-proxy reports mode iptables');
  });
});

test('nft -j list ruleset of a node without kube-proxy rules and no /proxyMode answer (as with Cilium)', async () => {
  await withNodeC(
    { 'iptables-save.txt': null, 'proxy-mode': null, 'nft.json': 'test/fixtures/no-kube-proxy-netns-nft.json' },
    async (dir) => {
      const explain = await explainBundle(dir, 'shop', 'web');
      checkFinding(explain.findings, 'nodes/node-c/nft.json: no kube-proxy table; no /proxyMode answer');
    },
  );
});
