// Entry point of the release bundle (scripts/release/build.ts): what bin/kubectl-netpath does, in
// a form esbuild can bundle as CommonJS, the only format Node 24's single executables run.
import { main } from '../../src/cli.ts';

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  // A closed pipe (`| head`) is not a failure of ours.
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
void main(process.argv).then((code) => {
  process.exitCode = code;
});
