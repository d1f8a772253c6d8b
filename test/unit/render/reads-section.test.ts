// Issue 11: a live run that left nodes to the model says so in one line; offline it stays silent
// (the assumptions name the nodes a bundle lacks).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readsSection } from '../../../src/render/reads-section.ts';
import { textContext } from '../../../src/render/sections.ts';
import type { ReadsSummary } from '../../../src/model/results.ts';

const ctx = textContext({ format: 'wide', color: false });
const live: ReadsSummary = {
  nodesRead: ['node-a', 'node-b'],
  nodesModel: ['node-c', 'node-d'],
  reasons: { 'node-a': 'endpoints', 'node-b': 'no endpoints, for 3 such nodes with kube-proxy v1.36.3, iptables mode' },
  apiCalls: 9,
  debugPods: 2,
};

test('live, with nodes answered from the model: read N of M nodes, each with why, and --all-nodes', () => {
  assert.deepEqual(readsSection(live, ctx), [
    "read 2 of 4 nodes: node-a (endpoints), node-b (no endpoints, for 3 such nodes with kube-proxy v1.36.3, iptables mode); the others answered from kube-proxy's semantics, --all-nodes to read every one",
  ]);
});

test('nothing to say: every node read, or a bundle (costs null), or no reads at all', () => {
  assert.deepEqual(readsSection({ ...live, nodesRead: ['node-a', 'node-b', 'node-c', 'node-d'], nodesModel: [] }, ctx), []);
  assert.deepEqual(readsSection({ ...live, apiCalls: null, debugPods: null }, ctx), []);
  assert.deepEqual(readsSection(undefined, ctx), []);
});
