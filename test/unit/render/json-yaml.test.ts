import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { toJson } from '../../../src/render/json.ts';
import { toYaml } from '../../../src/render/yaml.ts';
import { explanation, SERVICES_RULE, trace } from './examples.ts';

// Contract 2 (design.md), in its order, then results.ts' additional fields.
const EXPLANATION_KEYS = ['apiVersion', 'kind', 'service', 'nodes', 'paths', 'loadBalancerShares', 'imbalanceFactor', 'loadBalancer', 'findings', 'assumptions'];
const SERVICE_KEYS = ['namespace', 'name', 'type', 'clusterIPs', 'ports', 'externalTrafficPolicy', 'internalTrafficPolicy', 'healthCheckNodePort'];
const NODE_KEYS = ['name', 'proxyMode', 'readyLocalEndpoints', 'healthCheck'];
const PATH_KEYS = ['entry', 'node', 'address', 'port', 'protocol', 'basis', 'outcomes'];
const OUTCOME_KEYS = ['verdict', 'probability', 'endpoint', 'hop', 'sourceIPPreserved'];
const ENDPOINT_KEYS = ['ip', 'port', 'node', 'pod'];
const FINDING_KEYS = ['id', 'severity', 'message', 'evidence'];
const TRACE_KEYS = ['apiVersion', 'kind', 'packet', 'outcomes'];
const PACKET_KEYS = ['src', 'dst', 'port', 'protocol', 'entryNode', 'from'];
const STEP_KEYS = ['node', 'table', 'chain', 'rule', 'line'];

/** The contract's keys come first, in the contract's order. */
function assertLeadingKeys(object: object, keys: string[]) {
  assert.deepEqual(Object.keys(object).slice(0, keys.length), keys);
}

describe('toJson', () => {
  it('parses back to the same explanation, with 2-space indent and a trailing newline', () => {
    const doc = explanation();
    const json = toJson(doc);
    assert.deepEqual(JSON.parse(json), doc);
    assert.ok(json.endsWith('}\n'));
    assert.ok(json.startsWith('{\n  "apiVersion": "netpath/v1alpha1",\n  "kind": "ServiceExplanation",\n  "service": {\n    "namespace": "shop",'));
  });

  it('orders keys as the contract does, whatever order the result was built in', () => {
    // examples.ts builds findings first, kind before apiVersion, path fields after outcomes.
    assert.notDeepEqual(Object.keys(explanation()).slice(0, 2), ['apiVersion', 'kind']);
    const parsed = JSON.parse(toJson(explanation()));
    assert.deepEqual(Object.keys(parsed), [...EXPLANATION_KEYS]);
    assertLeadingKeys(parsed.service, SERVICE_KEYS);
    assertLeadingKeys(parsed.nodes[0], NODE_KEYS);
    assert.deepEqual(Object.keys(parsed.nodes[0].healthCheck), ['status', 'reason', 'observed']);
    assert.deepEqual(Object.keys(parsed.nodes[1].healthCheck), ['status', 'reason']);
    assertLeadingKeys(parsed.paths[0], PATH_KEYS);
    assertLeadingKeys(parsed.paths[0].outcomes[0], OUTCOME_KEYS);
    assert.deepEqual(Object.keys(parsed.paths[0].outcomes[0].endpoint), ENDPOINT_KEYS);
    assert.deepEqual(Object.keys(parsed.loadBalancerShares[0]), ['endpoint', 'share']);
    assertLeadingKeys(parsed.findings[0], FINDING_KEYS);
  });

  it('is stable: the same document in any key order gives the same bytes', () => {
    const doc = explanation();
    const shuffled = JSON.parse(JSON.stringify(doc, Object.keys(doc).reverse()));
    // A reversed top level and the original nested objects.
    Object.assign(shuffled, { service: doc.service, nodes: doc.nodes, paths: doc.paths, loadBalancerShares: doc.loadBalancerShares, findings: doc.findings, assumptions: doc.assumptions });
    assert.equal(toJson(shuffled), toJson(doc));
  });

  it('parses back to the same trace, in contract order', () => {
    const doc = trace();
    assert.deepEqual(JSON.parse(toJson(doc)), doc);
    const parsed = JSON.parse(toJson(doc));
    assertLeadingKeys(parsed, TRACE_KEYS);
    assert.deepEqual(Object.keys(parsed.packet), PACKET_KEYS);
    assertLeadingKeys(parsed.outcomes[0], [...OUTCOME_KEYS, 'steps']);
    assertLeadingKeys(parsed.outcomes[0].steps[0], STEP_KEYS);
  });

  it('leaves out undefined optional fields rather than writing null', () => {
    const doc = trace();
    doc.outcomes[0]!.steps[0]!.handle = undefined;
    assert.doesNotMatch(toJson(doc), /"handle"/);
    assert.doesNotMatch(toYaml(doc), /handle/);
  });
});

describe('toYaml', () => {
  it('parses back to the same explanation and trace', () => {
    assert.deepEqual(parse(toYaml(explanation())), explanation());
    assert.deepEqual(parse(toYaml(trace())), trace());
  });

  it('is the same document as the JSON, in the same key order', () => {
    const doc = explanation();
    const fromYaml = parse(toYaml(doc));
    assert.equal(JSON.stringify(fromYaml), JSON.stringify(JSON.parse(toJson(doc))));
  });

  it('writes shared objects out in full (no anchors) and keeps long rules on one line', () => {
    // A1 is the same object in paths and loadBalancerShares; yaml would alias it by default.
    const yaml = toYaml(explanation());
    assert.doesNotMatch(yaml, /[&*]a\d/);
    assert.ok(toYaml(trace()).includes(`\n        rule: ${SERVICES_RULE}\n`));
  });
});
