import { usageError } from '../../errors.ts';
import { MAX_TIMER_MS } from './deadline.ts';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * `--request-timeout` as kubectl reads it (client-go clientcmd.ParseTimeout): a bare non-negative
 * integer is seconds, anything else is a Go duration ('30s', '1m30s', '1.5h', '250ms').
 * Returns milliseconds, rounded up so that a tiny timeout never becomes "none"; 0 means no timeout.
 * Values a timer cannot hold (2^31 ms, about 24.8 days, or more) are refused: they would fire at once.
 */
export function parseRequestTimeout(raw: string, flag = '--request-timeout'): number {
  const ms = parseDuration(raw, flag);
  if (ms > MAX_TIMER_MS) {
    throw usageError(`${flag} ${JSON.stringify(raw)}: must be at most ${formatDuration(Math.floor(MAX_TIMER_MS / 1000) * 1000)} (a timer holds less than 2^31 ms)`);
  }
  return ms;
}

function parseDuration(raw: string, flag: string): number {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const whole = /^\+?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
  if (!whole.test(text)) {
    throw usageError(
      `${flag} ${JSON.stringify(raw)}: must be a single integer in seconds, or an integer followed by a unit (e.g. 1s | 2m | 3h)`,
    );
  }
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  }
  return ms === 0 ? 0 : Math.ceil(ms);
}

/** Milliseconds back to the short form used in messages ('30s', '1m30s', '250ms'). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${sec || (!h && !m) ? `${sec}s` : ''}`;
}
