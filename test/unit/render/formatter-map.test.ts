// Renderers as a formatter map (as ESLint's formatters): -o offers exactly the map's names, each
// name loads its formatter only when chosen, and --help loads none of them.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { FORMATTERS, OUTPUT_FORMATS, outputOption } from '../../../src/render/index.ts';

const HOOK = new URL('../cli/import-trace.ts', import.meta.url).pathname;

describe('formatter map', () => {
  it('-o accepts and completes exactly the map names, text by default', () => {
    const option = outputOption();
    assert.deepEqual(option.argChoices, Object.keys(FORMATTERS));
    assert.deepEqual(OUTPUT_FORMATS, ['text', 'wide', 'json', 'yaml', 'tree', 'dot', 'mermaid']);
    assert.equal(option.defaultValue, 'text');
  });

  it('every entry loads a formatter function', async () => {
    for (const name of OUTPUT_FORMATS) assert.equal(typeof (await FORMATTERS[name]()), 'function', name);
  });

  it('--help loads the map but no formatter module', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netpath-formatters-'));
    try {
      const trace = join(dir, 'trace');
      const r = await execa(process.execPath, ['--import', HOOK, 'bin/kubectl-netpath', 'explain-svc', '--help'], { env: { NETPATH_IMPORT_TRACE: trace } });
      assert.equal(r.exitCode, 0);
      const render = (await readFile(trace, 'utf8')).split('\n').filter((u) => /\/dist\/render\//.test(u));
      assert.deepEqual(render.map((u) => u.replace(/.*\/dist\//, '')), ['render/index.js']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
