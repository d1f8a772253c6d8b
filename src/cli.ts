import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { addGlobalOptions } from './commands/global-options.ts';
import { register as registerExplain } from './commands/explain-svc.ts';
import { register as registerTrace } from './commands/trace.ts';
import { register as registerCapture } from './commands/capture.ts';
import { register as registerCleanup } from './commands/cleanup.ts';
import { register as registerNode } from './commands/node.ts';
import { DumpParseError } from './dataplane/errors.ts';
import { ExitCode, NetpathError } from './errors.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('kubectl-netpath')
    .usage('<command> [options]')
    .description('Where a packet to a Kubernetes Service really goes through kube-proxy, and why.')
    .version(pkg.version, '--version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  addGlobalOptions(program);
  registerExplain(program);
  registerTrace(program);
  registerCapture(program);
  registerCleanup(program);
  registerNode(program);
  return program;
}

/** Runs the CLI and returns the exit code; every expected failure is one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return ExitCode.OK;
  } catch (e) {
    return reportError(e, argv.includes('--verbose') || argv.includes('-v'));
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
