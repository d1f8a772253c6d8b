/**
 * A fresh network namespace for loading generated rules into the kernel and dumping them back.
 * It is deleted by exact name when the callback ends, fails, or the process is interrupted.
 */
import { execFileSync } from 'node:child_process';
import { execa } from 'execa';

const MAX_OUTPUT = 2 ** 30;

export interface Netns {
  readonly name: string;
  /** Runs `argv` inside the namespace; `input` goes to its stdin. Returns stdout. */
  run(argv: readonly string[], input?: string): Promise<string>;
}

export async function withNetns<T>(fn: (ns: Netns) => Promise<T>): Promise<T> {
  const name = `netpath-bench-${process.pid}`;
  const remove = () => {
    try {
      execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    process.kill(process.pid, signal);
  };
  await execa('ip', ['netns', 'add', name]);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn({
      name,
      run: async (argv, input) => {
        const [cmd, ...args] = argv;
        const result = await execa('ip', ['netns', 'exec', name, cmd!, ...args], {
          ...(input === undefined ? {} : { input }),
          maxBuffer: MAX_OUTPUT,
          stripFinalNewline: false,
        });
        return result.stdout;
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    remove();
  }
}
