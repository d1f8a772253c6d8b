import type { Command } from 'commander';

/** kubectl's connection flags plus netpath's output and source flags, shared by every command. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  requestTimeout?: string;
  snapshot?: string;
  color: boolean;
  verbose: boolean;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--kubeconfig <path>', 'path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context to use')
    .option('--cluster <name>', 'the kubeconfig cluster to use')
    .option('--user <name>', 'the kubeconfig user to use')
    .option('-n, --namespace <ns>', "namespace for names without one (default: the context's namespace)")
    .option('--request-timeout <duration>', "API request timeout, kubectl style: '30s', '1m', '0' for none", '0')
    .option('--snapshot <dir>', 'read a snapshot bundle (directory or .tar.gz) instead of the live cluster')
    .option('--no-color', 'never colour the output (NO_COLOR and FORCE_COLOR are honoured too)')
    .option('-v, --verbose', 'print progress details on stderr', false);
}

/** Global options as commander parsed them, for a subcommand's action. */
export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}
