import { ApiException } from '@kubernetes/client-node';
import pRetry from 'p-retry';
import { MAX_TIMER_MS } from './deadline.ts';

/**
 * Retries of API reads (get, list): an overloaded API server answers 429 with Retry-After, a
 * restarting one 5xx or a reset connection, and the next attempt often succeeds. Writes (create,
 * delete) are not retried: a create whose answer was lost may have happened.
 */
export interface RetryPolicy {
  retries: number;
  minTimeout: number;
  factor: number;
  maxTimeout: number;
  maxRetryTime: number;
}

export const READ_RETRY: RetryPolicy = {
  /** Attempts after the first. */
  retries: 4,
  /** Exponential backoff 0.5 s, 1 s, 2 s, 4 s, each times a random factor in [1, 2) (jitter). */
  minTimeout: 500,
  factor: 2,
  maxTimeout: 8000,
  /** All retrying of one read stops after this; Retry-After longer than it is not waited for. */
  maxRetryTime: 30_000,
};

/** Status codes worth another try: rate limited, and the server-side failures that pass. */
const RETRIABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Connection failures that a restarting or overloaded server (or a proxy in front) causes. */
const RETRIABLE_NETWORK = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);

/** Whether a failed read (as client-node threw it) may be tried again. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof ApiException) return RETRIABLE_STATUS.has(err.code);
  const e = err as { code?: string; cause?: { code?: string } } | null;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' && RETRIABLE_NETWORK.has(code);
}

/**
 * The wait the server asked for (Retry-After: seconds, or an HTTP date), in ms; null when it
 * asked for none. `now` is for tests.
 */
export function retryAfterMs(err: unknown, now: number = Date.now()): number | null {
  if (!(err instanceof ApiException)) return null;
  const headers = (err.headers ?? {}) as Record<string, string>;
  const raw = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1]?.trim();
  if (!raw) return null;
  if (/^\d+$/.test(raw)) return Math.min(Number(raw) * 1000, MAX_TIMER_MS);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Whether to try a failed read again and how much longer than p-retry's own backoff (`backoffMs`)
 * to wait first: retriable errors only, at least the Retry-After the server asked for, and never
 * past the retry budget (a server asking for a longer pause gets its error now).
 */
export function retryDecision(err: unknown, elapsedMs: number, backoffMs: number, policy: RetryPolicy = READ_RETRY, now: number = Date.now()): { retry: boolean; extraWaitMs: number } {
  if (!isRetriable(err)) return { retry: false, extraWaitMs: 0 };
  const extraWaitMs = Math.max(0, (retryAfterMs(err, now) ?? 0) - backoffMs);
  return { retry: elapsedMs + backoffMs + extraWaitMs <= policy.maxRetryTime, extraWaitMs };
}

export interface RetryHooks {
  /** Told before each wait: the attempt that failed (1-based) and how long until the next. */
  onRetry?: (attempt: number, waitMs: number, err: unknown) => void;
  /** Stops retrying (Ctrl-C). */
  signal?: AbortSignal;
}

/** Runs a read with READ_RETRY (p-retry: exponential backoff with jitter), honouring Retry-After. */
export function retryRead<T>(read: () => Promise<T>, hooks: RetryHooks = {}, policy: RetryPolicy = READ_RETRY): Promise<T> {
  const started = performance.now();
  /** Decided once per failure in onFailedAttempt (which p-retry calls first), read in shouldRetry. */
  const decided = new WeakMap<Error, boolean>();
  return pRetry(() => read(), {
    retries: policy.retries,
    minTimeout: policy.minTimeout,
    factor: policy.factor,
    maxTimeout: policy.maxTimeout,
    maxRetryTime: policy.maxRetryTime,
    randomize: true,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    onFailedAttempt: async ({ error, attemptNumber, retryDelay, retriesLeft }) => {
      const { retry, extraWaitMs } = retryDecision(error, performance.now() - started, retryDelay, policy);
      decided.set(error, retry && retriesLeft > 0);
      if (!decided.get(error)) return;
      hooks.onRetry?.(attemptNumber, retryDelay + extraWaitMs, error);
      // The Retry-After beyond p-retry's backoff; p-retry waits the backoff itself after shouldRetry.
      if (extraWaitMs > 0) await new Promise((r) => setTimeout(r, extraWaitMs));
    },
    shouldRetry: ({ error }) => decided.get(error) === true,
  });
}
