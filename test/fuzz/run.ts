/**
 * `npm run fuzz -- --minutes N [--seed S] [--target NAME-PREFIX]`: the targets of ./targets.ts for N minutes, shared
 * round-robin, with fresh seeds. Prints inputs per target and per second, and every failure
 * with the seed and path that replay it (fc.assert({ seed, path })). An input slower than
 * 10 s or a heap past 1.5 GB counts as a failure (a hang or unbounded memory).
 */
import fc from 'fast-check';
import { targets } from './targets.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const minutes = Number(arg('minutes') ?? 1);
let seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
const SLOW_MS = 10_000;
const HEAP_BYTES = 1.5e9;
const SLICE_MS = 5_000;

const only = arg('target');
const all = targets().filter((t) => !only || t.name.startsWith(only));
const stats = new Map(all.map((t) => [t.name, { inputs: 0, ms: 0, failures: 0 }]));
const end = Date.now() + minutes * 60_000;
let failures = 0;
console.log(`fuzzing ${all.length} targets for ${minutes} min, first seed ${seed}`);
while (Date.now() < end) {
  for (const t of all) {
    if (Date.now() >= end) break;
    const st = stats.get(t.name)!;
    const sliceEnd = Math.min(end, Date.now() + SLICE_MS);
    const runSeed = seed++;
    const started = Date.now();
    let ran = 0;
    const result = await fc.check(
      fc.asyncProperty(t.input, async (input) => {
        ran++;
        const t0 = Date.now();
        await t.run(input);
        const took = Date.now() - t0;
        if (took > SLOW_MS) throw new Error(`one input took ${took} ms`);
        if (process.memoryUsage().heapUsed > HEAP_BYTES) throw new Error(`heap at ${process.memoryUsage().heapUsed} bytes`);
      }),
      { seed: runSeed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: sliceEnd - Date.now(), markInterruptAsFailure: false },
    );
    st.ms += Date.now() - started;
    st.inputs += ran;
    if (result.failed) {
      failures++;
      st.failures++;
      console.log(`FAIL ${t.name} seed=${result.seed} path=${result.counterexamplePath}\n  input: ${JSON.stringify(result.counterexample)}\n  ${String((result.errorInstance as Error | undefined)?.message ?? "interrupted").split('\n').join('\n  ')}`);
    }
  }
}
let total = 0;
console.log('target                      inputs   inputs/s  failures');
for (const [name, s] of stats) {
  total += s.inputs;
  console.log(`${name.padEnd(26)} ${String(s.inputs).padStart(8)} ${(s.inputs / Math.max(s.ms / 1000, 1e-3)).toFixed(0).padStart(10)} ${String(s.failures).padStart(9)}`);
}
console.log(`total ${total} inputs, ${failures} failures`);
process.exitCode = failures ? 1 : 0;
