import { execa } from 'execa';

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs argv inside a network namespace (never through a shell); bounded by timeoutMs. */
export async function inNetns(netns: string, argv: string[], timeoutMs = 30_000): Promise<RunResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('inNetns: empty argv');
  const res = await execa('ip', ['netns', 'exec', netns, file, ...args], { reject: false, timeout: timeoutMs });
  if (res.timedOut) throw new Error(`timed out after ${timeoutMs} ms in ${netns}: ${argv.join(' ')}`);
  return { exitCode: res.exitCode ?? -1, stdout: res.stdout, stderr: res.stderr };
}

/** Like inNetns, but a non-zero exit is an error. */
export async function inNetnsOk(netns: string, argv: string[], timeoutMs = 30_000): Promise<string> {
  const res = await inNetns(netns, argv, timeoutMs);
  if (res.exitCode !== 0) {
    throw new Error(`exit ${res.exitCode} in ${netns}: ${argv.join(' ')}\n${res.stderr.trim()}`);
  }
  return res.stdout;
}
