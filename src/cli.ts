import { CommanderError } from 'commander';
import { buildProgram } from './cli/program.ts';
import { normalizeVerbosity } from './commands/global-options.ts';
import { DumpParseError } from './dataplane/errors.ts';
import { ExitCode, NetpathError } from './errors.ts';

/** Runs the CLI and returns the exit code; every expected failure is one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const [node = '', script = '', ...args] = argv;
  if (args[0] === '__complete') {
    // Cobra's protocol, as kubectl calls it through bin/kubectl_complete-netpath.
    const { complete } = await import('./cli/complete.ts');
    return complete(buildProgram(), args.slice(1), (s) => process.stdout.write(s));
  }
  const program = buildProgram();
  try {
    await program.parseAsync([node, script, ...normalizeVerbosity(args)]);
    return ExitCode.OK;
  } catch (e) {
    return reportError(e, args.includes('--verbose') || args.includes('-v') || args.some((a) => /^--?v=[1-9]/.test(a)));
  }
}

function reportError(e: unknown, verbose: boolean): number {
  if (e instanceof CommanderError) {
    // commander already printed its message; help and version are not errors.
    return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  if (e instanceof NetpathError) {
    process.stderr.write(`error: ${e.message}\n`);
    return e.exitCode;
  }
  if (e instanceof DumpParseError) {
    process.stderr.write(`error: ${e.message}\n`);
    return ExitCode.BAD_INPUT;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`error: internal: ${err.message}${verbose ? `\n${err.stack}` : ' (run with --verbose for details)'}\n`);
  return ExitCode.INTERNAL;
}
