import fc from 'fast-check';
import { targets } from './targets.ts';
const n = Number(process.argv[2] ?? 200);
for (const t of targets()) {
  const t0 = Date.now();
  try {
    fc.assert(fc.property(t.input, (i) => t.run(i)), { numRuns: n, seed: 1 });
    console.log(t.name, 'ok', Date.now() - t0, 'ms');
  } catch (e) {
    console.log(t.name, 'FAIL', (e as Error).message.slice(0, 1500));
  }
}
