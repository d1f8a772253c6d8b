// explain-svc takes a bundle's nodes one at a time and lets each node's dump go before it reads
// the next (issue 11: memory bounded by one dump, not by the cluster). Observed with WeakRefs and
// a full GC between reads: a dump still referenced by the run cannot be collected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import type { ClusterSource, NodeDump, NodeQuery } from '../../../src/cluster/source.ts';
import { explainFrom } from '../../../src/pipeline/explain-svc.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The bundle as a source that records each read and whether the dumps read before are gone. */
function watched(inner: ClusterSource, nodesPerRead: number | undefined) {
  const earlier: { node: string; ref: WeakRef<NodeDump> }[] = [];
  const reads: { nodes: string[]; alive: string[] }[] = [];
  const source: ClusterSource = {
    description: inner.description,
    nodesPerRead,
    readState: (q) => inner.readState(q),
    async readNodes(query: NodeQuery) {
      // A WeakRef keeps its target alive until the current task ends: collect in the next one.
      await new Promise((r) => setImmediate(r));
      gc();
      reads.push({ nodes: query.nodes, alive: earlier.filter((e) => e.ref.deref() !== undefined).map((e) => e.node) });
      const dumps = await inner.readNodes(query);
      for (const d of dumps.values()) earlier.push({ node: d.node, ref: new WeakRef(d) });
      return dumps;
    },
    close: () => inner.close(),
  };
  return { source, reads };
}

test('explain-svc on a 3-node bundle reads one node per call, the dumps before already collected', async () => {
  const snap = await SnapshotSource.open('examples/real-local-lb');
  try {
    const { source, reads } = watched(snap, 1);
    const streamed = await explainFrom(source, 'shop', 'web', true);
    // real-local-lb has node-a, node-b, node-c; every one is read (a bundle reads all).
    assert.deepEqual(reads, [
      { nodes: ['node-a'], alive: [] },
      { nodes: ['node-b'], alive: [] },
      { nodes: ['node-c'], alive: [] },
    ]);
    // The same answer as reading every node at once.
    const together = watched(snap, undefined);
    const whole = await explainFrom(together.source, 'shop', 'web', true);
    assert.deepEqual(together.reads, [{ nodes: ['node-a', 'node-b', 'node-c'], alive: [] }]);
    assert.deepEqual(streamed, whole);
    assert.equal(streamed.paths.filter((p) => p.basis === 'dataplane').length, streamed.paths.length);
  } finally {
    await snap.close();
  }
});
