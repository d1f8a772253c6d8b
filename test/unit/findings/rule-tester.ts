// A small RuleTester for finding rules (after ESLint's): each case is a tiny cluster of
// hand-written API objects; the tester derives the findings' context the way explain-svc does
// (kube-proxy's semantics over those objects, basis model) and runs ONE rule on it. Valid cases
// emit nothing; invalid ones emit exactly the findings listed (id, severity, key evidence).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { DumpNotice } from '../../../src/dataplane/types.ts';
import { explainService } from '../../../src/analyzers/explain.ts';
import type { Drift, FindingContext, FindingRule } from '../../../src/analyzers/findings/index.ts';
import { expectedWalkerOf } from '../../../src/analyzers/expected-walker.ts';
import type { NodeView } from '../../../src/analyzers/inputs.ts';
import { runFacts } from '../../../src/analyzers/run-facts.ts';
import { primaryFamily, resolveProxyConfig, serviceView } from '../../../src/analyzers/kube-proxy/index.ts';
import { endpointFacts, endpointPlacements } from '../../../src/analyzers/service-facts.ts';
import type { KubeObject } from '../../../src/model/cluster.ts';
import type { Evidence, Severity } from '../../../src/model/finding.ts';
import type { PathReport } from '../../../src/model/results.ts';

export interface TinyCluster {
  service: V1Service;
  slices?: V1EndpointSlice[];
  nodes: V1Node[];
  pods?: V1Pod[];
  /** MetalLB's ServiceL2Status / ServiceBGPStatus objects: which nodes announce the address. */
  serviceL2Statuses?: KubeObject[];
  serviceBGPStatuses?: KubeObject[];
}

/** What a node's dataplane said, beside the API objects (absent: nothing was read there). */
export type ViewFacts = Partial<Pick<NodeView, 'mode' | 'reportedMode' | 'location' | 'problems' | 'withoutKubeProxyRules' | 'healthz'>> & {
  /** What the node's walker could not evaluate (the rule reads only these notices). */
  notices?: DumpNotice[];
};

export interface RuleCase {
  /** What the case shows and why (kube-proxy source where it decides). */
  name: string;
  cluster: TinyCluster;
  views?: Record<string, ViewFacts>;
  /** Observed-vs-expected differences as walk-node computes them from a dump. */
  drifts?: Drift[];
  /** Paths a trace walked from a given source (explain-svc picks sources the service admits). */
  paths?: PathReport[];
}

export interface ExpectedFinding {
  id: string;
  severity: Severity;
  /** Each must match (deep-equal on the keys given) some evidence of the finding. */
  evidence?: Partial<Evidence>[];
  /** Words the message must contain: the key fact, not the wording. */
  says?: RegExp[];
}

export interface InvalidCase extends RuleCase {
  findings: ExpectedFinding[];
}

/** The context every rule sees, built from the tiny cluster as explain-svc builds it. */
export function contextOf(c: RuleCase): FindingContext {
  const { service, slices = [], nodes, pods = null, serviceL2Statuses = null, serviceBGPStatuses = null } = c.cluster;
  const state = { services: [service], endpointSlices: slices, nodes, pods, kubeProxyConfig: null, ingresses: null, ingressClasses: null, targetGroupBindings: null, serviceL2Statuses, serviceBGPStatuses };
  const run = runFacts(state);
  const views: NodeView[] = nodes.map((n) => {
    const { notices: _notices, ...facts } = c.views?.[n.metadata!.name!] ?? {};
    const view = { node: n.metadata!.name!, mode: null, modeSource: null, reportedMode: null, basis: 'model' as const, walker: null, notices: [], location: null, problems: [], healthz: new Map(), ...facts };
    return { ...view, expected: expectedWalkerOf(run, view) };
  });
  const input = { state, service, nodes: views, facts: run };
  const result = explainService(input);
  const sv = serviceView(service, resolveProxyConfig(null, nodes).gates);
  // Notices only where given, after the walk: a dump read and let go (it has no rules to walk).
  const withNotices = views.map((v) => {
    const notices = c.views?.[v.node]?.notices;
    return notices ? { ...v, basis: 'dataplane' as const, notices } : v;
  });
  return {
    service: result.service,
    serviceObject: service,
    nodes: result.nodes,
    nodeViews: withNotices,
    paths: c.paths ?? result.paths,
    loadBalancerShares: result.loadBalancerShares,
    imbalanceFactor: result.imbalanceFactor,
    loadBalancer: result.loadBalancer ?? null,
    endpoints: endpointFacts(input, sv, primaryFamily(sv)),
    placements: endpointPlacements(input, primaryFamily(sv)),
    drifts: c.drifts ?? [],
  };
}

/** Runs `rule` on every case as node:test tests, under a suite named after its id. */
export function testRule(rule: FindingRule, cases: { valid: RuleCase[]; invalid: InvalidCase[] }): void {
  describe(rule.meta.id, () => {
    it('has valid and invalid cases', () => {
      assert.ok(cases.valid.length > 0 && cases.invalid.length > 0);
    });
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        assert.deepEqual(rule.check(contextOf(c)).map((f) => f.id), []);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => {
        const found = rule.check(contextOf(c));
        assert.deepEqual(
          found.map((f) => [f.id, f.severity]),
          c.findings.map((f) => [f.id, f.severity]),
        );
        found.forEach((f, i) => {
          const want = c.findings[i]!;
          assert.ok(rule.meta.severities.includes(f.severity), `${f.severity} not in meta.severities`);
          for (const e of want.evidence ?? []) {
            const hit = f.evidence.some((got) => Object.entries(e).every(([k, v]) => (got as Record<string, unknown>)[k] === v));
            assert.ok(hit, `no evidence like ${JSON.stringify(e)} in ${JSON.stringify(f.evidence, null, 1)}`);
          }
          for (const re of want.says ?? []) assert.match(f.message, re);
        });
      });
    }
  });
}
