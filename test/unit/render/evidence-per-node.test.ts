// Evidence is cited from the node it belongs to (issue 14): explain-svc's text groups nodes with
// the same answer; when two nodes drop at different lines of their own dumps, neither may be
// shown with the other's line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PathReport } from '../../../src/model/results.ts';
import { renderExplain } from '../../../src/render/text-explain.ts';
import { explanation } from './examples.ts';
import { section } from './text-helpers.ts';

/** The NodePort paths of the hand-built example: node-c and node-d both DROP at iptables-save.txt:75. */
function withNodeDDropAt(line: number) {
  const result = explanation();
  result.paths = result.paths.map((p): PathReport => {
    if (p.node !== 'node-d' || p.entry !== 'NodePort') return p;
    return { ...p, outcomes: p.outcomes.map((o) => ({ ...o, steps: o.steps.map((s) => ({ ...s, line })) })) };
  });
  return section(renderExplain(result, { format: 'text', color: false }), 'Paths').join('\n');
}

test('nodes whose DROP rule sits at different lines of their own dumps are not grouped under one line', () => {
  const text = withNodeDDropAt(77);
  // Each node with its own line: node-c's dump has the rule at 75, node-d's at 77.
  assert.match(text, /NodePort 192\.168\.0\.13:30080\/TCP from external\n\s+on node-c\n.*\n.*iptables-save\.txt:75/);
  assert.match(text, /NodePort 192\.168\.0\.14:30080\/TCP from external\n\s+on node-d\n.*\n.*iptables-save\.txt:77/);
  assert.doesNotMatch(text, /on 2 nodes: node-c/);
});

test('nodes with the same rule at the same line of their own dumps still share one group', () => {
  const text = withNodeDDropAt(75);
  assert.match(text, /on 2 nodes: node-c 192\.168\.0\.13, node-d 192\.168\.0\.14\n.*\n.*iptables-save\.txt:75/);
});
