/**
 * Temporary directories (an extracted bundle: the whole cluster state) are removed on every exit:
 * normal end, an error, a closed pipe (process.exit from the launcher) and SIGINT/SIGTERM, which
 * exit 130/143 as a shell reports them.
 */
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../errors.ts';

const dirs = new Set<string>();
const EXIT_ON: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: ExitCode.INTERRUPTED, SIGTERM: 143 };

function removeAll(): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  dirs.clear();
}

const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
  removeAll();
  process.exit(EXIT_ON[signal]);
};

function track(on: boolean): void {
  const f = on ? process.on.bind(process) : process.off.bind(process);
  f('exit', removeAll);
  f('SIGINT', onSignal);
  f('SIGTERM', onSignal);
}

/**
 * The name is chosen and the handlers are in place before the directory exists, so a signal at
 * any moment finds it listed (mkdtemp would leave a window between creation and the listing).
 */
export async function makeTempDir(prefix: string): Promise<string> {
  if (!dirs.size) track(true);
  for (;;) {
    const dir = join(tmpdir(), `${prefix}${randomBytes(6).toString('hex')}`);
    dirs.add(dir);
    try {
      await mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (e) {
      dirs.delete(dir);
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      if (!dirs.size) track(false);
      throw e;
    }
  }
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  dirs.delete(dir);
  // Without directories to remove, signals get their default behaviour back.
  if (!dirs.size) track(false);
}
