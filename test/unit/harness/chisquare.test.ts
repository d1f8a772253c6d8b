import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareForShares, chiSquareTest, lnGamma, regularizedGammaQ } from '../../harness/chisquare.ts';

const close = (actual: number, expected: number, rel = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} != ${expected}`);

test('lnGamma matches factorials and Gamma(1/2) = sqrt(pi)', () => {
  assert.ok(Math.abs(lnGamma(1)) < 1e-14); // ln 0! = 0
  close(lnGamma(5), Math.log(24)); // 4! = 24
  close(lnGamma(11), Math.log(3628800)); // 10! = 3628800
  close(lnGamma(0.5), 0.5 * Math.log(Math.PI));
});

test('three equal shares, df 2: Q(1, x/2) = exp(-x/2)', () => {
  // N = 60, expected 20 each: (10-20)^2/20 + 0 + (30-20)^2/20 = 5 + 0 + 5 = 10; p = e^-5.
  const r = chiSquareTest([10, 20, 30], [1 / 3, 1 / 3, 1 / 3]);
  close(r.statistic, 10);
  assert.equal(r.degreesOfFreedom, 2);
  close(r.pValue, 0.006737946999085467); // e^-5 (continued-fraction branch: x = 5 >= a + 1 = 2)
});

test('unequal shares, df 2, series branch', () => {
  // N = 100, expected 50, 25, 25: 0 + 5^2/25 + 5^2/25 = 2; p = e^-1.
  const r = chiSquareTest([50, 30, 20], [0.5, 0.25, 0.25]);
  close(r.statistic, 2);
  close(r.pValue, 0.36787944117144233); // e^-1 (series branch: x = 1 < a + 1 = 2)
});

test('two shares, df 1: p = erfc(sqrt(x/2))', () => {
  // N = 100, expected 50 each: 10^2/50 + 10^2/50 = 4; p = erfc(sqrt 2) = 0.0455002638963584.
  const r = chiSquareTest([60, 40], [0.5, 0.5]);
  close(r.statistic, 4);
  assert.equal(r.degreesOfFreedom, 1);
  close(r.pValue, 0.0455002638963584, 1e-9);
});

test('five shares, df 4: Q(2, y) = e^-y (1 + y)', () => {
  // N = 100, expected 20 each: (30-20)^2/20 + 0 + 0 + 0 + (10-20)^2/20 = 10; y = 5; p = 6 e^-5.
  const r = chiSquareTest([30, 20, 20, 20, 10], [0.2, 0.2, 0.2, 0.2, 0.2]);
  close(r.statistic, 10);
  assert.equal(r.degreesOfFreedom, 4);
  close(r.pValue, 6 * Math.exp(-5));
});

test('df 3 at the 5% critical value of the chi-square table (7.814727903251178)', () => {
  close(regularizedGammaQ(1.5, 7.814727903251178 / 2), 0.05, 1e-9);
});

test('far tail stays relative-accurate: df 2, x = 40 -> e^-20', () => {
  close(regularizedGammaQ(1, 20), Math.exp(-20), 1e-9);
});

test('a perfect fit has statistic 0 and p 1', () => {
  const r = chiSquareTest([100, 100, 100], [1 / 3, 1 / 3, 1 / 3]);
  assert.equal(r.statistic, 0);
  assert.equal(r.pValue, 1);
});

test('a category predicted at 0 adds no degree of freedom; observing it gives p 0', () => {
  const fine = chiSquareTest([50, 50, 0], [0.5, 0.5, 0]);
  assert.equal(fine.degreesOfFreedom, 1);
  assert.equal(fine.pValue, 1);
  assert.equal(chiSquareTest([50, 49, 1], [0.5, 0.5, 0]).pValue, 0);
});

test('named shares: an unpredicted pod is reported and fails the test', () => {
  const r = chiSquareForShares({ 'ns/a': 40, 'ns/b': 40, 'ns/x': 1 }, { 'ns/a': 0.5, 'ns/b': 0.5 });
  assert.deepEqual(r.unexpected, ['ns/x']);
  assert.equal(r.pValue, 0);
  // A predicted pod that never answered still counts: 0 vs 25 expected of 50 -> 25 + 25 = 50.
  const missing = chiSquareForShares({ 'ns/a': 50 }, { 'ns/a': 0.5, 'ns/b': 0.5 });
  close(missing.statistic, 50);
});

test('rejects probabilities that do not sum to 1', () => {
  assert.throws(() => chiSquareTest([1, 2], [0.5, 0.6]), /sum to 1/);
});
