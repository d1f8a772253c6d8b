// Completion answers Cobra's __complete protocol (what kubectl >= 1.26 reads from
// kubectl_complete-netpath): candidates one per line, `value<TAB>description`, then `:DIRECTIVE`
// (spf13/cobra: 1 error, 2 no space, 4 no file completion; 0 lets the shell complete files).
// Expected names are read off the example bundles' JSON by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { delimiter, dirname, resolve } from 'node:path';
import { execa } from 'execa';
import { buildProgram } from '../../../src/cli/program.ts';
import { complete } from '../../../src/cli/complete.ts';
import type { CompletionContext } from '../../../src/cli/complete.ts';

const LB = 'examples/real-local-lb'; // services default/kubernetes, shop/web; nodes node-a, node-b, node-c

async function answer(words: string[], data?: (ctx: CompletionContext) => Promise<{ items: string[]; directive: number }>) {
  let out = '';
  const code = await complete(buildProgram(), words, (s) => (out += s), data);
  assert.equal(code, 0);
  const lines = out.trimEnd().split('\n');
  const directive = lines.pop() ?? '';
  return { values: lines.map((l) => l.split('\t')[0]), directive };
}

test('commands, then flags of the command and the global ones', async () => {
  assert.deepEqual(await answer(['']), { values: ['explain-svc', 'trace', 'capture', 'node', 'cleanup', 'completion', 'version', 'help'], directive: ':4' });
  assert.deepEqual(await answer(['tr']), { values: ['trace'], directive: ':4' });
  assert.deepEqual(await answer(['explain-svc', '--snap']), { values: ['--snapshot'], directive: ':4' });
  const flags = (await answer(['trace', '--'])).values;
  for (const f of ['--from', '--node', '--output', '--snapshot', '--namespace', '--context', '--as', '--server', '--help']) assert.ok(flags.includes(f), f);
  assert.ok(!flags.includes('--v'), 'hidden flags are not offered');
  assert.deepEqual(await answer(['completion', '']), { values: ['bash', 'zsh', 'fish'], directive: ':4' });
});

test('flag values: choices, inline --flag=value, files for paths', async () => {
  const formats = await answer(['explain-svc', '-o', '']);
  assert.ok(formats.values.includes('json') && formats.values.includes('yaml'));
  assert.equal(formats.directive, ':4');
  assert.deepEqual(await answer(['explain-svc', '--output=j']), { values: ['--output=json'], directive: ':4' });
  assert.deepEqual(await answer(['trace', '--protocol', '']), { values: ['TCP', 'UDP', 'SCTP'], directive: ':4' });
  assert.deepEqual(await answer(['trace', '--port', '']), { values: [], directive: ':4' });
  assert.deepEqual(await answer(['explain-svc', '--snapshot', '']), { values: [], directive: ':0' });
  assert.deepEqual(await answer(['capture', '-f', 'x']), { values: [], directive: ':0' });
});

test('services, namespaces and nodes from the --snapshot bundle', async () => {
  assert.deepEqual(await answer(['explain-svc', '--snapshot', LB, '']), { values: ['default/kubernetes', 'shop/web'], directive: ':4' });
  assert.deepEqual(await answer(['explain-svc', '--snapshot', LB, '-n', 'shop', '']), { values: ['web'], directive: ':4' });
  assert.deepEqual(await answer(['explain-svc', `--snapshot=${LB}`, '--namespace', 's']), { values: ['shop'], directive: ':4' });
  assert.deepEqual(await answer(['trace', '--snapshot', LB, 'svc/s']), { values: ['svc/shop/web'], directive: ':4' });
  assert.deepEqual(await answer(['trace', '--snapshot', LB, '--node', '']), { values: ['node-a', 'node-b', 'node-c'], directive: ':4' });
  assert.deepEqual(await answer(['trace', '--snapshot', LB, '--from', 'node/node-c']), { values: ['node/node-c'], directive: ':4' });
  assert.deepEqual(await answer(['node', '--snapshot', LB, 'node-a', 'node-']), { values: ['node-a', 'node-b', 'node-c'], directive: ':4' });
  // The service is typed: nothing more to complete as an argument.
  assert.deepEqual(await answer(['explain-svc', '--snapshot', LB, 'shop/web', '']), { values: [], directive: ':4' });
});

test('a bundle that cannot be read gives the Error directive and no candidates', async () => {
  assert.deepEqual(await answer(['explain-svc', '--snapshot', '/nonexistent', '']), { values: [], directive: ':1' });
});

test('without --snapshot the live source is asked, with the flags typed so far', async () => {
  let seen: CompletionContext | null = null;
  const r = await answer(['--context', 'prod', 'explain-svc', '-n', 'shop', 'w'], async (ctx) => {
    seen = ctx;
    return { items: ['web', 'worker', 'api'], directive: 4 };
  });
  assert.deepEqual(r, { values: ['web', 'worker'], directive: ':4' });
  const ctx = seen as CompletionContext | null;
  assert.equal(ctx?.command.name(), 'explain-svc');
  assert.deepEqual(ctx?.flags, { context: 'prod', namespace: 'shop' });
});

// The shells' scripts, run for real against the built CLI (bin/ and this Node first on PATH).
const PATH = [resolve('bin'), dirname(process.execPath), process.env.PATH].join(delimiter);
const script = async (shell: string) => (await execa(process.execPath, ['bin/kubectl-netpath', 'completion', shell])).stdout;

test('bash: the script fills COMPREPLY from __complete', async () => {
  const cases: [string[], string[]][] = [
    [['kubectl-netpath', 'ex'], ['explain-svc']],
    [['kubectl-netpath', 'explain-svc', '--snapshot', LB, ''], ['default/kubernetes', 'shop/web']],
    [['kubectl-netpath', 'trace', '--snapshot', LB, '--node', 'node-'], ['node-a', 'node-b', 'node-c']],
  ];
  for (const [words, want] of cases) {
    const body = `${await script('bash')}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}\n_kubectl_netpath\nprintf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = await execa('bash', ['-c', body], { env: { PATH } });
    assert.deepEqual(r.stdout.split('\n').filter(Boolean), want, words.join(' '));
  }
});

const fish = ['/usr/bin/fish', '/bin/fish'].find((f) => existsSync(f));
test('fish: complete -C lists the candidates', { skip: !fish && 'fish is not installed' }, async () => {
  const body = `${await script('fish')}\ncomplete -C 'kubectl-netpath trace --snapshot ${LB} --node '`;
  const r = await execa(fish ?? 'fish', ['--no-config', '-c', body], { env: { PATH } });
  assert.deepEqual(r.stdout.split('\n').map((l) => l.split('\t')[0]), ['node-a', 'node-b', 'node-c']);
});

const zsh = ['/usr/bin/zsh', '/bin/zsh'].find((f) => existsSync(f));
test('zsh: the script parses and registers its function', { skip: !zsh && 'zsh is not installed' }, async () => {
  const body = `autoload -U compinit && compinit -u -D\n${await script('zsh')}\nprint -r -- $_comps[kubectl-netpath]`;
  const r = await execa(zsh ?? 'zsh', ['-f', '-c', body], { env: { PATH, HOME: '/nonexistent' } });
  assert.equal(r.stdout.trim(), '_kubectl_netpath');
});
