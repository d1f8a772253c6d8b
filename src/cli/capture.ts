import { Option } from 'commander';
import type { Command } from 'commander';
import { addNodeAccessOptions } from '../cluster/live/node-access-options.ts';
import { globalsOf } from '../commands/global-options.ts';
import { addExamples } from './examples.ts';

export function register(program: Command): void {
  const cmd = program
    .command('capture')
    .argument('[service]', 'service to capture, [NS/]NAME')
    .description('write a snapshot bundle (contract 1) of a live cluster: API objects and node dumps')
    .option('--output-dir <dir>', 'write the bundle into this new directory')
    .option('-f, --file <file.tar.gz>', 'write the bundle as this .tar.gz / .tgz file')
    // -o is an output format everywhere; capture used to take the bundle path there.
    .addOption(new Option('-o, --output <value>').hideHelp())
    .option('--all-services', 'capture every service in every namespace (and every node)')
    .option('--all-nodes', 'read every node, not only those the service needs')
    .option('--redact', 'leave out annotations, owner labels, pod details and foreign rule comments; pod names become pseudonyms (SECURITY.md)');
  addNodeAccessOptions(cmd);
  addExamples(cmd, [
    'kubectl netpath capture shop/web --output-dir incident-42/         # live cluster, current context',
    'kubectl netpath capture web -n shop -f incident-42.tar.gz --all-nodes',
    'kubectl netpath capture --all-services -f cluster.tgz',
    'kubectl netpath explain-svc shop/web --snapshot incident-42/       # later, anywhere, offline',
  ]);
  cmd.action(async (service: string | undefined, _opts: unknown, self: Command) => {
    const { runCapture } = await import('../commands/capture.ts');
    await runCapture(service, globalsOf(self) as Parameters<typeof runCapture>[1]);
  });
}
