import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_REQUEST_TIMEOUT_MS, MAX_TIMER_MS, requestBoundMs, withDeadline } from '../../../src/cluster/live/deadline.ts';
import { nodeAccessOf } from '../../../src/cluster/live/node-access-options.ts';
import { parseRequestTimeout } from '../../../src/cluster/live/request-timeout.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';

test('every request is bounded: --request-timeout, or 1m when it is 0 (kubectl\'s "none")', () => {
  assert.equal(requestBoundMs(0), DEFAULT_REQUEST_TIMEOUT_MS);
  assert.equal(DEFAULT_REQUEST_TIMEOUT_MS, 60_000);
  assert.equal(requestBoundMs(5000), 5000);
});

test('withDeadline: the work, or the timeout error when the work is slower', async () => {
  assert.equal(await withDeadline(1000, Promise.resolve(7), () => new Error('late')), 7);
  const never = new Promise<number>(() => {});
  await assert.rejects(withDeadline(20, never, () => new Error('late')), /^Error: late$/);
  // A deadline larger than a timer holds is clamped, not fired at once.
  let fired = false;
  const p = withDeadline(2 ** 40, new Promise<number>((r) => setTimeout(() => r(1), 30)), () => {
    fired = true;
    return new Error('fired at once');
  });
  assert.equal(await p, 1);
  assert.equal(fired, false);
});

test('durations a timer cannot hold are usage errors (exit 2) with one line', () => {
  // 2^31 - 1 = 2 147 483 647 ms is the largest; 2^31 ms fired every exec at once before.
  assert.equal(parseRequestTimeout('2147483647ms', '--exec-timeout'), MAX_TIMER_MS);
  for (const raw of ['2147483648ms', '600h', '99999999999']) {
    assert.throws(
      () => nodeAccessOf({ execTimeout: raw }),
      (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.USAGE && e.message === `--exec-timeout ${JSON.stringify(raw)}: must be at most 596h31m23s (a timer holds less than 2^31 ms)`,
      raw,
    );
  }
  assert.throws(() => nodeAccessOf({ podRunningTimeout: '1000h' }), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.USAGE && /^--pod-running-timeout "1000h": must be at most/.test(e.message));
  assert.throws(() => parseRequestTimeout('9999h'), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.USAGE && /^--request-timeout "9999h"/.test(e.message));
  assert.throws(() => nodeAccessOf({ execTimeout: '0' }), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.USAGE);
});
