// Captures examples/real-local-lb from the e2e cluster (real kube-proxy, real kernel rules):
// LoadBalancer shop/web with externalTrafficPolicy Local and ready pods 2/1/0 on node-a/b/c,
// plus a client pod on node-c. Run as root with no cluster up:
//   node scripts/examples/capture-local-lb.ts [iptables|nftables] [OUT_DIR]
// The cluster is torn down afterwards, also on failure.
import { rm } from 'node:fs/promises';
import { clusterDown, clusterUp } from '../../test/harness/cluster.ts';
import type { ProxyMode } from '../../test/harness/layout.ts';
import { addPod } from '../../test/harness/pods.ts';
import { captureBundle } from '../../test/harness/bundle.ts';
import { createService, ensureNamespace, setLoadBalancerIngress, waitForEndpoints } from '../../test/harness/services.ts';
import { nowSeconds, waitForProxySync } from '../../test/harness/sync.ts';

const mode = (process.argv[2] ?? 'iptables') as ProxyMode;
const out = process.argv[3] ?? 'examples/real-local-lb';
const ns = 'shop';

const c = await clusterUp({ mode });
try {
  const since = nowSeconds();
  await ensureNamespace(c, ns);
  for (const [name, node] of [['web-a1', 'node-a'], ['web-a2', 'node-a'], ['web-b1', 'node-b']]) {
    await addPod(c, { namespace: ns, name: name ?? '', node: node ?? '', labels: { app: 'web' } });
  }
  await addPod(c, { namespace: ns, name: 'client-c', node: 'node-c', labels: { app: 'client' } });
  await createService(c, {
    metadata: { name: 'web', namespace: ns },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    },
  });
  await waitForEndpoints(c, ns, 'web', (e) => e.ready === 3);
  await setLoadBalancerIngress(c, ns, 'web', '10.251.9.9', ['node-a', 'node-b']);
  await waitForProxySync(c, since);
  await rm(out, { recursive: true, force: true });
  await captureBundle(c, out);
  process.stderr.write(`captured ${out} (${mode})\n`);
} finally {
  await clusterDown();
}
