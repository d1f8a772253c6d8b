import { Command } from 'commander';
import { buildInfo } from '../build-info.ts';
import { addGlobalOptions } from '../commands/global-options.ts';
import { register as registerCapture } from './capture.ts';
import { register as registerCleanup } from './cleanup.ts';
import { register as registerCompletion } from './completion.ts';
import { register as registerExplain } from './explain-svc.ts';
import { register as registerNode } from './node.ts';
import { register as registerTrace } from './trace.ts';
import { register as registerVersion } from './version.ts';
import { addExamples } from './examples.ts';

/**
 * The command tree: flags, help and examples only. Each action imports what it runs, so that
 * --help, --version and completion load commander and nothing heavy.
 */
export function buildProgram(): Command {
  const program = new Command('kubectl netpath')
    .usage('<command> [flags]')
    .description('Where a packet to a Kubernetes Service really goes through kube-proxy, and why.')
    .version(buildInfo().version, '--version')
    // Global flags are listed in every command's help, as kubectl does ("Global Options").
    .configureHelp({ showGlobalOptions: true, sortOptions: false })
    .configureOutput({
      // One line per usage error: commander's message plus where to look.
      outputError: (message, write) => write(`${message.trimEnd()} (see --help)\n`),
    })
    .exitOverride();
  addGlobalOptions(program);
  registerExplain(program);
  registerTrace(program);
  registerCapture(program);
  registerNode(program);
  registerCleanup(program);
  registerCompletion(program);
  registerVersion(program);
  addExamples(program, [
    'kubectl netpath explain-svc ns2/svc2 --snapshot examples/overall',
    'kubectl netpath trace svc/shop/web --from node/node-b --snapshot examples/real-local-lb',
    'kubectl netpath explain-svc shop/web                # live cluster, current context',
    'kubectl netpath help trace',
  ]);
  return program;
}
