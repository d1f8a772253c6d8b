/** Repeated timing with a run count and a time budget, and the summary the report prints. */

export interface Summary {
  unit: 'ms' | 'us';
  n: number;
  median: number;
  min: number;
  max: number;
}

export interface SampleOptions {
  /** Runs wanted after the warm-up run (which is not reported). */
  runs: number;
  /** Stop early once this much time went into the reported runs, but never below three runs. */
  budgetMs: number;
  /**
   * False: no warm-up, the single cold run is the figure. Peak RSS is the process's lifetime
   * maximum, so only a process that ran once says what one netpath run takes.
   */
  warmup?: boolean;
}

/** Times `fn` (milliseconds per call); returns the samples and the last result, kept alive for heap figures. */
export async function sample<T>(fn: () => T | Promise<T>, opts: SampleOptions, after?: () => void): Promise<{ ms: number[]; last: T }> {
  if (opts.warmup === false) {
    const t0 = performance.now();
    const last = await fn();
    const ms = [performance.now() - t0];
    after?.();
    return { ms, last };
  }
  let last = await fn();
  after?.();
  const ms: number[] = [];
  let spent = 0;
  while (ms.length < opts.runs && (spent < opts.budgetMs || ms.length < 3)) {
    const t0 = performance.now();
    last = await fn();
    const dt = performance.now() - t0;
    ms.push(dt);
    spent += dt;
    after?.();
  }
  return { ms, last };
}

export function summarize(ms: readonly number[], unit: Summary['unit']): Summary {
  const scale = unit === 'us' ? 1000 : 1;
  const v = ms.map((x) => x * scale).sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { unit, n: v.length, median, min: v[0]!, max: v.at(-1)! };
}
