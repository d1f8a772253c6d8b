// A node's dump file is parsed once per read (issue 11: a 10,000-service dump takes seconds):
// the walker, the node's rule counters and its health share one model through parsedDump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DumpParseError } from '../../../src/dataplane/errors.ts';
import { IPTABLES_SAVE } from '../../../src/dataplane/iptables/index.ts';
import { parsedDump } from '../../../src/dataplane/parsed-dump.ts';

const SAVE = ['*nat', ':KUBE-SERVICES - [0:0]', '-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m tcp --dport 443 -j ACCEPT', 'COMMIT', ''].join('\n');

test('parsedDump parses a file once per node files map, again for another read of the same text', () => {
  let calls = 0;
  const counting = { ...IPTABLES_SAVE, parse: (text: string, file: string) => (calls++, IPTABLES_SAVE.parse(text, file)) };
  const files = new Map([[IPTABLES_SAVE.name, SAVE]]);
  const first = parsedDump(files, counting)!;
  assert.equal(parsedDump(files, counting), first);
  assert.equal(calls, 1);
  // 1 table, 1 chain, 1 rule: the one -A line above.
  assert.equal(first.tables[0]!.chains[0]!.rules.length, 1);
  const other = parsedDump(new Map(files), counting);
  assert.notEqual(other, first);
  assert.equal(calls, 2);
  assert.equal(parsedDump(new Map(), counting), undefined);
});

test('parsedDump does not keep a failed parse: asked again, it fails again', () => {
  const files = new Map([[IPTABLES_SAVE.name, '*nat\n-A KUBE-SERVICES -j ACCEPT\n']]);
  assert.throws(() => parsedDump(files, IPTABLES_SAVE), DumpParseError);
  assert.throws(() => parsedDump(files, IPTABLES_SAVE), DumpParseError);
});
