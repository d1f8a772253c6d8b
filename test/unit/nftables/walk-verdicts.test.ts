/** goto vs jump, base-chain policies, accept and NAT bindings, on fixtures/nft-json-netpath-verdicts.json (handles read in the file). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNftWalker, parseNftJson } from '../../../src/dataplane/nftables/index.ts';
import { localFixture, packet, summary } from './helpers.ts';

const walker = createNftWalker(parseNftJson(localFixture('nft-json-netpath-verdicts.json')));
const host = { localAddresses: ['192.168.0.2'] };
const handles = (o: { steps: { handle?: number }[] }) => o.steps.map((s) => s.handle);

test('goto: when the called chain returns, the calling chain is done too', () => {
  // port 81: `goto check` (7); check does not drop 203.0.113.1 and returns, so rule 8 is never reached.
  const os = walker.walk(packet('203.0.113.1', '10.180.0.50', 81), host);
  assert.deepEqual(summary(os), [['NO-MATCH', 1, null, null, false]]);
  assert.deepEqual(os[0]!.steps, []);
});

test('jump: when the called chain returns, the next rule runs', () => {
  // port 82: `jump check` (9) returns, then `tcp dport 82 drop` (10).
  const os = walker.walk(packet('203.0.113.1', '10.180.0.50', 82), host);
  assert.deepEqual(summary(os), [['DROP', 1, null, null, false]]);
  assert.deepEqual(handles(os[0]!), [10]);
  assert.equal(os[0]!.steps[0]!.rule, 'tcp dport 82 drop comment "after jump: reached"');
});

test('a drop inside the called chain ends the packet', () => {
  const os = walker.walk(packet('198.51.100.7', '10.180.0.50', 81), host);
  assert.deepEqual(summary(os), [['DROP', 1, null, null, false]]);
  assert.deepEqual(handles(os[0]!), [7, 6]);
});

test('base chain policy drop, and an accept that only ends its own chain', () => {
  const dropped = walker.walk(packet('203.0.113.1', '192.168.0.2', 443), host);
  assert.deepEqual(summary(dropped), [['DROP', 1, null, null, false]]);
  assert.deepEqual(dropped[0]!.steps, [{ table: 'ip netpath-verdicts', chain: 'in', rule: 'policy drop', line: null, file: 'nft.json', handle: 3 }]);
  // `tcp dport 22 accept` in a table that is not kube-proxy's: evidence, but not an ACCEPT verdict of kube-proxy.
  const ssh = walker.walk(packet('203.0.113.1', '192.168.0.2', 22), host);
  assert.deepEqual(summary(ssh), [['NO-MATCH', 1, null, null, false]]);
  assert.deepEqual(handles(ssh[0]!), [11]);
});

test('NAT: the first nat chain that translates wins; one that does not leaves the next its turn', () => {
  // port 80: nat-first (priority dstnat + 5 = -95) `dnat to 10.8.8.8` binds the connection, so
  // nat-second (-90) does not run; the port is kept when the dnat names none.
  const first = walker.walk(packet('203.0.113.1', '192.168.0.2', 80), host);
  assert.deepEqual(summary(first), [['DNAT', 1, '10.8.8.8', 80, false]]);
  assert.deepEqual(handles(first[0]!), [12]);
  // port 8080: nat-first does not match, nat-second's `tcp dport { 80, 8080 }` does.
  const second = walker.walk(packet('203.0.113.1', '192.168.0.2', 8080), host);
  assert.deepEqual(summary(second), [['DNAT', 1, '10.9.9.9', 8080, false]]);
  assert.deepEqual(handles(second[0]!), [14]);
});

test('from the node to its own address: output, postrouting, then back in through prerouting and input', () => {
  // Looped back, the connection's NAT is already decided at output (a null binding), so nat-first
  // does not translate it on the way in; the input policy drops it.
  const os = walker.walk(packet('192.168.0.2', '192.168.0.2', 80, 'output'), host);
  assert.deepEqual(summary(os), [['DROP', 1, null, null, false]]);
  assert.deepEqual(os[0]!.steps.map((s) => s.rule), ['policy drop']);
});
