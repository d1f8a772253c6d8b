// Shared by the executables in bin/. It must parse and run on any Node: the check comes before
// anything that needs a newer one is loaded (static imports are hoisted, so the CLI is imported
// dynamically, only once the version is known to be enough).
import { readFileSync } from 'node:fs';
import module from 'node:module';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const needed = pkg.engines.node; // ">=MAJOR.MINOR"
const [wantMajor, wantMinor] = needed.replace(/^>=\s*/, '').split('.').map(Number);
const [major, minor] = process.versions.node.split('.').map(Number);

/** Runs the CLI with `args`, after the engine check; sets the exit code. */
export async function launch(args) {
  if (major < wantMajor || (major === wantMajor && minor < wantMinor)) {
    process.stderr.write(
      `error: kubectl-netpath needs Node ${needed} (this is Node ${process.versions.node} at ${process.execPath}); install a newer Node or use a release binary\n`,
    );
    process.exit(2);
  }
  // V8's compiled code is cached between runs (in the OS temp dir): a plugin must start fast.
  module.enableCompileCache?.();
  process.stdout.on('error', (e) => {
    // A closed pipe (`| head`) is not a failure of ours.
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const { main } = await import('../dist/cli.js');
  process.exitCode = await main([process.argv[0], process.argv[1], ...args]);
}
