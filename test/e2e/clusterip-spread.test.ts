// End-to-end: a real mini cluster (scripts/cluster/up) per kube-proxy mode; 3 endpoints behind a
// ClusterIP, >= 1000 connections from a pod, every pod reached about 1/3 of the time.
// Needs root. NETPATH_E2E_MODES=iptables,nftables picks the modes, NETPATH_K8S_VERSION the version.
// Run serially (--test-concurrency=1): the harness cluster's names are fixed, one per machine.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useCluster } from '../harness/cluster.ts';
import type { ProxyMode } from '../harness/layout.ts';
import { addPod, podKey } from '../harness/pods.ts';
import { createService, ensureNamespace, waitForEndpoints } from '../harness/services.ts';
import { nowSeconds, waitForProxySync } from '../harness/sync.ts';
import { probe } from '../harness/traffic.ts';
import { chiSquareForShares } from '../harness/chisquare.ts';
import { captureBundle } from '../harness/bundle.ts';

const MODES = (process.env.NETPATH_E2E_MODES ?? 'iptables,nftables').split(',') as ProxyMode[];
const CONNECTIONS = 1200;
const skip = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

for (const mode of MODES) {
  describe(`ClusterIP spread through kube-proxy ${mode}`, { skip }, () => {
    const cluster = useCluster({ mode, ...(process.env.NETPATH_K8S_VERSION ? { version: process.env.NETPATH_K8S_VERSION } : {}) });

    test(`${CONNECTIONS} connections from a pod reach each of 3 endpoints with share 1/3`, async () => {
      const c = cluster();
      const ns = 'e2e-spread';
      const since = nowSeconds();
      await ensureNamespace(c, ns);
      const backends = [];
      for (const [i, node] of ['node-a', 'node-b', 'node-c'].entries()) {
        backends.push(await addPod(c, { namespace: ns, name: `web-${i}`, node, labels: { app: 'web' } }));
      }
      const client = await addPod(c, { namespace: ns, name: 'client', node: 'node-a', labels: { app: 'client' } });
      const svc = await createService(c, {
        metadata: { name: 'web', namespace: ns },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
      });
      const clusterIP = svc.spec?.clusterIP ?? '';
      await waitForEndpoints(c, ns, 'web', (e) => e.ready === 3);
      await waitForProxySync(c, since);

      const tally = await probe(c, { from: client.netns, address: clusterIP, port: 80, count: CONNECTIONS });
      assert.equal(tally.sent, CONNECTIONS);
      assert.deepEqual(tally.errors, {});
      assert.equal(tally.answered, CONNECTIONS);
      // kube-proxy picks each endpoint with probability 1/3 (iptables: 1/3, then 1/2, then 1 of
      // the rest; nftables: numgen random mod 3), so the counts should fit 1/3 each.
      const shares = Object.fromEntries(backends.map((p) => [podKey(p), 1 / 3]));
      const fit = chiSquareForShares(tally.pods, shares);
      assert.deepEqual(fit.unexpected, []);
      for (const p of backends) assert.ok((tally.pods[podKey(p)] ?? 0) > 0, `${podKey(p)} never answered`);
      assert.ok(fit.pValue > 0.001, `counts ${JSON.stringify(tally.pods)} do not fit 1/3 each (chi2 ${fit.statistic.toFixed(2)}, p ${fit.pValue})`);
      // Pod-to-ClusterIP traffic from inside the cluster CIDR is not masqueraded: every backend
      // saw the client pod's own address.
      for (const p of backends) assert.deepEqual(Object.keys(tally.sources[podKey(p)] ?? {}), [client.ip]);

      // The bundle holds each node's real rules, and they mention the Service.
      const dir = await mkdtemp(path.join(tmpdir(), `netpath-e2e-${mode}-`));
      try {
        await captureBundle(c, dir);
        for (const node of c.layout.nodes) {
          const nodeDir = path.join(dir, 'nodes', node.name);
          assert.equal((await readFile(path.join(nodeDir, 'proxy-mode'), 'utf8')).trim(), mode);
          const dump = await readFile(path.join(nodeDir, mode === 'iptables' ? 'iptables-save.txt' : 'nft.json'), 'utf8');
          assert.ok(dump.includes(clusterIP), `${node.name} dump lacks ${clusterIP}`);
        }
        const services = JSON.parse(await readFile(path.join(dir, 'cluster', 'services.json'), 'utf8')) as { items: unknown[] };
        assert.ok(services.items.length >= 2); // default/kubernetes and e2e-spread/web
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
