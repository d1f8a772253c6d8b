// Every command in docs/runbook.md, run as written (through the built CLI, dist/, as
// cli-errors.test.ts does): it exits 0 and its output says what the runbook's `Expect:` line says.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';

const RUNBOOK = readFileSync('docs/runbook.md', 'utf8');

interface Step {
  command: string;
  expect: string;
}

/** Each ```sh block holds one command; the `Expect:` line right after it says what it prints. */
function steps(markdown: string): Step[] {
  return [...markdown.matchAll(/^```sh\n([^\n]+)\n```\nExpect: `(.+)`$/gm)].map((m) => ({ command: m[1]!, expect: m[2]! }));
}

const normalise = (text: string) => stripVTControlCharacters(text).replace(/\s+/g, ' ');

describe('docs/runbook.md', () => {
  const all = steps(RUNBOOK);

  it('has three runbooks, and every fenced command comes with its expected output', () => {
    assert.equal((RUNBOOK.match(/^## \d\. /gm) ?? []).length, 3);
    assert.equal(all.length, (RUNBOOK.match(/^```sh$/gm) ?? []).length);
    assert.ok(all.length >= 9, `${all.length} commands`);
  });

  for (const { command, expect } of all) {
    it(command, async () => {
      // Copy-pasteable: plain words, no shell syntax to interpret.
      assert.match(command, /^npx kubectl-netpath [\w./:\-\s]+$/);
      const args = command.split(/\s+/).slice(2);
      const r = await execa(process.execPath, ['bin/kubectl-netpath', ...args], { reject: false, env: { NO_COLOR: '1', COLUMNS: '100' } });
      assert.equal(r.exitCode, 0, String(r.stderr));
      assert.ok(normalise(String(r.stdout)).includes(normalise(expect)), `expected ${JSON.stringify(expect)} in:\n${String(r.stdout).slice(0, 2000)}`);
    });
  }
});
