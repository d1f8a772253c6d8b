import type { Command } from 'commander';
import { Option } from 'commander';
import { buildInfo } from '../build-info.ts';
import { addExamples } from './examples.ts';

export function register(program: Command): void {
  const cmd = program
    .command('version')
    .description('print the version and the git commit this build was made from')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'));
  addExamples(cmd, ['kubectl netpath version', 'kubectl netpath version -o json']);
  cmd.action((opts: { output: 'text' | 'json' }) => {
    const info = buildInfo();
    process.stdout.write(opts.output === 'json' ? `${JSON.stringify(info, null, 2)}\n` : `kubectl-netpath ${info.version} (commit ${info.commit})\n`);
  });
}
