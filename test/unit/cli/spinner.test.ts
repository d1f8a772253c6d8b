// The progress spinner can never loop or block exit. With 0 columns ora's line count is
// text width / 0 = Infinity and it erased lines forever (666 MB, SIGTERM ignored because the
// loop never yields to signal-exit's handler). Each case runs the built CLI, or a process that
// only spins, in a real pseudo-terminal (`script`) whose size is set with `stty`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { spinnerFits } from '../../../src/cluster/live/progress.ts';

const SCRIPT = '/usr/bin/script';
const noPty = !existsSync(SCRIPT) && `no ${SCRIPT} (util-linux) to make a pseudo-terminal`;
const EXPLAIN = ['explain-svc', 'ns2/svc2', '--snapshot', 'examples/overall'];
/** More than any honest run of this example writes (about 3 KB); the looping spinner wrote 666 MB. */
const BOUND = 64 * 1024;
const ERASE_LINE = '\x1b[0K';
const STATUS = 'parsing the dataplane of test-node (1/1)';

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** Runs argv in a pty of `cols` columns; script -e exits with the command's code (128+n on signal n). */
function inPty(cols: number, argv: string[], env: Record<string, string>) {
  const command = `stty cols ${cols} rows 24; exec ${argv.map(quote).join(' ')}`;
  return execa(SCRIPT, ['-qec', command, '/dev/null'], {
    reject: false,
    timeout: 60_000,
    maxBuffer: BOUND * 4,
    env: { TERM: 'xterm-256color', NO_COLOR: undefined, CI: undefined, FORCE_COLOR: undefined, ...env },
    extendEnv: true,
  });
}

const cli = (cols: number, env: Record<string, string> = {}) => inPty(cols, [process.execPath, 'bin/kubectl-netpath', ...EXPLAIN], env);

test('spinnerFits: a wide enough terminal only; not with 0 columns, TERM=dumb, NO_COLOR, CI or a pipe', () => {
  const tty = (columns: number | undefined) => ({ isTTY: true, columns }) as NodeJS.WriteStream;
  assert.equal(spinnerFits(tty(80), { TERM: 'xterm' }), true);
  assert.equal(spinnerFits(tty(0), { TERM: 'xterm' }), false);
  assert.equal(spinnerFits(tty(undefined), { TERM: 'xterm' }), false);
  assert.equal(spinnerFits(tty(80), { TERM: 'dumb' }), false);
  assert.equal(spinnerFits(tty(80), { TERM: 'xterm', NO_COLOR: '1' }), false);
  assert.equal(spinnerFits(tty(80), { TERM: 'xterm', CI: 'true' }), false);
  assert.equal(spinnerFits({ isTTY: false, columns: 80 } as unknown as NodeJS.WriteStream, { TERM: 'xterm' }), false);
});

test('a 0-column terminal: explain-svc exits 0 with bounded output and its status as a plain line', { skip: noPty }, async () => {
  const r = await cli(0);
  assert.equal(r.timedOut, false);
  assert.equal(r.exitCode, 0);
  const out = String(r.stdout);
  assert.ok(out.length < BOUND, `${out.length} bytes`);
  assert.match(out, /Service ns2\/svc2/);
  assert.ok(out.includes(`netpath: ${STATUS}`));
  assert.ok(!out.includes(ERASE_LINE), 'no spinner drawing');
});

for (const [name, env] of [
  ['TERM=dumb', { TERM: 'dumb' }],
  ['NO_COLOR', { NO_COLOR: '1' }],
] as const) {
  test(`${name}: no spinner, the status as a plain line, exit 0`, { skip: noPty }, async () => {
    const r = await cli(80, env);
    assert.equal(r.exitCode, 0);
    const out = String(r.stdout);
    assert.ok(out.length < BOUND);
    assert.ok(out.includes(`netpath: ${STATUS}`));
    assert.ok(!out.includes(ERASE_LINE), 'no spinner drawing');
  });
}

test('not a terminal: no spinner and no status chatter, exit 0', async () => {
  const r = await execa(process.execPath, ['bin/kubectl-netpath', ...EXPLAIN], { reject: false, env: { TERM: 'xterm' } });
  assert.equal(r.exitCode, 0);
  assert.equal(String(r.stderr), '');
  // The verdict comes first (render/verdict), then the service.
  assert.match(String(r.stdout), /^Verdict: /);
  assert.match(String(r.stdout), /^Service ns2\/svc2/m);
});

test('an 80-column terminal: the spinner draws its text before the parse starts, and exits 0', { skip: noPty }, async () => {
  const r = await cli(80);
  assert.equal(r.exitCode, 0);
  const out = String(r.stdout);
  assert.ok(out.length < BOUND);
  // The status is on screen (drawn with the spinner frame) before the synchronous parse runs.
  const drawn = out.indexOf(STATUS);
  assert.ok(drawn >= 0, 'status drawn');
  assert.ok(out.lastIndexOf(ERASE_LINE, drawn) >= 0, 'by the spinner');
  assert.ok(drawn < out.indexOf('Service ns2/svc2'));
});

for (const cols of [0, 80]) {
  test(`SIGTERM while spinning in a ${cols}-column terminal ends the process at once (143)`, { skip: noPty }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netpath-spin-'));
    const pidFile = join(dir, 'pid');
    let pid = '';
    try {
      const run = inPty(cols, [process.execPath, 'test/unit/cli/spin-forever.ts', pidFile], {});
      for (let i = 0; i < 300 && !existsSync(`${pidFile}.spinning`); i++) {
        await sleep(100);
        if (!pid && existsSync(pidFile)) pid = (await readFile(pidFile, 'utf8')).trim();
      }
      if (!pid && existsSync(pidFile)) pid = (await readFile(pidFile, 'utf8')).trim();
      assert.ok(pid && existsSync(`${pidFile}.spinning`), 'the spinner started');
      await sleep(300); // a few frames
      process.kill(Number(pid), 'SIGTERM'); // by pid: the process this test started
      const r = await run;
      assert.equal(r.timedOut, false);
      assert.equal(r.exitCode, 143);
      assert.ok(String(r.stdout).length < BOUND);
      assert.ok(String(r.stdout).includes('waiting for the debug pod'));
    } finally {
      // A spinner that ignored SIGTERM must not outlive its test.
      if (pid) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone: the expected case
        }
      }
      await rm(dir, { recursive: true, force: true });
    }
  });
}
