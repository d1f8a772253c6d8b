import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DUMP_COMMANDS, DUMP_FILES } from '../../../src/cluster/bundle-layout.ts';
import { nodeTools } from '../../../src/cluster/nodes/dump-commands.ts';
import { loadDataplane } from '../../../src/dataplane/select-mode.ts';
import { DATAPLANES, dumpFiles, proxyModes } from '../../../src/dataplane/registry.ts';

const schemaModes = (file: string): unknown =>
  (JSON.parse(readFileSync(`schema/${file}`, 'utf8')) as { $defs: Record<string, { enum?: unknown[] }> }).$defs.proxyMode?.enum;

for (const file of ['service-explanation.schema.json', 'trace.schema.json']) {
  test(`${file}: proxyMode is one of the registered modes or null, and every registered mode is allowed`, () => {
    assert.deepEqual(schemaModes(file), [...proxyModes(), null]);
  });
}

test('the built-in modes, and the dump files and commands of contract 1 come from their modules', () => {
  assert.deepEqual(proxyModes(), ['iptables', 'nftables', 'ipvs', 'userspace']);
  assert.deepEqual(dumpFiles().map((d) => d.name), ['iptables-save.txt', 'nft.json', 'nft.txt', 'ipvsadm.txt', 'ipset.txt']);
  // nft.txt is read from bundles, never written by capture.
  assert.deepEqual(DUMP_FILES.slice(0, 4), ['iptables-save.txt', 'nft.json', 'ipvsadm.txt', 'ipset.txt']);
  // Capture reads kube-proxy's tables only, by several calls (issue 11): the messages name them.
  assert.equal(DUMP_COMMANDS['nft.json'], 'nft -j list table ip kube-proxy; nft -j list table ip6 kube-proxy');
  assert.equal(DUMP_COMMANDS['nft.txt'], 'nft list ruleset');
  assert.equal(DUMP_COMMANDS['ipvsadm.txt'], 'ipvsadm -Sn');
  assert.equal(DUMP_COMMANDS['iptables-save.txt'], 'iptables-save -c -t nat; iptables-save -c -t filter');
});

test('without kube-proxy\'s answer, the iptables catch-all is tried after the specific modes', () => {
  // An IPVS node: ipvsadm -Sn with a virtual server, and iptables-save with KUBE-SERVICES in nat.
  const files = new Map([
    ['ipvsadm.txt', '-A -t 10.96.0.1:443 -s rr\n-a -t 10.96.0.1:443 -r 10.240.0.1:6443 -m -w 1\n'],
    ['iptables-save.txt', '*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j RETURN\nCOMMIT\n'],
  ]);
  assert.equal(loadDataplane(null, files, DATAPLANES).mode, 'ipvs');
  assert.equal(loadDataplane(null, new Map([['iptables-save.txt', files.get('iptables-save.txt')!]]), DATAPLANES).mode, 'iptables');
});

test('the tools a node read probes for are the dataplanes\' own, then curl, ip, conntrack and cat', () => {
  assert.deepEqual(nodeTools(), ['iptables-save', 'iptables-legacy-save', 'iptables-nft-save', 'nft', 'ipvsadm', 'ipset', 'curl', 'ip', 'conntrack', 'cat']);
});
