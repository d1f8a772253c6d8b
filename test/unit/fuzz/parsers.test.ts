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
  test(`fuzz ${target.name}: ${RUNS} damaged dumps, only typed errors`, () => {
    fc.assert(fc.property(target.input, (input) => target.run(input)), { numRuns: RUNS, seed: 13 });
  });
}
