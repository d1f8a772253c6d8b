/**
 * Rule evaluation parses addresses once per rule, packet and host address list, and stops at the
 * first test that rules a rule out: what must not change with that. Expected values follow from
 * the rules as iptables reads them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIptablesWalker, evaluateChain, parseIptablesDump, type SetMatcher } from '../../../src/dataplane/iptables/index.ts';
import { chainContext, initialState, stepLines, tcp } from './helpers.ts';

const dump = (...rules: string[]) => parseIptablesDump(['*nat', ':PREROUTING ACCEPT [0:0]', ':S - [0:0]', ...rules, 'COMMIT'].join('\n'), 'iptables-save.txt');

test('addresses compare by value, not by spelling, and never across families', () => {
  const d = dump(
    '-A S -d 10.0.0.1 -j RETURN', // line 4: no prefix is /32
    '-A S -s fd00::1/128 -j RETURN', // line 5
    '-A S -d 10.0.0.0/8 -j RETURN', // line 6
  );
  const { ctx } = chainContext(d);
  const lines = (src: string, dst: string) => evaluateChain(ctx, 'nat', 'S', initialState(tcp(src, dst, 80))).map(stepLines);
  assert.deepEqual(lines('192.0.2.1', '10.0.0.1'), [[4]]);
  assert.deepEqual(lines('fd00:0:0::1', 'fd00::2'), [[5]], 'fd00:0:0::1 is fd00::1');
  assert.deepEqual(lines('192.0.2.1', '10.9.9.9'), [[6]]);
  // ::a00:1 has the bits of 10.0.0.1 but is IPv6: no IPv4 rule matches it.
  assert.deepEqual(lines('fd00::9', '::a00:1'), [[]]);
});

test('an address iptables would not load is an assumption, not a match', () => {
  const { ctx } = chainContext(dump('-A S -d 10.0.0.300/32 -j RETURN'));
  const [b] = evaluateChain(ctx, 'nat', 'S', initialState(tcp('192.0.2.1', '10.0.0.1', 80)));
  assert.deepEqual(stepLines(b!), []);
  assert.deepEqual(b!.conditions, ['assumed -d 10.0.0.300/32 does not match (iptables-save.txt:4)']);
});

test('a rule another test already rules out still asks its set lookups (they report sets missing from the dump)', () => {
  const d = dump(
    '-A S -d 10.0.0.1/32 -m comment --comment "not this packet" -m set --match-set A dst -j RETURN', // line 4
    '-A S -m set --match-set B dst -j RETURN', // line 5
  );
  const calls: string[] = [];
  const sets: SetMatcher = {
    has(name, flags) {
      calls.push(`${name} ${flags.join(',')}`);
      return name === 'B';
    },
  };
  const { ctx } = chainContext(d);
  const branches = evaluateChain({ ...ctx, sets }, 'nat', 'S', initialState(tcp('192.0.2.1', '10.0.0.2', 80)));
  assert.deepEqual(branches.map(stepLines), [[5]]);
  assert.deepEqual(calls, ['A dst', 'B dst']);
});

test('addrtype LOCAL answers for the host of each walk, also on the same walker', () => {
  const d = parseIptablesDump(
    [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':KUBE-NODEPORTS - [0:0]',
      '-A PREROUTING -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
      '-A KUBE-NODEPORTS -p tcp -m tcp --dport 30080 -j DNAT --to-destination 10.1.0.1:80',
      'COMMIT',
    ].join('\n'),
    'iptables-save.txt',
  );
  const walker = createIptablesWalker(d);
  const verdicts = (dst: string, localAddresses: string[]) => walker.walk(tcp('203.0.113.9', dst, 30080), { localAddresses }).map((o) => o.verdict);
  assert.deepEqual(verdicts('192.168.0.2', ['192.168.0.2']), ['DNAT']);
  assert.deepEqual(verdicts('192.168.0.2', ['192.168.0.3']), ['NO-MATCH'], 'another node: not a local address');
  assert.deepEqual(verdicts('fd00::2', ['fd00:0::2']), ['DNAT'], 'the same IPv6 address spelled out');
});
