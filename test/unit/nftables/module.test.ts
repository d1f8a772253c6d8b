/** The nftables DataplaneModule: which node files it needs, how it recognises them, what load() returns. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DumpParseError } from '../../../src/dataplane/errors.ts';
import { nftablesModule } from '../../../src/dataplane/nftables/index.ts';
import { localFixture, packet, sharedFixture, summary } from './helpers.ts';

const files = (entries: Record<string, string>) => new Map(Object.entries(entries));
const nft = sharedFixture('nft-json-TestOverallNFTablesRules.json');

test('declares nft.json as its only file', () => {
  assert.equal(nftablesModule.mode, 'nftables');
  assert.deepEqual(nftablesModule.requiredFiles, ['nft.json']);
  assert.deepEqual(nftablesModule.optionalFiles, ['nft.txt']);
});

test('detect: an nft.json holding a kube-proxy table, damaged or not', () => {
  assert.equal(nftablesModule.detect(files({ 'nft.json': nft })), true);
  assert.equal(nftablesModule.detect(files({ 'iptables-save.txt': sharedFixture('iptables-TestOverallIPTablesRules.txt') })), false);
  // Only a user's table: not kube-proxy's nftables mode.
  assert.equal(nftablesModule.detect(files({ 'nft.json': localFixture('nft-json-netpath-unknown.json') })), false);
  // Truncated, but the kube-proxy table is there: detected, so that load() reports the damage.
  assert.equal(nftablesModule.detect(files({ 'nft.json': nft.slice(0, 2000) })), true);
});

test('load: a walker over nft.json, or the parse error', () => {
  const walker = nftablesModule.load(files({ 'nft.json': nft }));
  assert.equal(walker.mode, 'nftables');
  const os = walker.walk(packet('192.168.0.2', '172.30.0.41', 80, 'output'), { localAddresses: ['192.168.0.2'] });
  assert.deepEqual(summary(os), [['DNAT', 1, '10.180.0.1', 80, true]]);
  assert.ok(os[0]!.steps.every((s) => s.file === 'nft.json' && s.line === null && typeof s.handle === 'number' || s.chain.startsWith('map ')));
  assert.deepEqual(walker.notices(), []);
  assert.throws(() => nftablesModule.load(files({ 'nft.json': nft.slice(0, 2000) })), DumpParseError);
  assert.throws(() => nftablesModule.load(files({})), /nft\.json: file missing/);
});
