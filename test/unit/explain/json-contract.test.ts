// -o json of real runs validates against the contract-2 schemas kept in schema/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { toJson } from '../../../src/render/json.ts';
import { explainBundle, traceBundle } from './bundle-helpers.ts';

/** The few fields these tests read; the schema checks the rest. */
interface Doc {
  kind: string;
  outcomes: { steps: { line: number | null }[] }[];
  paths: { outcomes: { verdict: string }[] }[];
}

async function validator(file: string) {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  return ajv.compile(JSON.parse(await readFile(file, 'utf8')));
}

test('explain-svc JSON of every example service validates against the schema', async () => {
  const validate = await validator('schema/service-explanation.schema.json');
  const cases: [string, string, string][] = [
    ...['1', '2', '3', '4', '5', '6'].map((i): [string, string, string] => ['examples/overall', `ns${i}`, `svc${i}`]),
    ['examples/local-lb', 'shop', 'web'],
    // observed shares, stale conntrack and node health (node-a carries the node-state files)
    ['examples/real-kernel', 'kernel', 'web'],
  ];
  for (const [dir, ns, name] of cases) {
    const doc = JSON.parse(toJson(await explainBundle(dir, ns, name))) as Doc;
    assert.ok(validate(doc), `${ns}/${name}: ${JSON.stringify(validate.errors)}`);
    assert.equal(doc.kind, 'ServiceExplanation');
  }
});

test('trace JSON validates and carries rule lines', async () => {
  const validate = await validator('schema/trace.schema.json');
  const doc = JSON.parse(toJson(await traceBundle('examples/overall', '5.6.7.8:80', 'external:203.0.113.130'))) as Doc;
  assert.ok(validate(doc), JSON.stringify(validate.errors));
  assert.equal(doc.outcomes[0]?.steps.at(-1)?.line, 44);
});

test('the schema rejects a document that breaks the contract', async () => {
  const validate = await validator('schema/service-explanation.schema.json');
  const doc = JSON.parse(toJson(await explainBundle('examples/overall', 'ns4', 'svc4'))) as Doc;
  doc.paths[0]!.outcomes[0]!.verdict = 'FORWARD';
  assert.equal(validate(doc), false);
});
