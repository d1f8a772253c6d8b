// addressKey's IPv4 fast path must give parseIP's key, or endpoints and pods would not meet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addressKey } from '../../../src/analyzers/address-homes.ts';
import { parseIP } from '../../../src/net/ip.ts';

test('addressKey of an IPv4 address is 4:<its 32-bit value>, as parseIP gives it', () => {
  // 10.96.0.10 = 10*2^24 + 96*2^16 + 0*2^8 + 10 = 167772160 + 6291456 + 10 = 174063626.
  assert.equal(addressKey('10.96.0.10'), '4:174063626');
  assert.equal(addressKey('255.255.255.255'), '4:4294967295');
  // Not plain: leading zeros, spaces or out of range go through parseIP, which decides.
  assert.equal(addressKey(' 10.96.0.10'), '4:174063626');
  assert.equal(addressKey('10.96.0.256'), null);
  fc.assert(
    fc.property(fc.ipV4(), (ip) => {
      const p = parseIP(ip)!;
      assert.equal(addressKey(ip), `${p.family}:${p.value}`);
    }),
  );
});
