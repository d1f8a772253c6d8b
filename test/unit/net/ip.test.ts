import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, hostPort, parseCidr, parseIP, sameIP } from '../../../src/net/ip.ts';

test('IPv4 parse and CIDR membership', () => {
  assert.equal(parseIP('10.180.0.2')?.value, (10n << 24n) | (180n << 16n) | 2n);
  assert.equal(parseIP('256.1.1.1'), null);
  assert.ok(cidrContains('10.0.0.0/8', '10.180.0.2'));
  assert.ok(!cidrContains('10.0.0.0/8', '11.0.0.1'));
  // 203.0.113.0/25 covers .0-.127: .2 inside, .130 outside (the svc5 source-range case).
  assert.ok(cidrContains('203.0.113.0/25', '203.0.113.2'));
  assert.ok(!cidrContains('203.0.113.0/25', '203.0.113.130'));
  assert.ok(cidrContains(' 203.0.113.0/25', '203.0.113.127'), 'leading space as kube-proxy tolerates');
  assert.ok(cidrContains('0.0.0.0/0', '1.2.3.4'));
  assert.ok(cidrContains('1.2.3.4', '1.2.3.4'));
  assert.equal(parseCidr('10.0.0.0/33'), null);
});

test('IPv6 parse, compression, embedded IPv4 and families', () => {
  assert.equal(parseIP('::1')?.value, 1n);
  assert.ok(sameIP('fd00:10:180::2', 'fd00:10:180:0:0:0:0:2'));
  assert.ok(sameIP('::ffff:1.2.3.4', '::ffff:102:304'));
  assert.ok(cidrContains('fd00:10::/64', 'fd00:10::abcd'));
  assert.ok(!cidrContains('fd00:10::/64', 'fd00:11::1'));
  assert.ok(!cidrContains('0.0.0.0/0', '::1'), 'families never match each other');
  assert.equal(parseIP('1::2::3'), null);
  assert.equal(hostPort('fd00::1', 80), '[fd00::1]:80');
  assert.equal(hostPort('10.0.0.1', 80), '10.0.0.1:80');
});

test('formatIP and addressFromEnd', async () => {
  const { addressFromEnd, formatIP } = await import('../../../src/net/ip.ts');
  assert.equal(formatIP(4, parseIP('10.244.1.254')!.value), '10.244.1.254');
  assert.equal(formatIP(6, parseIP('fd00:10:0:0:0:0:0:1')!.value), 'fd00:10::1');
  assert.equal(formatIP(6, parseIP('1:0:0:2:0:0:0:3')!.value), '1:0:0:2::3', 'longest zero run is compressed');
  assert.equal(formatIP(6, 0n), '::');
  // 10.244.1.0/24: last address .255 is broadcast, n=1 gives .254.
  assert.equal(addressFromEnd(parseCidr('10.244.1.0/24')!, 1), '10.244.1.254');
  assert.equal(addressFromEnd(parseCidr('10.0.0.0/8')!, 1), '10.255.255.254');
  assert.equal(addressFromEnd(parseCidr('10.0.0.4/31')!, 1), null);
});
