import ora from 'ora';
import type { Ora } from 'ora';

/** Progress of node reads on stderr: a spinner on a terminal, plain lines with --verbose elsewhere. */
export interface Progress {
  /** A detail line (shown with --verbose). */
  log(message: string): void;
  /** Always shown: something the answer is missing. */
  warn(message: string): void;
  /** The spinner's text (terminal only). */
  status(text: string): void;
  stop(): void;
}

export function stderrProgress(verbose: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  let spinner: Ora | null = null;
  const line = (text: string) => {
    spinner?.clear();
    stream.write(`${text}\n`);
    spinner?.render();
  };
  return {
    log: (message) => {
      if (verbose) line(`netpath: ${message}`);
    },
    warn: (message) => line(`netpath: warning: ${message}`),
    status: (text) => {
      if (!stream.isTTY) return;
      // discardStdin would put stdin in raw mode and turn Ctrl-C into a keypress; keep SIGINT.
      spinner ??= ora({ stream, discardStdin: false }).start();
      spinner.text = text;
    },
    stop: () => {
      spinner?.stop();
      spinner = null;
    },
  };
}

/** For tests and quiet callers. */
export const silentProgress: Progress = { log: () => {}, warn: () => {}, status: () => {}, stop: () => {} };
