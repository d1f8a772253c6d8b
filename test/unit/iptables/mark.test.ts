import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyXMark, markMatches, parseIptablesDump, xmarkFor } from '../../../src/dataplane/iptables/index.ts';
import { OWN_FIXTURES, allRules, loadDump } from './helpers.ts';

test('each MARK option becomes the xmark the kernel printed back for it', () => {
  // inputs/extensions.restore wrote these six MARK rules; the kernel printed them as lines 76-81 of the dump.
  const input = parseIptablesDump(readFileSync(join(OWN_FIXTURES, 'inputs/extensions.restore'), 'utf8'), 'extensions.restore');
  const written = allRules(input).filter((r) => r.target?.name === 'MARK');
  const printed = allRules(loadDump('iptables-save-kernel-extensions.txt')).filter((r) => r.target?.name === 'MARK');
  assert.deepEqual(
    written.map((r) => r.target!.options.map((o) => `${o.name} ${o.values[0]!.value}`).join()),
    ['--set-xmark 0x4000/0x4000', '--or-mark 0x4000', '--xor-mark 0x4000', '--and-mark 0xffffbfff', '--set-mark 0x2/0x6', '--set-mark 0x10'],
  );
  assert.deepEqual(printed.map((r) => r.line), [76, 77, 78, 79, 80, 81]);
  written.forEach((r, i) => {
    const o = r.target!.options[0]!;
    const kernel = printed[i]!.target!.options[0]!;
    assert.equal(kernel.name, '--set-xmark');
    const [value, mask] = kernel.values[0]!.value.split('/').map(Number);
    assert.deepEqual(xmarkFor(o.name, o.values[0]!.value), { value, mask }, r.text);
  });
});

test('mark = (mark AND NOT mask) XOR value, on 32 bits', () => {
  const apply = (mark: number, option: string, arg: string) => applyXMark(mark, xmarkFor(option, arg)!);
  assert.equal(apply(0x1, '--or-mark', '0x4000'), 0x4001);
  assert.equal(apply(0x4001, '--xor-mark', '0x4000'), 0x1);
  assert.equal(apply(0x4001, '--and-mark', '0xff00'), 0x4000);
  // (0x4005 & ~0x6) ^ 0x2 = 0x4001 ^ 0x2
  assert.equal(apply(0x4005, '--set-mark', '0x2/0x6'), 0x4003);
  assert.equal(apply(0xdead, '--set-mark', '0x10'), 0x10);
  // set-xmark toggles when the value bit is outside the mask: (0x4000 & ~0) ^ 0x4000.
  assert.equal(apply(0x4000, '--set-xmark', '0x4000/0x0'), 0);
  // Results stay unsigned: (0 & ~0) ^ 0x80000000.
  assert.equal(apply(0, '--xor-mark', '0x80000000'), 0x80000000);
  assert.equal(xmarkFor('--or-mark', '0x4000/0x4000'), null);
  assert.equal(xmarkFor('--set-xmark', '0x1ffffffff'), null);
});

test('mark match: (mark AND mask) == value, mask defaults to all bits', () => {
  assert.equal(markMatches(0x4001, '0x4000/0x4000'), true);
  assert.equal(markMatches(0x4001, '0x4000'), false);
  assert.equal(markMatches(16384, '16384'), true);
  assert.equal(markMatches(0, 'nope'), null);
});
