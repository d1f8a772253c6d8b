import { Option } from 'commander';
import type { Command } from 'commander';
import { addNodeAccessOptions } from '../cluster/live/node-access-options.ts';
import { globalsOf } from '../commands/global-options.ts';
import { addExamples } from './examples.ts';

export function register(program: Command): void {
  const cmd = program
    .command('node')
    .argument('[node...]', 'nodes to report on (default: every node)')
    .description("each node's dataplane now: kube-proxy mode, version and last sync, rule counts, iptables backends, conntrack fill and drops")
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'));
  addNodeAccessOptions(cmd);
  addExamples(cmd, [
    'kubectl netpath node node-a --snapshot examples/real-kernel',
    'kubectl netpath node -o json                 # live cluster, every node',
  ]);
  cmd.action(async (names: string[], _opts: unknown, self: Command) => {
    const { runNode } = await import('../commands/node.ts');
    await runNode(names, globalsOf(self) as Parameters<typeof runNode>[1]);
  });
}
