import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeControls } from '../../../src/render/escape.ts';
import { toTree } from '../../../src/render/tree.ts';
import { renderExplain } from '../../../src/render/text-explain.ts';
import { renderTrace } from '../../../src/render/text-trace.ts';
import { explanation, trace } from './examples.ts';

// A port name that clears the screen and a rule comment with an OSC 8 hyperlink and an OSC 0
// title change ended by BEL, plus a C1 CSI (U+009B): what a hostile or broken API object or
// dump could carry.
const PORT = 'http\u001b[2J';
const COMMENT = '-A KUBE-SVC-X -m comment --comment "\u001b]8;;http://evil.invalid\u0007click\u001b]0;pwned\u0007\u009b31m" -j DROP';

// What chalk writes for colour: SGR sequences only.
const SGR = /\u001b\[[0-9;]*m/g;
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('control characters from API or dump text are escaped', () => {
  it('escapeControls writes each as \\xHH', () => {
    assert.equal(escapeControls('a\u001b[2Jb\u0007\u009b'), 'a\\x1b[2Jb\\x07\\x9b');
    assert.equal(escapeControls('tab\tand\nnewline'), 'tab\tand\nnewline');
  });

  for (const color of [false, true]) {
    it(`explain-svc and trace text${color ? ' in colour' : ''}: a port name and a rule comment print escaped`, () => {
      const ex = explanation();
      ex.service.ports[0]!.name = PORT;
      const last = ex.paths[0]!.outcomes[0]!.steps.at(-1)!;
      ex.paths[0]!.outcomes[0]!.verdict = 'DROP';
      last.rule = COMMENT;
      const tr = trace();
      tr.outcomes[0]!.verdict = 'DROP';
      tr.outcomes[0]!.steps.at(-1)!.rule = COMMENT;
      for (const text of [
        renderExplain(ex, { format: 'text', color }),
        renderExplain(ex, { format: 'wide', color }),
        renderTrace(tr, { format: 'text', color, width: 200 }),
        toTree(tr, { color, width: 200 }),
      ]) {
        assert.doesNotMatch(text.replace(SGR, ''), RAW_CONTROL);
      }
      assert.match(renderExplain(ex, { format: 'text', color: false }), /http\\x1b\[2J 80\/TCP/);
      assert.ok(renderTrace(tr, { format: 'text', color: false, width: 200 }).includes('"\\x1b]8;;http://evil.invalid\\x07click\\x1b]0;pwned\\x07\\x9b31m"'));
    });
  }
});
