import type { Command } from 'commander';
import { MANAGED_BY_SELECTOR } from '../cluster/nodes/debug-pod.ts';
import { globalsOf } from '../commands/global-options.ts';
import { addExamples } from './examples.ts';

export function register(program: Command): void {
  const cmd = program
    .command('cleanup')
    .description(`delete debug pods netpath left behind (label ${MANAGED_BY_SELECTOR})`)
    .option('--debug-namespace <ns>', 'namespace to clean (default: the -n / context namespace)')
    .option('-A, --all-namespaces', 'clean every namespace');
  addExamples(cmd, [
    'kubectl netpath cleanup --debug-namespace kubectl-netpath        # live cluster, current context',
    'kubectl netpath cleanup -A --context prod',
  ]);
  cmd.action(async (_opts: unknown, self: Command) => {
    const { runCleanup } = await import('../commands/cleanup.ts');
    await runCleanup(globalsOf(self) as Parameters<typeof runCleanup>[0]);
  });
}
