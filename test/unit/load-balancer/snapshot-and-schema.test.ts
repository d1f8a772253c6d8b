// The five optional load-balancer files of a bundle: read when present, null when absent, exit 3
// when they do not parse; and -o json with loadBalancer / ingresses validates against the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';
import { toJson } from '../../../src/render/json.ts';
import { explainBundle } from '../explain/bundle-helpers.ts';

async function stateOf(dir: string) {
  const source = await SnapshotSource.open(dir);
  try {
    return await source.readState();
  } finally {
    await source.close();
  }
}

test('present files are read, absent ones are null', async () => {
  const ip = await stateOf('test/fixtures/lb-aws-lbc-ip');
  assert.deepEqual([ip.ingresses?.length, ip.ingressClasses?.length, ip.targetGroupBindings?.length, ip.serviceL2Statuses, ip.serviceBGPStatuses], [1, 1, 1, null, null]);
  const l2 = await stateOf('test/fixtures/lb-metallb-l2');
  assert.equal(l2.serviceL2Statuses?.[0]?.status?.node, 'node-a');
});

test('a load-balancer file that does not parse, or has the wrong shape, is exit 3 naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'netpath-lb-'));
  try {
    await cp('test/fixtures/lb-metallb-bgp-local', dir, { recursive: true });
    await writeFile(join(dir, 'cluster/servicebgpstatuses.json'), '{"items": [');
    await assert.rejects(stateOf(dir), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.BAD_INPUT && /servicebgpstatuses\.json/.test(e.message));
    await writeFile(join(dir, 'cluster/servicebgpstatuses.json'), '{"items": [{"metadata": {"name": "x", "namespace": "y"}, "status": {"node": 3}}]}');
    await assert.rejects(stateOf(dir), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.BAD_INPUT && /items\[0\]\.status\.node/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('explain-svc JSON with loadBalancer and ingresses validates against the schema', async () => {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  const validate = ajv.compile(JSON.parse(await readFile('schema/service-explanation.schema.json', 'utf8')));
  for (const name of ['aws-lbc-ip', 'aws-lbc-instance-local', 'aws-clb', 'metallb-l2', 'metallb-bgp-local', 'gke-weighted', 'ipmode-proxy', 'unknown']) {
    const doc = JSON.parse(toJson(await explainBundle(`test/fixtures/lb-${name}`, 'shop', 'web'))) as { loadBalancer: { implementation: string } };
    assert.ok(validate(doc), `${name}: ${JSON.stringify(validate.errors)}`);
    doc.loadBalancer.implementation = 'f5';
    assert.equal(validate(doc), false, `${name}: an implementation outside the enum is refused`);
  }
});
