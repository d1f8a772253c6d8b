import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { terminalWidth } from '../../../src/render/options.ts';
import { renderExplain } from '../../../src/render/text-explain.ts';
import { renderTrace } from '../../../src/render/text-trace.ts';
import { explainBundle, traceBundle } from '../explain/bundle-helpers.ts';

/** The verdict block: the lines before the first blank line, joined as one sentence per logical line. */
function verdictBlock(text: string): string {
  const lines = stripVTControlCharacters(text).split('\n');
  return lines.slice(0, lines.indexOf('')).join(' ');
}

const explainText = async (bundle: string, ns: string, name: string, width?: number) =>
  renderExplain(await explainBundle(`examples/${bundle}`, ns, name), { format: 'text', color: false, ...(width === undefined ? {} : { width }) });

describe('the verdict comes first', () => {
  it('drop under Local: names the node without a local endpoint that drops external traffic', async () => {
    // examples/real-local-lb (README): web-a1, web-a2 on node-a, web-b1 on node-b, none on node-c;
    // externalTrafficPolicy Local, so node-c drops LoadBalancer and NodePort traffic (its
    // KUBE-EXTERNAL-SERVICES DROP rule) and node-a, node-b reach their own pods: 3 in all.
    // ClusterIP traffic reaches all 3 from every node. Findings: node-c unhealthy and the 1/4 vs
    // 1/2 imbalance, both warnings.
    const text = await explainText('real-local-lb', 'shop', 'web');
    assert.ok(text.startsWith('Verdict: '), text.slice(0, 100));
    assert.equal(
      verdictBlock(text),
      'Verdict: ClusterIP traffic reaches 3 endpoints; LoadBalancer/NodePort traffic is dropped on node-c (no local endpoint there) ' +
        'and reaches 3 endpoints on node-a and node-b. Worst finding: warning local-policy-unhealthy-nodes (+1 more), see Findings below.',
    );
  });

  it('drop under Local on every node: examples/overall ns2/svc2', async () => {
    // Its one endpoint 10.180.0.2 has no node, so test-node has no local endpoint and its
    // kube-proxy drops external traffic; every node answers 503: an error.
    const block = verdictBlock(await explainText('overall', 'ns2', 'svc2'));
    assert.match(block, /^Verdict: ClusterIP traffic reaches 1 endpoint; LoadBalancer\/NodePort\/ExternalIP traffic is dropped on its only node test-node, which has no local endpoint\./);
    assert.match(block, /Worst finding: error local-policy-unhealthy-nodes/);
  });

  it('all good: one endpoint reached, and "no problems found"', async () => {
    // ns1/svc1: a ClusterIP service with one ready endpoint 10.180.0.1 and no warning or error.
    const text = await explainText('overall', 'ns1', 'svc1');
    const lines = text.split('\n');
    assert.equal(lines[0], 'Verdict: ClusterIP traffic reaches 1 endpoint.');
    assert.equal(lines[1], 'No problems found (no error or warning findings).');
  });

  it('no endpoints: traffic is rejected, and the no-endpoints error is the worst finding', async () => {
    // ns6/svc6 has no endpoints: kube-proxy REJECTs (KUBE-SERVICES ... has no endpoints -j REJECT).
    const lines = (await explainText('overall', 'ns6', 'svc6')).split('\n');
    assert.equal(lines[0], 'Verdict: ClusterIP traffic is rejected (connection refused) on its only node test-node.');
    assert.equal(lines[1], 'Worst finding: error no-endpoints, see Findings below.');
  });

  it('trace: the deciding rule in full, whatever the width', async () => {
    const rule = readFileSync('examples/real-local-lb/nodes/node-c/iptables-save.txt', 'utf8').split('\n')[34 - 1]!;
    assert.match(rule, /KUBE-EXTERNAL-SERVICES .* -j DROP$/);
    const result = await traceBundle('examples/real-local-lb', '10.251.9.9:80', 'external', { node: 'node-c' });
    for (const width of [80, 160]) {
      const text = renderTrace(result, { format: 'text', color: false, width });
      assert.ok(verdictBlock(text).startsWith(`Verdict: on node-c, DROP 100.0% by filter/KUBE-EXTERNAL-SERVICES iptables-save.txt:34: ${rule}.`), `width ${width}`);
    }
  });
});

describe('width', () => {
  it('takes the terminal width on a TTY, else COLUMNS, else 100, within 40..200', () => {
    assert.equal(terminalWidth({ isTTY: true, columns: 123, env: {} }), 123);
    assert.equal(terminalWidth({ isTTY: true, columns: 0, env: { COLUMNS: '90' } }), 90);
    assert.equal(terminalWidth({ isTTY: undefined, columns: undefined, env: { COLUMNS: '160' } }), 160);
    assert.equal(terminalWidth({ isTTY: undefined, columns: undefined, env: {} }), 100);
    assert.equal(terminalWidth({ isTTY: true, columns: 0, env: {} }), 100);
    assert.equal(terminalWidth({ isTTY: true, columns: 300, env: {} }), 200);
    assert.equal(terminalWidth({ isTTY: true, columns: 20, env: {} }), 40);
  });

  for (const width of [80, 160]) {
    it(`fits ${width} columns and keeps node names and deciding rules whole`, async () => {
      const explain = await explainText('real-local-lb', 'shop', 'web', width);
      const trace = renderTrace(await traceBundle('examples/real-local-lb', '10.251.9.9:80', 'external', { node: 'node-c' }), { format: 'text', color: false, width });
      for (const text of [explain, trace]) {
        for (const line of text.split('\n')) assert.ok([...line].length <= width, `${[...line].length} > ${width}: ${line}`);
      }
      // Node names and the chain and place of node-c's DROP are never split or cut.
      for (const node of ['node-a', 'node-b', 'node-c']) assert.match(explain, new RegExp(`\\b${node}\\b`));
      assert.match(explain, /KUBE-EXTERNAL-SERVICES iptables-save\.txt:34/);
      assert.doesNotMatch(explain + trace, /node-[abc]…|KUBE-EXTERNAL-SERVICES…/);
      assert.match(trace, /filter\/KUBE-EXTERNAL-SERVICES {2}iptables-save\.txt:34\n/);
    });
  }
});
