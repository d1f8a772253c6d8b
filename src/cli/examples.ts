import type { Command } from 'commander';

/**
 * Adds an Examples section to a command's --help. Examples with --snapshot name bundles under
 * examples/ and are run by a test (test/unit/cli/help.test.ts), so they stay true.
 */
export function addExamples(cmd: Command, examples: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}\n`);
}
