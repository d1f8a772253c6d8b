/**
 * A short fuzz run in the unit suite (fixed seed, so a failure reproduces): every parser and
 * walker on damaged real dumps must end in a typed error or in walks whose probabilities sum
 * to 1. `npm run fuzz -- --minutes N` runs the same targets for longer with fresh seeds.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { targets } from '../../fuzz/targets.ts';

const RUNS = 150;

for (const target of targets()) {
  // A bundle input is a directory copy and a whole explain run: fewer of them, as of other costly inputs.
  const runs = target.name.startsWith('bundle') || target.costly ? RUNS / 3 : RUNS;
  test(`fuzz ${target.name}: ${runs} damaged inputs, only typed errors`, async () => {
    await fc.assert(fc.asyncProperty(target.input, async (input) => target.run(input)), { numRuns: runs, seed: 13 });
  });
}
