// --compare-modes on examples/local-lb (eTP Local, pods 2/1/0). By hand: iptables and nftables
// DROP external traffic on node-c, which has no local endpoint; IPVS falls back to all cluster
// endpoints there (kube-proxy PR #97081), 1/3 each, so exactly node-c's NodePort and LB paths differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import { explainFrom } from '../../../src/pipeline/explain-svc.ts';
import type { PathReport } from '../../../src/model/results.ts';

test('IPVS differs from iptables/nftables only where Local has no local endpoint', async () => {
  const source = await SnapshotSource.open('examples/local-lb');
  try {
    const r = await explainFrom(source, 'shop', 'web', true, { compareModes: true });
    const byMode = new Map((r.modeComparison ?? []).map((m) => [m.mode, m]));
    assert.deepEqual([...byMode.keys()], ['iptables', 'nftables', 'ipvs']);
    assert.deepEqual(byMode.get('iptables')?.differences, []);
    assert.deepEqual(byMode.get('nftables')?.differences, []);
    const ipvs = byMode.get('ipvs');
    assert.equal(ipvs?.differences.length, 2);
    for (const entry of ['NodePort', 'LoadBalancer'] as const) {
      const p: PathReport | undefined = ipvs?.paths.find((x) => x.entry === entry && x.node === 'node-c');
      assert.deepEqual(
        p?.outcomes.map((o) => [o.verdict, o.endpoint?.pod]).sort(),
        [['DNAT', 'web-a1'], ['DNAT', 'web-a2'], ['DNAT', 'web-b1']],
      );
      for (const o of p?.outcomes ?? []) assert.ok(Math.abs(o.probability - 1 / 3) < 1e-9);
      assert.equal(p?.basis, 'model');
    }
    assert.equal(r.modeComparison?.every((m) => m.paths.every((p) => p.basis === 'model')), true);
  } finally {
    await source.close();
  }
});
