/**
 * Temporary directories (an extracted bundle: the whole cluster state) are removed on every exit:
 * normal end, an error, a closed pipe (process.exit from the launcher) and SIGINT/SIGTERM, which
 * exit 130/143 as a shell reports them.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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

export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (!dirs.size) track(true);
  dirs.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  dirs.delete(dir);
  // Without directories to remove, signals get their default behaviour back.
  if (!dirs.size) track(false);
}
