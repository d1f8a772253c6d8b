import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DumpParseError } from '../../../src/dataplane/errors.ts';
import { iptablesModule } from '../../../src/dataplane/iptables/index.ts';
import { readFixture, tcp } from './helpers.ts';

const files = (text: string) => new Map([['iptables-save.txt', text]]);

test('module shape', () => {
  assert.equal(iptablesModule.mode, 'iptables');
  assert.deepEqual(iptablesModule.requiredFiles, ['iptables-save.txt']);
  assert.deepEqual(iptablesModule.optionalFiles, []);
});

test('detect: a nat table holding KUBE-SERVICES', () => {
  assert.equal(iptablesModule.detect(files(readFixture('iptables-save-kernel-TestOverallIPTablesRules.txt'))), true);
  assert.equal(iptablesModule.detect(files(readFixture('iptables-legacy-save-c-three-endpoints.txt'))), true);
  // Taken with the wrong backend: only kubelet's canary in mangle.
  assert.equal(iptablesModule.detect(files(readFixture('iptables-nft-save-legacy-warning.txt'))), false);
  // KUBE-SERVICES in filter only is not kube-proxy's nat dispatch.
  assert.equal(iptablesModule.detect(files('*filter\n:KUBE-SERVICES - [0:0]\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n')), false);
  assert.equal(iptablesModule.detect(new Map()), false);
});

test('load: a Walker in iptables mode, its walks, and its notices', () => {
  const walker = iptablesModule.load(files(readFixture('iptables-save-kernel-three-endpoints.txt')));
  assert.equal(walker.mode, 'iptables');
  const os = walker.walk(tcp('10.0.0.7', '172.30.0.47', 80), { localAddresses: ['192.168.0.2'] });
  assert.deepEqual(os.map((o) => o.dnat?.ip), ['10.180.0.11', '10.180.0.12', '10.180.0.13']);
  assert.deepEqual(walker.notices(), []);
  const warned = iptablesModule.load(files(readFixture('iptables-nft-save-legacy-warning.txt')));
  assert.deepEqual(warned.notices().map((n) => [n.file, n.line]), [['iptables-save.txt', 1]]);
});

test('load: malformed input throws DumpParseError naming iptables-save.txt', () => {
  assert.throws(() => iptablesModule.load(files('*nat\n:KUBE-SERVICES - [0:0]\n')), (e: unknown) => e instanceof DumpParseError && e.file === 'iptables-save.txt' && e.line === 2);
  assert.throws(() => iptablesModule.load(new Map()), DumpParseError);
});
