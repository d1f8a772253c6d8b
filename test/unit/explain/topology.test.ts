// examples/local-lb with zone hints added as the EndpointSlice controller writes them (each
// endpoint hinted for its own zone). By hand, from kube-proxy's CategorizeEndpoints: every ready
// endpoint has a zone hint; node-a (zone-a) has endpoints hinted for zone-a -> only web-a1, web-a2
// (1/2 each); node-b (zone-b) -> only web-b1 (1); node-c (zone-c) has none hinted for zone-c -> no
// topology filtering, all three at 1/3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainBundle } from './bundle-helpers.ts';

test('zone hints narrow ClusterIP traffic per node, and the finding says where', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'netpath-topo-'));
  try {
    await cp('examples/local-lb', dir, { recursive: true });
    const file = join(dir, 'cluster/endpointslices.json');
    const doc = JSON.parse(await readFile(file, 'utf8')) as { items: { endpoints: { zone: string; hints?: unknown }[] }[] };
    for (const ep of doc.items[0]!.endpoints) ep.hints = { forZones: [{ name: ep.zone }] };
    await writeFile(file, JSON.stringify(doc));
    const r = await explainBundle(dir, 'shop', 'web');
    const reached = (node: string) =>
      r.paths
        .find((p) => p.entry === 'ClusterIP' && p.node === node)
        ?.outcomes.map((o) => [o.endpoint?.pod, Math.round(o.probability * 1e9) / 1e9])
        .sort();
    assert.deepEqual(reached('node-a'), [['web-a1', 0.5], ['web-a2', 0.5]]);
    assert.deepEqual(reached('node-b'), [['web-b1', 1]]);
    assert.deepEqual(reached('node-c'), [['web-a1', 0.333333333], ['web-a2', 0.333333333], ['web-b1', 0.333333333]]);
    const f = r.findings.find((x) => x.id === 'topology-aware-routing');
    assert.ok(f);
    assert.match(f.message, /node-a -> web-a1, web-a2; node-b -> web-b1\)/);
    assert.equal(f.evidence.filter((e) => e.kind === 'endpointslice').length, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('no hints and no trafficDistribution: no topology finding', async () => {
  const r = await explainBundle('examples/local-lb', 'shop', 'web');
  assert.equal(r.findings.some((f) => f.id === 'topology-aware-routing'), false);
});
