import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { READ_RETRY, isRetriable, retryAfterMs, retryDecision, retryRead } from '../../../src/cluster/live/retry-policy.ts';
import type { RetryPolicy } from '../../../src/cluster/live/retry-policy.ts';

const status = (code: number, headers: Record<string, string> = {}) => new ApiException(code, `HTTP ${code}`, '', headers);
const network = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

test('retriable: 429, 500, 502, 503, 504 and reset connections; not 4xx answers or refused connections', () => {
  for (const code of [429, 500, 502, 503, 504]) assert.equal(isRetriable(status(code)), true, String(code));
  for (const code of [400, 401, 403, 404, 409, 422, 501]) assert.equal(isRetriable(status(code)), false, String(code));
  assert.equal(isRetriable(network('ECONNRESET')), true);
  assert.equal(isRetriable(network('UND_ERR_SOCKET')), true);
  assert.equal(isRetriable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true);
  // A server that is not there at all: retrying only delays the one-line answer.
  assert.equal(isRetriable(network('ECONNREFUSED')), false);
  assert.equal(isRetriable(new Error('something else')), false);
});

test('Retry-After: seconds, or an HTTP date relative to now; absent or unreadable is null', () => {
  assert.equal(retryAfterMs(status(429, { 'retry-after': '3' })), 3000);
  assert.equal(retryAfterMs(status(429, { 'Retry-After': ' 0 ' })), 0);
  const now = Date.parse('Fri, 04 Dec 2026 02:00:00 GMT');
  assert.equal(retryAfterMs(status(503, { 'retry-after': 'Fri, 04 Dec 2026 02:00:07 GMT' }), now), 7000);
  assert.equal(retryAfterMs(status(503, { 'retry-after': 'Fri, 04 Dec 2026 01:59:00 GMT' }), now), 0); // in the past
  assert.equal(retryAfterMs(status(429)), null);
  assert.equal(retryAfterMs(status(429, { 'retry-after': 'soon' })), null);
  assert.equal(retryAfterMs(network('ECONNRESET')), null);
});

test('decision: wait at least Retry-After, never past the retry budget', () => {
  // backoff 500 ms, server asks 3 s: wait 2 500 ms more; 0 + 500 + 2 500 = 3 000 <= 30 000
  assert.deepEqual(retryDecision(status(429, { 'retry-after': '3' }), 0, 500), { retry: true, extraWaitMs: 2500 });
  // backoff longer than Retry-After: nothing extra
  assert.deepEqual(retryDecision(status(429, { 'retry-after': '1' }), 0, 4000), { retry: true, extraWaitMs: 0 });
  // 25 000 elapsed + 1 000 backoff + 9 000 extra = 35 000 > 30 000: give up now
  assert.deepEqual(retryDecision(status(429, { 'retry-after': '10' }), 25_000, 1000), { retry: false, extraWaitMs: 9000 });
  // a server asking for an hour is not waited for
  assert.equal(retryDecision(status(503, { 'retry-after': '3600' }), 0, 500).retry, false);
  assert.equal(retryDecision(status(403), 0, 500).retry, false);
  assert.equal(READ_RETRY.maxRetryTime, 30_000);
});

const fast: RetryPolicy = { retries: 4, minTimeout: 1, factor: 2, maxTimeout: 4, maxRetryTime: 5000 };

test('retryRead: succeeds after transient failures, telling each retry', async () => {
  const failures = [status(503), network('ECONNRESET'), status(429, { 'retry-after': '0' })];
  let calls = 0;
  const told: number[] = [];
  const got = await retryRead(
    async () => {
      calls++;
      const f = failures.shift();
      if (f) throw f;
      return 'ok';
    },
    { onRetry: (attempt) => told.push(attempt) },
    fast,
  );
  assert.equal(got, 'ok');
  assert.equal(calls, 4); // 3 failures + the success
  assert.deepEqual(told, [1, 2, 3]);
});

test('retryRead: a non-retriable error is thrown at once; retries end after the budget of attempts', async () => {
  let calls = 0;
  await assert.rejects(retryRead(async () => { calls++; throw status(403); }, {}, fast), (e: unknown) => e instanceof ApiException && e.code === 403);
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(retryRead(async () => { calls++; throw status(500); }, {}, fast), (e: unknown) => e instanceof ApiException && e.code === 500);
  assert.equal(calls, 5); // the first attempt + 4 retries
});

test('retryRead: Retry-After is honoured (the wait is at least what the server asked)', async () => {
  let calls = 0;
  const t0 = performance.now();
  await retryRead(async () => {
    if (calls++ === 0) throw status(429, { 'retry-after': '1' });
    return 'ok';
  }, {}, fast);
  // Backoff alone would be at most 4 ms (maxTimeout): the 1 s comes from Retry-After.
  assert.ok(performance.now() - t0 >= 990, `${performance.now() - t0} ms`);
});
