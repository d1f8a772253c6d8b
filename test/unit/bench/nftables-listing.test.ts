/**
 * Above 1,000 services the bench writes nft.json and nft-ruleset.txt directly instead of listing
 * the loaded table through the kernel (bench/generate/nftables-listing.ts). These tests load the
 * same generated table into a network namespace and require the direct output to be the kernel's,
 * byte for byte: nothing is normalized, handle numbers included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dumpNode, nftDirect } from '../../../bench/generate/bundle.ts';
import { clusterSpec } from '../../../bench/generate/cluster-spec.ts';
import { nftListing } from '../../../bench/generate/nftables-listing.ts';

function kernelSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace and load nftables rules';
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'needs the nft binary (apt-get install nftables)';
  }
  return false;
}

for (const [services, nodeIndex] of [
  [100, 0],
  [300, 1],
] as const) {
  test(`${services} services, node-${nodeIndex}: the direct listings equal the kernel's`, { skip: kernelSkipReason() }, async () => {
    const spec = clusterSpec(services, 10);
    const node = spec.nodes[nodeIndex]!;
    const kernel = await dumpNode(spec, node, 'nftables');
    const direct = await nftDirect(spec, node);
    assert.deepEqual(JSON.parse(direct.files['nft.json']!), JSON.parse(kernel.files['nft.json']!));
    assert.equal(direct.files['nft.json'], kernel.files['nft.json']);
    assert.equal(direct.reference, kernel.reference);
  });
}

const NFT = { version: '1.0.6', releaseName: 'Lester Gooch #5' };

test('concatenated elements are listed in nft order: their bytes read as a little-endian number', () => {
  // Observed with nft 1.0.6: `add element ip t m { tcp . 1 : drop, tcp . 2 : drop, tcp . 256 : drop, udp . 1 : drop }`
  // lists 256, tcp 1, udp 1, 2. Bytes proto . port: 256 = 06 01 00, 1 = 06 00 01, udp 1 = 11 00 01,
  // 2 = 06 00 02; read from the last byte: 00 01 06 < 01 00 06 < 01 00 11 < 02 00 06.
  const input = [
    'add table ip kube-proxy { comment "c" ; }',
    'add map ip kube-proxy m { type inet_proto . inet_service : verdict ; }',
    'add element ip kube-proxy m { tcp . 1 : drop, tcp . 2 : drop, tcp . 256 : drop, udp . 1 : drop }',
    '',
  ].join('\n');
  const { json, text } = nftListing([input], NFT);
  assert.match(text, /elements = \{ tcp \. 256 : drop,\n\t\t\t {5}tcp \. 1 : drop,\n\t\t\t {5}udp \. 1 : drop,\n\t\t\t {5}tcp \. 2 : drop \}/);
  const map = (JSON.parse(json) as { nftables: { map?: { elem: [{ concat: [string, number] }, unknown][] } }[] }).nftables[2]!.map!;
  assert.deepEqual(
    map.elem.map(([k]) => k.concat),
    [
      ['tcp', 256],
      ['tcp', 1],
      ['udp', 1],
      ['tcp', 2],
    ],
  );
});

test('handles: sets, chains and rules count on from 1; an anonymous map takes one before its rule, a single-element set none', () => {
  const input = [
    'add table ip kube-proxy { comment "c" ; }',
    'add set ip kube-proxy s { type ipv4_addr ; }', // 1
    'add chain ip kube-proxy a', // 2
    'add chain ip kube-proxy b', // 3
    'add rule ip kube-proxy a numgen random mod 2 vmap { 0 : goto b , 1 : goto b }', // map 4, rule 5
    'add rule ip kube-proxy a ip saddr != { 10.0.0.0/8 } drop', // 6
    '',
  ].join('\n');
  const items = (JSON.parse(nftListing([input], NFT).json) as { nftables: Record<string, { handle?: number }>[] }).nftables;
  assert.deepEqual(
    items.slice(1).map((i) => Object.values(i)[0]!.handle),
    [1, 1, 2, 3, 5, 6],
  );
});

test('a line the listing does not know is an error, not skipped', () => {
  assert.throws(() => nftListing(['add rule ip kube-proxy a ip6 daddr ::1 drop\n'], NFT), /rule for unknown chain/);
  assert.throws(() => nftListing(['add chain ip kube-proxy a\nadd rule ip kube-proxy a ip6 daddr ::1 drop\n'], NFT), /not understood at: ip6 daddr/);
  assert.throws(() => nftListing(['flush ruleset\n'], NFT), /not understood: flush ruleset/);
});
