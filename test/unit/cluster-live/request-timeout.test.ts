import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseRequestTimeout } from '../../../src/cluster/live/request-timeout.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';

test('a bare integer is seconds, as client-go ParseTimeout reads it', () => {
  assert.equal(parseRequestTimeout('0'), 0); // 0 = no timeout
  assert.equal(parseRequestTimeout('30'), 30_000);
});

test('Go durations with units', () => {
  assert.equal(parseRequestTimeout('30s'), 30_000);
  assert.equal(parseRequestTimeout('1m'), 60_000);
  assert.equal(parseRequestTimeout('2h'), 7_200_000); // 2 * 3600 * 1000
  assert.equal(parseRequestTimeout('1m30s'), 90_000); // 60 000 + 30 000
  assert.equal(parseRequestTimeout('1.5h'), 5_400_000); // 1.5 * 3 600 000
  assert.equal(parseRequestTimeout('250ms'), 250);
  assert.equal(parseRequestTimeout('0s'), 0);
  // 500us = 0.5 ms: rounded up so a tiny timeout does not turn into "none".
  assert.equal(parseRequestTimeout('500us'), 1);
});

test('malformed values are usage errors naming the flag', () => {
  for (const bad of ['', 'abc', '10x', '-1s', '1 m', 's', '-5']) {
    assert.throws(
      () => parseRequestTimeout(bad),
      (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.USAGE && e.message.startsWith('--request-timeout'),
      bad,
    );
  }
  assert.throws(() => parseRequestTimeout('x', '--exec-timeout'), /^NetpathError: --exec-timeout "x"/);
});

test('formatDuration gives the short form used in messages', () => {
  assert.equal(formatDuration(60_000), '1m');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(7_200_000), '2h');
  assert.equal(formatDuration(250), '250ms');
});
