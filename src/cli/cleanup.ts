import type { Command } from 'commander';
import { MANAGED_BY_SELECTOR } from '../cluster/nodes/debug-pod-identity.ts';
import { globalsOf } from '../commands/global-options.ts';
import { addExamples } from './examples.ts';

export function register(program: Command): void {
  const cmd = program
    .command('cleanup')
    .description(`delete netpath's debug pods (label ${MANAGED_BY_SELECTOR}) that are finished or past their deadline`)
    .option('--debug-namespace <ns>', 'namespace to clean (default: the -n / context namespace)')
    .option('-A, --all-namespaces', 'clean every namespace')
    .option('--dry-run', 'print what would be deleted, delete nothing');
  addExamples(cmd, [
    'kubectl netpath cleanup --debug-namespace kubectl-netpath        # live cluster, current context',
    'kubectl netpath cleanup -A --context prod --dry-run',
  ]);
  cmd.action(async (_opts: unknown, self: Command) => {
    const { runCleanup } = await import('../commands/cleanup.ts');
    await runCleanup(globalsOf(self) as Parameters<typeof runCleanup>[0]);
  });
}
