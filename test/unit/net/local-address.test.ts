import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLocalAddress } from '../../../src/net/local-address.ts';
import { createIptablesWalker, parseIptablesDump } from '../../../src/dataplane/iptables/index.ts';
import { createNftWalker, parseNftText } from '../../../src/dataplane/nftables/index.ts';
import type { WalkPacket } from '../../../src/dataplane/types.ts';

// The kernel's local table (`ip route show table local` on any Linux host) holds
// `local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1`: the whole /8, but in IPv6
// only `local ::1 dev lo`. Plus one `local ADDR dev IF` per address of each interface.
const HOST = ['10.240.0.11', 'fd00::11'];

test('all of 127.0.0.0/8 is local, ::1 but not ::2, and the host\'s own addresses in any spelling', () => {
  assert.equal(isLocalAddress('127.0.0.1', HOST), true);
  assert.equal(isLocalAddress('127.0.0.5', HOST), true);
  assert.equal(isLocalAddress('127.255.255.254', HOST), true);
  assert.equal(isLocalAddress('128.0.0.1', HOST), false);
  assert.equal(isLocalAddress('::1', HOST), true);
  assert.equal(isLocalAddress('::2', HOST), false);
  assert.equal(isLocalAddress('10.240.0.11', HOST), true);
  assert.equal(isLocalAddress('fd00:0:0::11', HOST), true);
  assert.equal(isLocalAddress('10.240.0.12', HOST), false);
  assert.equal(isLocalAddress('not-an-ip', HOST), false);
});

// One rule, "DNAT what is addressed to this host", in each walker: both must agree on 127.0.0.5.
const IPTABLES = `*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A OUTPUT -m addrtype --dst-type LOCAL -p tcp -j DNAT --to-destination 10.0.0.9:8080
COMMIT
`;
const NFT = `table ip t {
	chain out {
		type nat hook output priority -100; policy accept;
		fib daddr type local meta l4proto tcp dnat to 10.0.0.9:8080
	}
}
`;

const packet = (dst: string): WalkPacket => ({ src: '127.0.0.1', dst, port: 80, protocol: 'TCP', hook: 'output' });

for (const [name, walker] of [
  ['iptables', createIptablesWalker(parseIptablesDump(IPTABLES, 'iptables-save.txt'))],
  ['nftables', createNftWalker(parseNftText(NFT, 'nft.txt'))],
] as const) {
  test(`${name} walker: addrtype/fib LOCAL holds for 127.0.0.5 and the node IP, not for another host`, () => {
    const dnat = (dst: string) => walker.walk(packet(dst), { localAddresses: HOST }).map((o) => o.dnat && `${o.dnat.ip}:${o.dnat.port}`);
    assert.deepEqual(dnat('127.0.0.5'), ['10.0.0.9:8080']);
    assert.deepEqual(dnat('10.240.0.11'), ['10.0.0.9:8080']);
    assert.deepEqual(dnat('10.240.0.12'), [null]);
  });
}
