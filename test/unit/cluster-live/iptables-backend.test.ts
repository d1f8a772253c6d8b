import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectIptablesBackend } from '../../../src/cluster/nodes/iptables-backend.ts';

// Real saves from a network namespace; see fixtures/backend-fixtures.md.
const fixture = (scenario: string, backend: 'legacy' | 'nft') =>
  readFileSync(new URL(`./fixtures/backend-${scenario}.${backend}-save.txt`, import.meta.url), 'utf8');

test('kubelet hint chains in the nft backend pick nft', () => {
  const choice = detectIptablesBackend(fixture('nft-hint', 'legacy'), fixture('nft-hint', 'nft'));
  assert.equal(choice.backend, 'nft');
  assert.match(choice.reason, /hint chain/);
});

test('kubelet hint chains in the legacy backend pick legacy', () => {
  const choice = detectIptablesBackend(fixture('legacy-hint', 'legacy'), fixture('legacy-hint', 'nft'));
  assert.equal(choice.backend, 'legacy');
  assert.match(choice.reason, /iptables-legacy-save/);
});

test('without hints, KUBE- rule lines decide: kube-proxy in legacy beats Docker rules in nft', () => {
  // legacy: 4 rule lines, all mentioning KUBE- (PREROUTING jump, SERVICES, SVC, SEP).
  // nft: 6 rule lines, none mentioning KUBE-. Counting every rule line (as the wrapper does) would
  // pick nft, 6 > 4; counting kube-proxy's lines picks legacy, 4 > 0.
  const choice = detectIptablesBackend(fixture('legacy-rules-nft-docker', 'legacy'), fixture('legacy-rules-nft-docker', 'nft'));
  assert.equal(choice.backend, 'legacy');
  assert.equal(choice.reason, 'no hint chain; 4 KUBE- rule lines in legacy vs 0 in nft');
});

test('empty backends fall back to nft, as iptables-wrappers does', () => {
  assert.equal(detectIptablesBackend(fixture('empty', 'legacy'), fixture('empty', 'nft')).backend, 'nft');
});

test('a missing variant (null) counts as empty', () => {
  assert.equal(detectIptablesBackend(fixture('legacy-hint', 'legacy'), null).backend, 'legacy');
  assert.equal(detectIptablesBackend(null, fixture('nft-hint', 'nft')).backend, 'nft');
  // Only legacy rules, no hint, no nft binary: 4 > 0.
  assert.equal(detectIptablesBackend(fixture('legacy-rules-nft-docker', 'legacy'), null).backend, 'legacy');
});
