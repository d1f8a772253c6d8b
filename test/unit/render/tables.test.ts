import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeStyle } from '../../../src/render/colors.ts';
import { visibleWidth } from '../../../src/render/format.ts';
import { fitColumns, renderTable } from '../../../src/render/tables.ts';

describe('fitColumns', () => {
  it('keeps natural widths when they fit or when there is no limit', () => {
    // 7 + 10 + 2 gaps of 2 = 21 <= 30
    assert.deepEqual(fitColumns([7, 10], 30), [7, 10]);
    assert.deepEqual(fitColumns([7, 60, 50], null), [7, 60, 50]);
  });

  it('takes the excess from the widest columns first', () => {
    // 7 + 60 + 50 + 2 gaps * 2 = 121 columns, 41 too many for 80. The 60 gives 10 to reach 50,
    // then the two 50s give 31 between them: 50 + 50 - 31 = 69 = 35 + 34. The 7 is untouched.
    const [a, b, c] = fitColumns([7, 60, 50], 80);
    assert.equal(a, 7);
    assert.equal(b! + c!, 69);
    assert.ok(Math.abs(b! - c!) <= 1);
  });

  it('shrinks wrapping columns first, down to 16', () => {
    // 8 + 49 + 40 + 4 = 101, one too many for 100: the wrapping column 2 gives it.
    assert.deepEqual(fitColumns([8, 49, 40], 100, [2]), [8, 49, 39]);
    // 8 + 49 + 40 + 4 = 101 for 70: column 2 gives 24 (40 -> 16), then the widest (49) gives 7.
    assert.deepEqual(fitColumns([8, 49, 40], 70, [2]), [8, 42, 16]);
  });
});

describe('renderTable', () => {
  const style = makeStyle(false);
  const longRule = '-A KUBE-SVC-XGLOHA7QRQ3V22RZ -m comment --comment "shop/checkout:http -> 10.244.1.5:8080" -j KUBE-SEP-ZX7GRIZKSNUQ3LAJ';

  it('fits the width, cutting a long cell with an ellipsis', () => {
    const lines = renderTable({ head: ['VERDICT', 'RULE'], rows: [['DNAT', longRule]], maxWidth: 60, style });
    for (const line of lines) assert.ok(visibleWidth(line) <= 60, line);
    assert.ok(lines[1]!.endsWith('…'));
    assert.ok(lines[1]!.startsWith('DNAT     -A KUBE-SVC-'));
  });

  it('in wide mode (no limit) keeps every cell whole', () => {
    const lines = renderTable({ head: ['VERDICT', 'RULE'], rows: [['DNAT', longRule]], maxWidth: null, style });
    assert.ok(lines[1]!.endsWith(longRule));
  });

  it('counts coloured cells by their visible width', () => {
    const color = makeStyle(true);
    const lines = renderTable({ head: ['VERDICT', 'RULE'], rows: [[color.verdict('DNAT'), longRule]], maxWidth: 60, style: color });
    for (const line of lines) assert.ok(visibleWidth(line) <= 60, line);
    assert.match(lines[1]!, /\u001b\[32mDNAT/);
  });
});
