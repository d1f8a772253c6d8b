import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { renderTrace } from '../../../src/render/text-trace.ts';
import { POD_A1, POD_A2, POD_B1, SERVICES_RULE, trace } from './examples.ts';
import { ANSI, longestLine, section } from './text-helpers.ts';

const text = (color = false) => renderTrace(trace(), { format: 'text', color });
const wide = () => renderTrace(trace(), { format: 'wide', color: false });

describe('renderTrace', () => {
  it('starts with the packet line', () => {
    const first = text().split('\n').find((l) => l.startsWith('Packet'));
    assert.equal(first, 'Packet 10.244.3.9 -> 10.96.12.34:80/TCP from pod shop/client-0, entering node-c');
    assert.match(text(), /Service shop\/checkout via ClusterIP; proxy mode iptables; basis dataplane/);
  });

  it('brackets an IPv6 destination', () => {
    const result = trace();
    result.packet = { ...result.packet, src: 'fd00:10:244:3::9', dst: 'fd00:10:96::c' };
    assert.match(renderTrace(result, { format: 'text', color: false }), /\nPacket fd00:10:244:3::9 -> \[fd00:10:96::c\]:80\/TCP/);
  });

  it('fits 100 columns in default mode, with and without colour', () => {
    assert.ok(SERVICES_RULE.length > 100);
    assert.ok(longestLine(text(false)) <= 100, `longest line: ${longestLine(text(false))}`);
    assert.ok(longestLine(text(true)) <= 100);
  });

  it('has ANSI escapes exactly when colour is on', () => {
    assert.doesNotMatch(text(false), ANSI);
    assert.match(text(true), ANSI);
    assert.equal(stripVTControlCharacters(text(true)), text(false));
  });

  it('walks each outcome step by step with table/chain and file:line, then the outcomes table', () => {
    const out = text();
    const steps = section(out, 'Steps');
    for (const [i, outcome] of trace().outcomes.entries()) {
      const heading = steps.findIndex((l) => l.startsWith(`  #${i + 1} DNAT 33.3% (1/3)  ${outcome.endpoint!.pod}`));
      assert.ok(heading >= 0, `outcome ${i + 1}`);
      outcome.steps.forEach((step, n) => {
        // Each step: "N. table/chain  file:line", then the rule (cut to the width when long).
        const at = heading + 2 + 2 * n;
        assert.equal(steps[at], `     ${n + 1}. ${step.table}/${step.chain}  ${step.file}:${step.line}`);
        const rule = steps[at + 1]!.trim();
        assert.ok(rule === step.rule || (rule.endsWith('…') && step.rule.startsWith(rule.slice(0, -1))), rule);
      });
    }
    assert.ok(out.indexOf('Outcomes') > out.indexOf('Steps'));
  });

  it('lists the outcomes with verdict, share, pod, hop and SNAT', () => {
    const table = section(text(), 'Outcomes');
    assert.match(table[1]!, /#\s+VERDICT\s+SHARE\s+ENDPOINT\s+HOP\s+SNAT/);
    // Shares 0.3333333333, 0.33333333335, 0.33333333335 all print as 33.3% (1/3).
    assert.match(table[2]!, new RegExp(`1\\s+DNAT\\s+33\\.3% \\(1/3\\)\\s+${POD_A1}\\s+remote\\s+no`));
    assert.match(table[3]!, new RegExp(`2\\s+DNAT\\s+33\\.3% \\(1/3\\)\\s+${POD_A2}\\s+remote\\s+no`));
    assert.match(table[4]!, new RegExp(`3\\s+DNAT\\s+33\\.3% \\(1/3\\)\\s+${POD_B1}\\s+remote\\s+no`));
  });

  it('says where each outcome goes: address, endpoint node, hop, SNAT', () => {
    const result = trace();
    result.outcomes[0]!.sourceIPPreserved = false;
    const out = renderTrace(result, { format: 'text', color: false });
    assert.match(out, /\n {5}10\.244\.1\.5:8080 on node-a, hop remote, SNAT \(source IP lost\)\n/);
    assert.match(out, /\n {5}10\.244\.2\.7:8080 on node-b, hop remote, source IP kept\n/);
    assert.match(section(out, 'Outcomes')[2]!, /remote\s+yes$/);
  });

  it('names the node of a step taken on another node than the entry node', () => {
    const result = trace();
    result.outcomes[0]!.steps[3]!.node = 'node-a';
    assert.match(renderTrace(result, { format: 'text', color: false }), /4\. nat\/KUBE-SEP-ZX7GRIZKSNUQ3LAJ {2}iptables-save\.txt:61 on node-a\n/);
  });

  it('shows NO-MATCH when no Service matches, without an endpoint', () => {
    const result = trace();
    result.service = null;
    result.outcomes = [{
      verdict: 'NO-MATCH', probability: 1, endpoint: null, hop: null, sourceIPPreserved: null, dynamic: false, conditions: [],
      steps: [{ node: 'node-c', table: 'nat', chain: 'KUBE-SERVICES', rule: '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS', line: 44, file: 'iptables-save.txt' }],
    }];
    const out = renderTrace(result, { format: 'text', color: false });
    assert.match(out, /no Service matches this destination/);
    assert.match(section(out, 'Outcomes')[2]!, /1\s+NO-MATCH\s+100\.0%\s+-\s+-\s+-$/);
  });

  it('wide mode shows each step whole with file:line and the endpoint address and node', () => {
    const out = wide();
    for (const outcome of trace().outcomes) {
      for (const step of outcome.steps) {
        assert.ok(out.includes(`${step.table}/${step.chain}  ${step.file}:${step.line}\n`));
        assert.ok(out.includes(`${step.rule}\n`), step.rule);
      }
    }
    assert.ok(!text().includes(SERVICES_RULE));
    assert.match(section(out, 'Outcomes')[4]!, new RegExp(`3\\s+DNAT\\s+33\\.3% \\(1/3\\)\\s+${POD_B1}\\s+10\\.244\\.2\\.7:8080\\s+node-b\\s+remote\\s+no`));
  });

  it('ends with findings and assumptions', () => {
    const out = text();
    assert.match(section(out, 'Findings')[1]!, /^ {2}warning\s+lb-imbalance-local-policy$/);
    // Two assumptions, the first (178 characters) wrapped to two lines at 100 - 4 columns.
    assert.equal(section(out, 'Assumptions').length, 1 + 3);
    assert.ok(out.endsWith('assumed\n'));
  });
});
