// NodePorts on a node address no Node object lists (the pod bridge cbr0, 10.244.1.1 on node-a of
// examples/real-local-lb): the kernel accepts them, since kube-proxy's NodePort rules match any
// local address (iptables `-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`, node-a's dump line 84;
// nftables `fib daddr type local`). With the node's `ip -j addr` in the bundle netpath says so, in
// the dataplane walk and in the model; without it the Node object's addresses stand in, and it says that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { traceBundle } from '../explain/bundle-helpers.ts';

const FIXTURE = 'test/fixtures/ip-addr-node-like-netns.json';

async function bundle(opts: { ipAddr: boolean; dump: boolean }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'netpath-hostaddr-'));
  await cp('examples/real-local-lb', dir, { recursive: true });
  if (opts.ipAddr) await cp(FIXTURE, join(dir, 'nodes/node-a/ip-addr.json'));
  if (!opts.dump) await rm(join(dir, 'nodes/node-a/iptables-save.txt'));
  return dir;
}

const brief = (r: Awaited<ReturnType<typeof traceBundle>>) => r.outcomes.map((o) => [o.verdict, o.endpoint?.pod ?? null, o.probability]);

for (const dump of [true, false]) {
  const basis = dump ? 'dataplane' : 'model';
  test(`${basis}: external client to the bridge address 10.244.1.1:31106 on node-a with ip-addr.json: Local, the two node-a pods`, async () => {
    const dir = await bundle({ ipAddr: true, dump });
    try {
      const r = await traceBundle(dir, '10.244.1.1:31106', 'external:10.250.0.2', { node: 'node-a' });
      assert.equal(r.basis, basis);
      assert.deepEqual(r.service, { namespace: 'shop', name: 'web', entry: 'NodePort' });
      assert.deepEqual(brief(r), [['DNAT', 'web-a1', 0.5], ['DNAT', 'web-a2', 0.5]]);
      assert.ok(!r.assumptions.some((a) => /ip-addr\.json/.test(a)), r.assumptions.join(' | '));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('dataplane without ip-addr.json: NO-MATCH, and the assumption is said', async () => {
  const dir = await bundle({ ipAddr: false, dump: true });
  try {
    const r = await traceBundle(dir, '10.244.1.1:31106', 'external:10.250.0.2', { node: 'node-a' });
    assert.deepEqual(brief(r), [['NO-MATCH', null, 1]]);
    assert.ok(r.assumptions.some((a) => /no ip-addr\.json .* for node-a: addrtype LOCAL and NodePorts take the Node object's addresses/.test(a)), r.assumptions.join(' | '));
    // The model agrees (no drift finding): 10.244.1.1 is not an address the Node object lists.
    assert.ok(!r.findings.some((f) => f.id.startsWith('dataplane-')), r.findings.map((f) => f.id).join(', '));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('model with ip-addr.json: an address the node does not have is NO-MATCH, naming the file', async () => {
  const dir = await bundle({ ipAddr: true, dump: false });
  try {
    const r = await traceBundle(dir, '10.244.9.1:31106', 'external:10.250.0.2', { node: 'node-a' });
    assert.deepEqual(brief(r), [['NO-MATCH', null, 1]]);
    assert.match(r.outcomes[0]?.steps.at(-1)?.rule ?? '', /10\.244\.9\.1 is not an address of node-a \(per its ip-addr\.json\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
