/**
 * formatRule rebuilds a line from the rule's parsed structure and reads only the layout
 * (whitespace, unusual quoting) from the line again: changes to the structure show, the layout
 * stays. Expected lines written by hand from the inputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRule, parseIptablesDump, parseRuleLine } from '../../../src/dataplane/iptables/index.ts';

test('changed counters and target options are printed, with the line’s own spacing kept', () => {
  const r = parseRuleLine('[5:300] -A KUBE-SEP-X -p tcp  -m tcp -j DNAT --to-destination 10.1.0.1:80', { file: 't', line: 1 });
  r.counters!.packets = 7n;
  r.target!.options[0]!.values[0] = { value: '10.1.0.2:8080', quoted: false };
  assert.equal(formatRule(r), '[7:300] -A KUBE-SEP-X -p tcp  -m tcp -j DNAT --to-destination 10.1.0.2:8080');
});

test('-c counters given inline are the rule’s counters; a [p:b] prefix before them stays as written', () => {
  const r = parseRuleLine('[1:2] -A X -c 3 4 -j ACCEPT', { file: 't', line: 1 });
  assert.deepEqual(r.counters, { packets: 3n, bytes: 4n });
  r.counters!.bytes = 40n;
  assert.equal(formatRule(r), '[1:2] -A X -c 3 40 -j ACCEPT');
});

test('rules of a whole dump format back to their lines, quoting and a value changed to need quotes included', () => {
  const text = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    '-A INPUT -m comment --comment "a \\"quoted\\" word" -j ACCEPT',
    '-A INPUT -m comment --comment plain -j ACCEPT',
    'COMMIT',
    '',
  ].join('\n');
  const [quoted, plain] = parseIptablesDump(text, 'iptables-save.txt').tables[0]!.chains[0]!.rules;
  assert.equal(formatRule(quoted!), '-A INPUT -m comment --comment "a \\"quoted\\" word" -j ACCEPT');
  plain!.matches[0]!.options[0]!.values[0] = { value: 'two words', quoted: true };
  assert.equal(formatRule(plain!), '-A INPUT -m comment --comment "two words" -j ACCEPT');
});
