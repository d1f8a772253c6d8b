import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import type { Outcome } from '../../../src/model/outcome.ts';
import type { PathReport } from '../../../src/model/results.ts';
import { formatEvidence } from '../../../src/render/format.ts';
import { renderExplain } from '../../../src/render/text-explain.ts';
import { ASSUMPTIONS, explanation, POD_A1, POD_A2, POD_B1, SERVICES_RULE } from './examples.ts';
import { ANSI, longestLine, section } from './text-helpers.ts';

const text = (color = false) => renderExplain(explanation(), { format: 'text', color });
const wide = () => renderExplain(explanation(), { format: 'wide', color: false });

describe('renderExplain default mode', () => {
  it('fits 100 columns despite long rule texts, pod names, reasons and findings', () => {
    assert.ok(SERVICES_RULE.length > 100 && ASSUMPTIONS[0]!.length > 100);
    assert.ok(longestLine(text(false)) <= 100, `longest line: ${longestLine(text(false))}`);
    assert.ok(longestLine(text(true)) <= 100);
  });

  it('fits a narrower width when asked', () => {
    assert.ok(longestLine(renderExplain(explanation(), { format: 'text', color: false, width: 80 })) <= 80);
  });

  it('has ANSI escapes exactly when colour is on', () => {
    assert.doesNotMatch(text(false), ANSI);
    assert.match(text(true), ANSI);
    assert.equal(stripVTControlCharacters(text(true)), text(false));
  });

  it('shows each outcome: verdict, share from the probability, pod name in full, hop, SNAT', () => {
    const paths = section(text(), 'Paths');
    // ClusterIP on node-a: 0.3333333333 and 0.33333333335 both print as 33.3% (1/3).
    const onA = paths.slice(paths.findIndex((l) => l.includes('ClusterIP')));
    assert.match(onA[1]!, /on node-a$/);
    assert.match(onA[2]!, /VERDICT\s+SHARE\s+ENDPOINT\s+HOP\s+SNAT/);
    assert.match(onA[3]!, new RegExp(`DNAT\\s+33\\.3% \\(1/3\\)\\s+${POD_A1}\\s+local\\s+no`));
    assert.match(onA[4]!, new RegExp(`DNAT\\s+33\\.3% \\(1/3\\)\\s+${POD_A2}\\s+local\\s+no`));
    assert.match(onA[5]!, new RegExp(`DNAT\\s+33\\.3% \\(1/3\\)\\s+${POD_B1}\\s+remote\\s+no`));
    // NodePort on node-a: two local pods at 0.5 each; on node-b one pod at 1.
    assert.ok(paths.some((l) => new RegExp(`DNAT\\s+50\\.0%\\s+${POD_A2}\\s+local`).test(l)));
    assert.ok(paths.some((l) => new RegExp(`DNAT\\s+100\\.0%\\s+${POD_B1}\\s+local`).test(l)));
    // A DROP has no endpoint: the cell names the rule that decided it (examples.ts: line 75).
    assert.ok(paths.some((l) => /DROP\s+100\.0%\s+by KUBE-EXT-XGLOHA7QRQ3V22RZ iptables-save\.txt:75\s+-\s+-/.test(l)));
  });

  it('describes the service in the header', () => {
    const header = section(text(), 'Service shop/checkout (LoadBalancer)').join('\n');
    for (const expected of [
      '10.96.12.34, fd00:10:96::c', 'http 80/TCP -> 8080 (nodePort 30080)', '203.0.113.10', '198.51.100.0/24',
      'external Local, internal Cluster', '32123', 'PreferClose', '4 (iptables 4)',
    ]) {
      assert.ok(header.includes(expected), expected);
    }
    assert.match(header, /Session affinity\s+None/);
  });

  it('summarises nodes with the same answer, never one whose answer differs', () => {
    const paths = section(text(), 'Paths').join('\n');
    // node-c and node-d both DROP NodePort traffic: one group; node-a and node-b differ.
    assert.match(paths, /NodePort \*:30080\/TCP from external\n\s+on 2 nodes: node-c 192\.168\.0\.13, node-d 192\.168\.0\.14/);
    assert.match(paths, /NodePort 192\.168\.0\.11:30080\/TCP from external\n\s+on node-a\n/);
    assert.match(paths, /NodePort 192\.168\.0\.12:30080\/TCP from external\n\s+on node-b\n/);
  });

  it('counts the nodes it leaves out of a long group, and only those', () => {
    const result = explanation();
    const drop = result.paths.find((p) => p.node === 'node-c' && p.entry === 'NodePort')!;
    // 40 nodes with the same DROP answer, one (node-odd) that rejects instead.
    const same: PathReport[] = Array.from({ length: 40 }, (_, i) => ({ ...drop, node: `worker-${i}`, address: '192.168.0.13' }));
    const reject: Outcome = { ...drop.outcomes[0]!, verdict: 'REJECT' };
    result.paths = [...same, { ...drop, node: 'node-odd', outcomes: [reject] }];
    const paths = section(renderExplain(result, { format: 'text', color: false }), 'Paths');
    const more = paths.find((l) => l.includes('more with the same answer'))!;
    const listed = paths.filter((l) => /worker-\d+/.test(l)).flatMap((l) => l.match(/worker-\d+/g)!);
    assert.equal(listed.length + Number(/and (\d+) more/.exec(more)![1]), 40);
    assert.ok(paths.some((l) => /^\s+on node-odd$/.test(l)));
    assert.ok(paths.some((l) => /REJECT\s+100\.0%/.test(l)));
    assert.ok(longestLine(paths.join('\n')) <= 100);
  });

  it('has a health-check row per node: predicted 200/503, observed when present, reason', () => {
    const hc = section(text(), 'Health checks (healthCheckNodePort 32123)');
    assert.match(hc[1]!, /NODE\s+MODE\s+LOCAL\s+PREDICTED\s+OBSERVED\s+REASON/);
    assert.match(hc.find((l) => l.includes('node-a'))!, /node-a\s+iptables\s+2\s+200\s+200 \(2 local\)\s+2 ready local endpoints$/);
    assert.match(hc.find((l) => l.includes('node-b'))!, /node-b\s+iptables\s+1\s+200\s+-\s+1 ready local endpoint$/);
    assert.match(hc.find((l) => l.includes('node-c'))!, /node-c\s+iptables\s+0\s+503\s+503 \(0 local\)\s+no ready local endpoints/);
    assert.match(hc.find((l) => l.includes('node-d'))!, /node-d\s+iptables\s+0\s+503\s+-\s+no ready local endpoints/);
  });

  it('leaves the health-check table out when the service has no healthCheckNodePort', () => {
    const result = explanation();
    result.service.healthCheckNodePort = null;
    const out = renderExplain(result, { format: 'text', color: false });
    assert.deepEqual(section(out, 'Health checks'), []);
    assert.ok(section(renderExplain(result, { format: 'wide', color: false }), 'Nodes').length > 0);
  });

  it('lists load-balancer shares per pod and the imbalance factor', () => {
    const lb = section(text(), 'Load balancer shares');
    assert.match(lb.find((l) => l.includes(POD_A1))!, /10\.244\.1\.5:8080\s+node-a\s+25\.0%$/);
    assert.match(lb.find((l) => l.includes(POD_B1))!, /10\.244\.2\.7:8080\s+node-b\s+50\.0%$/);
    assert.ok(lb.some((l) => l.includes('imbalance factor 2.00')));
  });

  it('lists findings with severity, id, message and remediation, errors first', () => {
    const findings = section(text(), 'Findings');
    assert.match(findings[1]!, /^ {2}error\s+healthz-observed-mismatch$/);
    const warning = findings.findIndex((l) => /^ {2}warning\s+lb-imbalance-local-policy$/.test(l));
    assert.ok(warning > 1);
    const body = findings.join(' ').replace(/\s+/g, ' ');
    assert.ok(body.includes('but the load balancer still lists it.'));
    assert.ok(body.includes('fix: Spread the pods evenly over nodes (topologySpreadConstraints), or use externalTrafficPolicy Cluster'));
  });

  it('ends with the assumptions, wrapped, never cut', () => {
    const assumptions = section(text(), 'Assumptions');
    assert.ok(assumptions.length > 1 + ASSUMPTIONS.length, 'the long assumption takes more than one line');
    const joined = assumptions.slice(1).join(' ').replace(/\s+/g, ' ');
    for (const a of ASSUMPTIONS) assert.ok(joined.includes(`- ${a}`), a);
    assert.ok(!joined.includes('…'));
  });

  it('marks dynamic shares and shows the conditions they depend on', () => {
    const result = explanation();
    for (const o of result.paths[0]!.outcomes) {
      o.dynamic = true;
      o.conditions = ['new client (no affinity entry)'];
    }
    const paths = section(renderExplain(result, { format: 'text', color: false }), 'Paths').join('\n');
    assert.match(paths, new RegExp(`33\\.3% \\(1/3\\)\\*\\s+${POD_A1}\\s+local\\s+no\n\\s+when new client \\(no affinity entry\\)\n`));
    assert.match(paths, /\* depends on run-time state/);
  });

  it('says when a path comes from the model rather than the rules', () => {
    const result = explanation();
    result.paths[0]!.basis = 'model';
    assert.match(renderExplain(result, { format: 'text', color: false }), /basis model: kube-proxy semantics/);
    assert.doesNotMatch(text(), /basis model/);
  });
});

describe('renderExplain wide mode', () => {
  it('shows every step of every path with its full rule text and file:line', () => {
    const out = wide();
    let checked = 0;
    for (const path of explanation().paths) {
      for (const outcome of path.outcomes) {
        for (const step of outcome.steps) {
          assert.ok(out.includes(step.rule), step.rule);
          assert.ok(out.includes(`${step.table}/${step.chain}  ${step.file}:${step.line}`), `${step.file}:${step.line}`);
          checked++;
        }
      }
    }
    // 2 ClusterIP paths * 3 outcomes * 4 steps + NodePort: 2 + 1 + 1 + 1 steps.
    assert.equal(checked, 2 * 3 * 4 + 5);
    // The default mode cuts the same long rule.
    assert.ok(!text().includes(SERVICES_RULE));
  });

  it('lists each path on its own, with node, addresses and endpoint nodes', () => {
    const out = wide();
    assert.match(out, /NodePort 192\.168\.0\.13:30080\/TCP from external on node-c/);
    assert.match(out, /NodePort 192\.168\.0\.14:30080\/TCP from external on node-d/);
    assert.match(out, new RegExp(`DNAT\\s+33\\.3% \\(1/3\\)\\s+${POD_B1}\\s+10\\.244\\.2\\.7:8080\\s+node-b\\s+remote\\s+no`));
  });

  it('shows every evidence item of every finding and the assumptions whole', () => {
    const out = wide();
    for (const finding of explanation().findings) {
      for (const evidence of finding.evidence) assert.ok(out.includes(`- ${formatEvidence(evidence)}`));
    }
    for (const assumption of ASSUMPTIONS) assert.ok(out.includes(assumption));
  });
});

describe('renderExplain for a service without rules', () => {
  it('renders an ExternalName service with no paths, nodes, shares or findings', () => {
    const result = explanation();
    Object.assign(result.service, {
      type: 'ExternalName', clusterIPs: [], ports: [], externalTrafficPolicy: null, internalTrafficPolicy: null,
      healthCheckNodePort: null, loadBalancerIPs: [], loadBalancerSourceRanges: [], externalName: 'db.example.com',
    });
    Object.assign(result, { nodes: [], paths: [], loadBalancerShares: [], imbalanceFactor: null, findings: [], assumptions: [] });
    const out = renderExplain(result, { format: 'text', color: false });
    assert.match(out, /^Verdict: no traffic is forwarded: kube-proxy programs no rules for this service\.\nNo problems found/);
    assert.match(out, /\n\nService shop\/checkout \(ExternalName\) -> db\.example\.com\n/);
    assert.match(out, /Cluster IPs\s+None\n/);
    assert.match(out, /\nPaths\n {2}none: kube-proxy programs no rules for this service\n$/);
    for (const title of ['Health checks', 'Load balancer shares', 'Findings', 'Assumptions']) assert.ok(!out.includes(title), title);
  });
});
