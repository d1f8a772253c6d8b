// kubectl conventions in every command's --help: usage says `kubectl netpath`, the global flags
// are listed, and an Examples section whose offline examples really run on examples/ bundles.
// Every bad flag: exit 2 and one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';

const COMMANDS = ['explain-svc', 'trace', 'capture', 'node', 'cleanup', 'completion'];
const run = (args: string[]) => execa(process.execPath, ['bin/kubectl-netpath', ...args], { reject: false, env: { NO_COLOR: '1', KUBECONFIG: '' } });

/** The Examples section's lines, without the leading `kubectl netpath` and trailing comments. */
function examples(help: string): string[] {
  const section = help.split('\nExamples:\n')[1] ?? '';
  return section.split('\n').map((l) => l.trim()).filter(Boolean);
}

for (const name of COMMANDS) {
  test(`${name} --help: kubectl netpath usage, global flags, examples that run`, async () => {
    const r = await run([name, '--help']);
    assert.equal(r.exitCode, 0);
    const help = String(r.stdout);
    assert.match(help, new RegExp(`^Usage: kubectl netpath ${name} `));
    const globals = help.split('\nGlobal Options:\n')[1] ?? '';
    for (const flag of ['--snapshot <dir>', '-n, --namespace <ns>', '--context <name>', '--kubeconfig <path>', '-s, --server <url>', '--as <user>', '--as-group <group>', '--token <token>']) {
      assert.ok(globals.includes(flag), `${name}: global ${flag}`);
    }
    const lines = examples(help);
    assert.ok(lines.length >= 2, `${name}: at least two examples`);
    for (const line of lines) assert.match(line, /kubectl netpath /);
    const offline = lines.filter((l) => l.startsWith('kubectl netpath ') && l.includes('--snapshot examples/'));
    if (name === 'explain-svc' || name === 'trace') assert.ok(offline.length >= 2, `${name}: examples on examples/ bundles`);
    const results = await Promise.all(offline.map((l) => run(l.replace(/^kubectl netpath /, '').replace(/\s+#.*$/, '').split(/\s+/))));
    results.forEach((res, i) => {
      assert.equal(res.exitCode, 0, `${offline[i]}: ${res.stderr}`);
      assert.ok(String(res.stdout).length > 0, `${offline[i]} printed nothing`);
    });
  });
}

test('kubectl netpath --help: usage, commands and examples that run', async () => {
  const r = await run(['--help']);
  assert.equal(r.exitCode, 0);
  const help = String(r.stdout);
  assert.match(help, /^Usage: kubectl netpath <command> \[flags\]/);
  for (const name of COMMANDS) assert.match(help, new RegExp(`^  ${name} `, 'm'));
  const offline = examples(help).filter((l) => l.includes('--snapshot examples/'));
  assert.ok(offline.length >= 2);
  for (const line of offline) {
    const res = await run(line.replace(/^kubectl netpath /, '').split(/\s+/));
    assert.equal(res.exitCode, 0, `${line}: ${res.stderr}`);
  }
});

test('every bad flag or argument: exit 2 and one line, no stack trace', async () => {
  const cases: [string[], RegExp][] = [
    [['explain-svc', 'x', '--bogus'], /^error: unknown option '--bogus'/],
    [['explain-svc', 'x', '-o', 'foo'], /^error: option '-o, --output <format>' argument 'foo' is invalid/],
    [['bogus'], /^error: unknown command 'bogus'/],
    [['explain-svc'], /^error: missing required argument 'service'/],
    [['explain-svc', 'x', '--snapshot'], /^error: option '--snapshot <dir>' argument missing/],
    [['explain-svc', 'ns2/svc2', '--snapshot', 'examples/overall', '-v=x'], /^error: -v=x: expected a log level/],
    [['capture', 'shop/web', '-o', 'incident/'], /^error: capture -o incident\/: -o is an output format; write the bundle with --output-dir DIR or -f FILE\.tar\.gz$/],
    [['capture', 'shop/web'], /^error: capture: pass --output-dir DIR or -f FILE\.tar\.gz/],
    [['capture', 'shop/web', '-f', 'bundle.zip'], /^error: capture -f bundle\.zip: expected a \.tar\.gz or \.tgz file name$/],
    [['completion', 'tcsh'], /^error: command-argument value 'tcsh' is invalid for argument 'shell'/],
  ];
  const results = await Promise.all(cases.map(([args]) => run(args)));
  results.forEach((r, i) => {
    const [args, re] = cases[i] ?? [[], /$^/];
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = String(r.stderr).trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: one line, got ${r.stderr}`);
    assert.match(lines[0] ?? '', re);
  });
});

test("kubectl's -v=N: N >= 1 prints progress details like --verbose; -v=0 does not; -v alone still works", async () => {
  const base = ['explain-svc', 'ns2/svc2', '--snapshot', 'examples/overall'];
  const [v2, v0, v] = await Promise.all([run([...base, '-v=2']), run([...base, '-v=0']), run([...base, '-v'])]);
  for (const r of [v2, v0, v]) assert.equal(r.exitCode, 0);
  assert.match(String(v2.stderr), /^netpath: parsing nodes\/test-node$/m);
  assert.match(String(v.stderr), /^netpath: parsing nodes\/test-node$/m);
  assert.equal(String(v0.stderr), '');
});
