import type { Ora } from 'ora';

/** Progress of node reads on stderr: a spinner on a terminal, plain lines with --verbose elsewhere. */
export interface Progress {
  /** A detail line (shown with --verbose). */
  log(message: string): void;
  /** Always shown: something the answer is missing. */
  warn(message: string): void;
  /** The spinner's text (terminal only), or a plain line where a spinner cannot work. */
  status(text: string): void;
  stop(): void;
}

/**
 * Whether a spinner can work on `stream`: a terminal that can move the cursor and is wide enough
 * for a frame and a word. With 0 columns (some CI wrappers, `script`) ora's line arithmetic never
 * ends; TERM=dumb cannot erase a line; NO_COLOR users asked for plain output; CI logs keep lines.
 */
export function spinnerFits(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!stream.isTTY) return false;
  if (env.TERM === 'dumb' || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.CI) return false;
  return typeof stream.columns === 'number' && stream.columns >= 20;
}

type OraFactory = typeof import('ora').default;
let oraFactory: OraFactory | null = null;

/**
 * stderrProgress with ora loaded first when a spinner will be shown, so that its first text is
 * drawn at once even when a synchronous parse follows (an offline run on a large dump).
 */
export async function stderrProgressReady(verbose: boolean, stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): Promise<Progress> {
  if (spinnerFits(stream, env)) oraFactory ??= (await import('ora')).default;
  return stderrProgress(verbose, stream, env);
}

/**
 * Where the spinner cannot work, each status text is one plain line (once per distinct text) on a
 * terminal or with --verbose, so a long parse still says what it does. ora is loaded only when a
 * spinner can be shown; stop() ends its timer, and no signal handler of its own is installed
 * (hideCursor: false), so exit and SIGTERM are never delayed by it.
 */
export function stderrProgress(verbose: boolean, stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): Progress {
  const fancy = spinnerFits(stream, env);
  let spinner: Ora | null = null;
  let lastPlain = '';
  let wanted: string | null = null;
  const line = (text: string) => {
    spinner?.clear();
    stream.write(`${text}\n`);
    spinner?.render();
  };
  const show = (ora: OraFactory) => {
    if (wanted === null) return; // stopped meanwhile
    // discardStdin would put stdin in raw mode and turn Ctrl-C into a keypress; keep SIGINT.
    spinner ??= ora({ stream, discardStdin: false, hideCursor: false }).start();
    spinner.text = wanted;
    // A synchronous parse may block the event loop next: draw the text now, not on the next tick.
    spinner.render();
  };
  return {
    log: (message) => {
      if (verbose) line(`netpath: ${message}`);
    },
    warn: (message) => line(`netpath: warning: ${message}`),
    status: (text) => {
      if (!fancy) {
        // A pipe gets the answer, not chatter, unless --verbose.
        if ((stream.isTTY || verbose) && text !== lastPlain) stream.write(`netpath: ${text}\n`);
        lastPlain = text;
        return;
      }
      wanted = text;
      if (oraFactory) show(oraFactory);
      else
        void import('ora').then((m) => {
          oraFactory ??= m.default;
          show(oraFactory);
        });
    },
    stop: () => {
      wanted = null;
      spinner?.stop();
      spinner = null;
    },
  };
}

/** For tests and quiet callers. */
export const silentProgress: Progress = { log: () => {}, warn: () => {}, status: () => {}, stop: () => {} };
