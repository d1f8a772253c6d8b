// Writes dist/build-info.json ({"commit": ...}) for `kubectl netpath version` (src/build-info.ts).
// The commit is `git rev-parse HEAD`, with "-dirty" when tracked files differ from it; "unknown"
// outside a git checkout (e.g. building from the npm tarball).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

export function gitCommit(cwd = '.'): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const sha = git('rev-parse', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === '' ? sha : `${sha}-dirty`;
  } catch {
    return 'unknown'; // no git, or not a checkout
  }
}

if (import.meta.main) {
  mkdirSync('dist', { recursive: true });
  writeFileSync('dist/build-info.json', `${JSON.stringify({ commit: gitCommit() })}\n`);
}
