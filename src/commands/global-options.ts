import { Option } from 'commander';
import type { Command } from 'commander';
import { usageError } from '../errors.ts';

/** kubectl's connection flags plus netpath's output and source flags, shared by every command. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  token?: string;
  as?: string;
  asGroup?: string[];
  requestTimeout?: string;
  snapshot?: string;
  color: boolean;
  /** --verbose, -v, or kubectl's -v=N with N >= 1. */
  verbose: boolean;
  /** kubectl's log level (-v=N / --v=N), as typed. */
  v?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--snapshot <dir>', 'read a snapshot bundle (directory or .tar.gz) instead of the live cluster')
    .option('-n, --namespace <ns>', "namespace for names without one (default: the context's namespace)")
    .option('--kubeconfig <path>', 'path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context to use')
    .option('--cluster <name>', 'the kubeconfig cluster to use')
    .option('--user <name>', 'the kubeconfig user to use')
    .option('-s, --server <url>', 'the address and port of the Kubernetes API server')
    .option('--token <token>', 'bearer token for authentication to the API server')
    .option('--as <user>', 'username to impersonate for the operation (user or service account)')
    .option('--as-group <group>', 'group to impersonate for the operation', collect)
    .option('--request-timeout <duration>', "API request timeout, kubectl style: '30s', '1m', '0' for none", '0')
    .option('--no-color', 'never colour the output (NO_COLOR and FORCE_COLOR are honoured too)')
    .option('-v, --verbose', "print progress details on stderr (kubectl's -v=N with N >= 1 does the same)")
    .addOption(new Option('--v <level>', "kubectl's log level; -v=N is read as --v=N").hideHelp());
}

/** kubectl spells its log level `-v=N`; commander would read that as -v followed by `-=N`. */
export function normalizeVerbosity(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '--') return [...out, ...args.slice(out.length)];
    const m = /^-v=(.*)$/.exec(arg);
    out.push(m ? `--v=${m[1]}` : arg);
  }
  return out;
}

/** Global options as commander parsed them, validated, for a subcommand's action. */
export function globalsOf(cmd: Command): GlobalOptions {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  if (opts.v !== undefined && !/^\d+$/.test(opts.v)) throw usageError(`-v=${opts.v}: expected a log level, a whole number as kubectl's -v=N`);
  return { ...opts, verbose: !!opts.verbose || Number(opts.v ?? 0) >= 1 };
}
