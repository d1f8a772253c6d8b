import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { toJson } from '../../../src/render/json.ts';
import { explanation, trace } from './examples.ts';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../schema/${name}`, import.meta.url), 'utf8'));
const explainSchema = load('service-explanation.schema.json');
const traceSchema = load('trace.schema.json');

// strict: unknown keywords or formats in the schemas are errors, not silently ignored.
const ajv = new Ajv2020.default({ strict: true, allowUnionTypes: true, allErrors: true });
const validateExplain = ajv.compile(explainSchema);
const validateTrace = ajv.compile(traceSchema);

type Path = (string | number)[];

function at(doc: unknown, path: Path): Record<string | number, unknown> {
  return path.reduce<any>((node, key) => node[key], doc);
}

function without(doc: object, path: Path): object {
  const copy = structuredClone(doc);
  delete at(copy, path.slice(0, -1))[path.at(-1)!];
  return copy;
}

function withValue(doc: object, path: Path, value: unknown): object {
  const copy = structuredClone(doc);
  at(copy, path.slice(0, -1))[path.at(-1)!] = value;
  return copy;
}

// Every field contract 2 (design.md) requires of explain-svc, as a path in the example.
const EXPLAIN_REQUIRED: Path[] = [
  ['apiVersion'], ['kind'], ['service'], ['nodes'], ['paths'], ['loadBalancerShares'], ['imbalanceFactor'], ['loadBalancer'], ['findings'],
  ...['namespace', 'name', 'type', 'clusterIPs', 'ports', 'externalTrafficPolicy', 'internalTrafficPolicy', 'healthCheckNodePort'].map((k) => ['service', k]),
  ...['name', 'proxyMode', 'readyLocalEndpoints', 'healthCheck'].map((k) => ['nodes', 0, k]),
  ['nodes', 0, 'healthCheck', 'status'], ['nodes', 0, 'healthCheck', 'reason'],
  ...['entry', 'node', 'address', 'port', 'protocol', 'basis', 'outcomes'].map((k) => ['paths', 0, k]),
  ...['verdict', 'probability', 'endpoint', 'hop', 'sourceIPPreserved'].map((k) => ['paths', 0, 'outcomes', 0, k]),
  ...['ip', 'port', 'node', 'pod'].map((k) => ['paths', 0, 'outcomes', 0, 'endpoint', k]),
  ['loadBalancerShares', 0, 'endpoint'], ['loadBalancerShares', 0, 'share'],
  ...['ip', 'port', 'node', 'pod'].map((k) => ['loadBalancerShares', 0, 'endpoint', k]),
  ...['id', 'severity', 'message', 'evidence'].map((k) => ['findings', 0, k]),
];

const TRACE_REQUIRED: Path[] = [
  ['apiVersion'], ['kind'], ['packet'], ['outcomes'],
  ...['src', 'dst', 'port', 'protocol', 'entryNode', 'from'].map((k) => ['packet', k]),
  ...['verdict', 'probability', 'endpoint', 'hop', 'sourceIPPreserved', 'steps'].map((k) => ['outcomes', 0, k]),
  ...['node', 'table', 'chain', 'rule', 'line'].map((k) => ['outcomes', 0, 'steps', 0, k]),
];

// Values outside each enum, range or type the contract fixes.
const EXPLAIN_WRONG: [Path, unknown][] = [
  [['apiVersion'], 'netpath/v1'],
  [['kind'], 'Trace'],
  [['paths', 0, 'entry'], 'Ingress'],
  [['paths', 0, 'basis'], 'guess'],
  [['paths', 0, 'port'], '80'],
  [['paths', 0, 'protocol'], 'tcp'],
  [['paths', 0, 'outcomes', 0, 'verdict'], 'FORWARD'],
  [['paths', 0, 'outcomes', 0, 'verdict'], 'MASQUERADE'],
  [['paths', 0, 'outcomes', 0, 'probability'], 1.5],
  [['paths', 0, 'outcomes', 0, 'probability'], -0.1],
  [['paths', 0, 'outcomes', 0, 'probability'], '33%'],
  [['paths', 0, 'outcomes', 0, 'hop'], 'elsewhere'],
  [['paths', 0, 'outcomes', 0, 'sourceIPPreserved'], 'yes'],
  [['paths', 0, 'outcomes', 0, 'endpoint'], 'pod-a'],
  [['paths', 0, 'outcomes', 0, 'endpoint', 'port'], 70000],
  [['nodes', 0, 'healthCheck', 'status'], 404],
  [['nodes', 0, 'healthCheck', 'status'], '200'],
  [['nodes', 0, 'proxyMode'], 'ebpf'],
  [['nodes', 0, 'readyLocalEndpoints'], -1],
  [['loadBalancerShares', 0, 'share'], 2],
  [['imbalanceFactor'], 0.5],
  [['imbalanceFactor'], 'high'],
  [['findings', 0, 'severity'], 'critical'],
  [['findings', 0, 'evidence', 0, 'kind'], 'guess'],
  [['service', 'externalTrafficPolicy'], 'Global'],
  [['service', 'healthCheckNodePort'], 0],
];

const TRACE_WRONG: [Path, unknown][] = [
  [['kind'], 'ServiceExplanation'],
  [['packet', 'protocol'], 'ICMP'],
  [['packet', 'port'], 0],
  [['outcomes', 0, 'verdict'], 'ALLOW'],
  [['outcomes', 0, 'hop'], 'nowhere'],
  [['outcomes', 0, 'steps', 0, 'line'], 0],
  [['outcomes', 0, 'steps', 0, 'line'], '12'],
  [['basis'], 'guess'],
  [['service', 'entry'], 'Ingress'],
];

describe('service-explanation.schema.json', () => {
  it('accepts the example, as built and as toJson writes it', () => {
    assert.ok(validateExplain(explanation()), JSON.stringify(validateExplain.errors));
    assert.ok(validateExplain(JSON.parse(toJson(explanation()))), JSON.stringify(validateExplain.errors));
  });

  it('accepts the nulls the contract allows', () => {
    let doc: object = explanation();
    for (const [path, value] of [
      [['nodes', 0, 'healthCheck', 'status'], null], [['nodes', 0, 'proxyMode'], null], [['imbalanceFactor'], null],
      [['service', 'healthCheckNodePort'], null], [['paths', 0, 'outcomes', 0, 'endpoint'], null],
      [['paths', 0, 'outcomes', 0, 'hop'], null], [['paths', 0, 'outcomes', 0, 'sourceIPPreserved'], null],
      [['paths', 0, 'outcomes', 0, 'endpoint'], { ip: '192.0.2.1', port: 80, node: null, pod: null }],
      [['paths', 0, 'outcomes', 0, 'steps', 0, 'line'], null],
    ] as [Path, unknown][]) {
      doc = withValue(doc, path, value);
    }
    assert.ok(validateExplain(doc), JSON.stringify(validateExplain.errors));
    // Additional fields are welcome.
    assert.ok(validateExplain({ ...explanation(), generatedAt: 'now' }));
  });

  for (const path of EXPLAIN_REQUIRED) {
    it(`rejects a document without ${path.join('.')}`, () => {
      assert.equal(validateExplain(without(explanation(), path)), false);
    });
  }

  for (const [path, value] of EXPLAIN_WRONG) {
    it(`rejects ${path.join('.')} = ${JSON.stringify(value)}`, () => {
      assert.equal(validateExplain(withValue(explanation(), path, value)), false);
    });
  }
});

describe('trace.schema.json', () => {
  it('accepts the example, as built and as toJson writes it', () => {
    assert.ok(validateTrace(trace()), JSON.stringify(validateTrace.errors));
    assert.ok(validateTrace(JSON.parse(toJson(trace()))), JSON.stringify(validateTrace.errors));
    assert.ok(validateTrace(withValue(trace(), ['service'], null)));
  });

  for (const path of TRACE_REQUIRED) {
    it(`rejects a document without ${path.join('.')}`, () => {
      assert.equal(validateTrace(without(trace(), path)), false);
    });
  }

  for (const [path, value] of TRACE_WRONG) {
    it(`rejects ${path.join('.')} = ${JSON.stringify(value)}`, () => {
      assert.equal(validateTrace(withValue(trace(), path, value)), false);
    });
  }
});

describe('the two schemas', () => {
  it('define the shared parts identically (they are copies: each file stands alone)', () => {
    for (const name of Object.keys(traceSchema.$defs)) {
      assert.deepEqual(explainSchema.$defs[name], traceSchema.$defs[name], name);
    }
  });
});
