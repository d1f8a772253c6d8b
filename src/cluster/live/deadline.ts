import { ExitCode, NetpathError } from '../../errors.ts';

/**
 * Node's timers hold a signed 32-bit millisecond count: a longer delay fires at once (with a
 * warning), which would turn a generous timeout into an immediate one. Flags are refused past it
 * and computed sums are clamped to it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Bound for each API request when --request-timeout is 0 (kubectl's "none"): netpath runs during
 * incidents, against overloaded API servers, and must not wait forever on one of them.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** The bound of each API request: --request-timeout, or DEFAULT_REQUEST_TIMEOUT_MS for 0. */
export const requestBoundMs = (requestTimeoutMs: number) => (requestTimeoutMs > 0 ? requestTimeoutMs : DEFAULT_REQUEST_TIMEOUT_MS);

/**
 * Settles with `work` or rejects with `onTimeout()` after `ms`, whichever comes first. The work
 * itself is not cancelled (it is bounded by its own request or exec timeout); the caller moves on.
 */
export function withDeadline<T>(ms: number, work: Promise<T>, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.min(Math.max(ms, 0), MAX_TIMER_MS));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Sleeps `ms` (clamped to what a timer holds). */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(Math.max(ms, 0), MAX_TIMER_MS)));

/** What a run that was told to stop (Ctrl-C, SIGTERM) says when asked to start something new. */
export const interrupted = (what: string) => new NetpathError(ExitCode.INTERRUPTED, `interrupted: ${what} not started`);
