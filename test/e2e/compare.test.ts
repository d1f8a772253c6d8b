// The checks the e2e scenarios make, on tallies written by hand: each must fail when netpath and
// the kernel disagree in the way it is meant to catch. Needs no cluster.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeLayout } from '../harness/layout.ts';
import type { HarnessPod } from '../harness/pods.ts';
import type { Tally } from '../harness/traffic.ts';
import type { Outcome } from '../../src/model/outcome.ts';
import { assertKernelAgrees, assertSticky, bridgeAddress, kernelCategory, withOneResample } from './support/compare.ts';
import type { KernelRun } from './support/compare.ts';
import { jsonDifferences } from './support/json-diff.ts';

const nodeA: NodeLayout = { name: 'node-a', netns: 'npe-node-a', ip: '10.240.0.11', podCIDR: '10.244.1.0/24', zone: 'zone-a' };
const pods: HarnessPod[] = [
  { namespace: 'ns', name: 'web-0', node: 'node-a', ip: '10.244.1.2', netns: 'npe-a-p2', ports: [8080] },
  { namespace: 'ns', name: 'web-1', node: 'node-b', ip: '10.244.2.2', netns: 'npe-b-p2', ports: [8080] },
];
const CLIENT = '10.250.0.2';

function dnat(pod: HarnessPod, probability: number, preserved: boolean, extra: Partial<Outcome> = {}): Outcome {
  return {
    verdict: 'DNAT',
    probability,
    endpoint: { ip: pod.ip, port: 8080, node: pod.node, pod: pod.name },
    hop: pod.node === 'node-a' ? 'local' : 'remote',
    sourceIPPreserved: preserved,
    steps: [],
    conditions: [],
    dynamic: false,
    ...extra,
  };
}
const drop: Outcome = { verdict: 'DROP', probability: 1, endpoint: null, hop: null, sourceIPPreserved: null, steps: [], conditions: [], dynamic: false };
const reject: Outcome = { ...drop, verdict: 'REJECT' };

function run(tally: Partial<Tally>, count = 1200): KernelRun {
  const full: Tally = { sent: count, answered: 0, errors: {}, pods: {}, sources: {}, ...tally };
  return { label: 'probe', count, tally: full, clientIP: CLIENT, entryNode: nodeA, namespace: 'ns', pods };
}

// 1200 connections, 590/610: chi2 = (10^2 + 10^2) / 600 = 0.33, p = 0.56.
const even = run({ answered: 1200, pods: { 'ns/web-0': 590, 'ns/web-1': 610 }, sources: { 'ns/web-0': { [CLIENT]: 590 }, 'ns/web-1': { [CLIENT]: 610 } } });

describe('assertKernelAgrees', () => {
  test('passes when pods, shares and sources match', () => {
    assertKernelAgrees(even, [dnat(pods[0]!, 0.5, true), dnat(pods[1]!, 0.5, true)], 'hand');
  });
  test('fails on a pod netpath did not predict', () => {
    assert.throws(() => assertKernelAgrees(even, [dnat(pods[0]!, 1, true)], 'hand'), /outcomes differ/);
  });
  test('fails on a predicted pod the kernel never reached', () => {
    const one = run({ answered: 1200, pods: { 'ns/web-0': 1200 }, sources: { 'ns/web-0': { [CLIENT]: 1200 } } });
    assert.throws(() => assertKernelAgrees(one, [dnat(pods[0]!, 0.5, true), dnat(pods[1]!, 0.5, true)], 'hand'), /outcomes differ/);
  });
  test('fails when the counts do not fit the shares', () => {
    // predicted 3/4 and 1/4 (900/300 expected) against 590/610: chi2 = 310^2/900 + 310^2/300 = 427.
    assert.throws(() => assertKernelAgrees(even, [dnat(pods[0]!, 0.75, true), dnat(pods[1]!, 0.25, true)], 'hand'), /do not fit/);
  });
  test('fails when the source was masqueraded but netpath says preserved, and the reverse', () => {
    // Masqueraded towards web-0 (local to node-a: the bridge address) and web-1 (remote: node-a's IP).
    const masq = run({ answered: 1200, pods: even.tally.pods, sources: { 'ns/web-0': { '10.244.1.1': 590 }, 'ns/web-1': { '10.240.0.11': 610 } } });
    assertKernelAgrees(masq, [dnat(pods[0]!, 0.5, false), dnat(pods[1]!, 0.5, false)], 'hand');
    assert.throws(() => assertKernelAgrees(masq, [dnat(pods[0]!, 0.5, true), dnat(pods[1]!, 0.5, false)], 'hand'), /source address ns\/web-0/);
    assert.throws(() => assertKernelAgrees(even, [dnat(pods[0]!, 0.5, true), dnat(pods[1]!, 0.5, false)], 'hand'), /source address ns\/web-1/);
  });
  test('fails on a wrong hop, node or endpoint IP', () => {
    const ok = dnat(pods[1]!, 0.5, true);
    assert.throws(() => assertKernelAgrees(even, [dnat(pods[0]!, 0.5, true), { ...ok, hop: 'local' }], 'hand'), /hop to ns\/web-1/);
    assert.throws(() => assertKernelAgrees(even, [dnat(pods[0]!, 0.5, true), { ...ok, endpoint: { ...ok.endpoint!, node: 'node-c' } }], 'hand'), /node of ns\/web-1/);
    assert.throws(() => assertKernelAgrees(even, [dnat(pods[0]!, 0.5, true), { ...ok, endpoint: { ...ok.endpoint!, ip: '10.244.2.9' } }], 'hand'), /endpoint IP of ns\/web-1/);
  });
  test('DROP is a timeout, REJECT a refusal, and neither is the other', () => {
    const timeouts = run({ errors: { timeout: 20 } }, 20);
    const refused = run({ errors: { refused: 5 } }, 5);
    assertKernelAgrees(timeouts, [drop], 'hand');
    assertKernelAgrees(refused, [reject], 'hand');
    assert.throws(() => assertKernelAgrees(timeouts, [reject], 'hand'), /outcomes differ/);
    assert.throws(() => assertKernelAgrees(refused, [drop], 'hand'), /outcomes differ/);
    assert.throws(() => assertKernelAgrees(even, [drop], 'hand'), /outcomes differ/);
  });
  test('fails when the probe stopped at its deadline', () => {
    assert.throws(() => assertKernelAgrees({ ...even, count: 1300 }, [dnat(pods[0]!, 0.5, true), dnat(pods[1]!, 0.5, true)], 'hand'), /deadline/);
  });
  test('ACCEPT and NO-MATCH have no kernel counterpart on a service port', () => {
    assert.equal(kernelCategory({ ...drop, verdict: 'NO-MATCH' }, 'ns'), 'verdict NO-MATCH');
    assert.throws(() => assertKernelAgrees(even, [{ ...drop, verdict: 'NO-MATCH' }], 'hand'), /outcomes differ/);
  });
});

describe('assertSticky', () => {
  const sticky = run({ answered: 1200, pods: { 'ns/web-1': 1200 }, sources: { 'ns/web-1': { [CLIENT]: 1200 } } });
  const dynamic = [dnat(pods[0]!, 0.5, true, { dynamic: true }), dnat(pods[1]!, 0.5, true, { dynamic: true })];
  test('passes when one client stuck to one predicted pod', () => {
    assertSticky(sticky, dynamic, 'hand');
  });
  test('fails when the kernel spread the client, or netpath does not flag affinity', () => {
    assert.throws(() => assertSticky(even, dynamic, 'hand'), /sticks to one pod/);
    assert.throws(() => assertSticky(sticky, [dnat(pods[0]!, 0.5, true), dnat(pods[1]!, 0.5, true)], 'hand'), /dynamic/);
    assert.throws(() => assertSticky(sticky, [dnat(pods[0]!, 1, true, { dynamic: true })], 'hand'), /gives it no share/);
  });
});

test('bridgeAddress is the .1 of the podCIDR', () => {
  assert.equal(bridgeAddress(nodeA), '10.244.1.1');
});

test('withOneResample: a second failure is final, a passing second sample wins', async () => {
  let n = 0;
  const take = async () => ++n;
  const failOdd = (v: number) => assert.ok(v % 2 === 0, `sample ${v}`);
  assert.equal(await withOneResample('t', take, failOdd), 2);
  await assert.rejects(withOneResample('t', take, () => assert.fail('always')), /always/);
  await assert.rejects(withOneResample('t', take, () => { throw new TypeError('not an assertion'); }), TypeError);
});

test('jsonDifferences lists differing leaves with their paths', () => {
  const d = jsonDifferences({ a: [1, { b: 'x' }], c: 2, e: { f: 1 } }, { a: [1, { b: 'y' }, 3], c: 2 });
  assert.deepEqual(d, [
    { path: 'a[1].b', left: 'x', right: 'y' },
    { path: 'a[2]', left: undefined, right: 3 },
    { path: 'e', left: { f: 1 }, right: undefined },
  ]);
});
