import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeStyle, shouldUseColor } from '../../../src/render/colors.ts';

describe('shouldUseColor', () => {
  // [isTTY, NO_COLOR, FORCE_COLOR, flag (false = --no-color given), expected]. Rules: --no-color
  // always wins; a non-empty FORCE_COLOR decides next (0/false off, else on); a non-empty
  // NO_COLOR turns colour off; otherwise colour exactly when stdout is a TTY.
  const table: [boolean | undefined, string | undefined, string | undefined, boolean, boolean][] = [
    // plain TTY / pipe
    [true, undefined, undefined, true, true],
    [false, undefined, undefined, true, false],
    [undefined, undefined, undefined, true, false],
    // --no-color beats everything
    [true, undefined, undefined, false, false],
    [true, undefined, '1', false, false],
    [false, undefined, '3', false, false],
    // NO_COLOR: any non-empty value disables; empty is ignored
    [true, '1', undefined, true, false],
    [true, 'false', undefined, true, false],
    [true, '', undefined, true, true],
    [false, '1', undefined, true, false],
    // FORCE_COLOR enables without a TTY
    [false, undefined, '1', true, true],
    [false, undefined, 'true', true, true],
    [undefined, undefined, '2', true, true],
    // FORCE_COLOR=0 / false disables even on a TTY
    [true, undefined, '0', true, false],
    [true, undefined, 'false', true, false],
    // empty FORCE_COLOR is ignored
    [false, undefined, '', true, false],
    [true, undefined, '', true, true],
    // FORCE_COLOR beats NO_COLOR (as in Node's tty.getColorDepth)
    [false, '1', '1', true, true],
    [true, '1', '0', true, false],
    [true, '1', '', true, false],
  ];
  for (const [isTTY, noColor, forceColor, flag, expected] of table) {
    it(`isTTY=${isTTY} NO_COLOR=${noColor} FORCE_COLOR=${forceColor} flag=${flag} -> ${expected}`, () => {
      const env = { NO_COLOR: noColor, FORCE_COLOR: forceColor, TERM: 'xterm-256color' };
      assert.equal(shouldUseColor({ isTTY, env, flag }), expected);
    });
  }

  it('ignores unrelated environment (TERM=dumb, CI) so the decision is only these inputs', () => {
    assert.equal(shouldUseColor({ isTTY: true, env: { TERM: 'dumb', CI: 'true' }, flag: true }), true);
    assert.equal(shouldUseColor({ isTTY: false, env: { CI: 'true' }, flag: true }), false);
  });
});

describe('makeStyle', () => {
  it('emits ANSI escapes only when colour is on, whatever chalk would detect', () => {
    const on = makeStyle(true);
    const off = makeStyle(false);
    assert.equal(on.verdict('DNAT'), '\u001b[32mDNAT\u001b[39m');
    assert.equal(off.verdict('DNAT'), 'DNAT');
    assert.equal(off.severity('error'), 'error');
    assert.match(on.severity('error'), /^\u001b\[31m/);
    assert.equal(on.status(null, '-'), '-');
    assert.match(on.status(503, '503'), /\u001b\[31m/);
    assert.match(on.status(200, '200'), /\u001b\[32m/);
  });
});
