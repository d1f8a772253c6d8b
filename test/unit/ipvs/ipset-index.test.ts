/**
 * setContains looks members up by address (or port) instead of scanning them: the answers where
 * that shortcut could go wrong, worked out by hand from the kernel's set semantics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpsetList, setContains, type SetPacket } from '../../../src/dataplane/ipvs/ipset.ts';

const pkt = (src: string, dst: string, port: number, srcPort: number | null = null): SetPacket => ({ src, dst, port, srcPort, protocol: 'TCP' });

function set(type: string, members: string[]) {
  const text = ['Name: S', `Type: ${type}`, 'Header: family inet hashsize 1024 maxelem 65536', 'Members:', ...members].join('\n');
  return parseIpsetList(text).get('S')!;
}

test('5,000 ClusterIP:port members: the listed pair is in, its neighbours in address or port are not', () => {
  // 10.96.x.y for x = 0..19, y = 0..249: member i is 10.96.(i / 250).(i % 250),tcp:(8000 + i % 7).
  const members = Array.from({ length: 5000 }, (_, i) => `10.96.${Math.floor(i / 250)}.${i % 250},tcp:${8000 + (i % 7)}`);
  const cip = set('hash:ip,port', members);
  // i = 2600: 10.96.10.100, port 8000 + 2600 % 7 = 8000 + 3.
  assert.equal(setContains(cip, ['dst', 'dst'], pkt('10.0.0.1', '10.96.10.100', 8003)), true);
  assert.equal(setContains(cip, ['dst', 'dst'], pkt('10.0.0.1', '10.96.10.100', 8004)), false);
  assert.equal(setContains(cip, ['dst', 'dst'], pkt('10.0.0.1', '10.96.10.251', 8003)), false);
  // The same 32 bits as an IPv6 address are another address.
  assert.equal(setContains(cip, ['dst', 'dst'], pkt('::1', '::a60:a64', 8003)), false);
  // UDP on a TCP member's port: the protocol is part of the element.
  assert.equal(setContains(cip, ['dst', 'dst'], { ...pkt('10.0.0.1', '10.96.10.100', 8003), protocol: 'UDP' }), false);
});

test('hash:ip with netmask members and plain members: either form can hold the address', () => {
  const ips = set('hash:ip', ['10.0.0.0/24', '10.1.0.9']);
  assert.equal(setContains(ips, ['dst'], pkt('1.1.1.1', '10.0.0.77', 80)), true, 'inside 10.0.0.0/24');
  assert.equal(setContains(ips, ['dst'], pkt('1.1.1.1', '10.1.0.9', 80)), true);
  assert.equal(setContains(ips, ['dst'], pkt('1.1.1.1', '10.0.1.77', 80)), false);
  // Flags choose the packet address: the source here.
  assert.equal(setContains(ips, ['src'], pkt('10.1.0.9', '1.1.1.1', 80)), true);
});

test('bitmap:port with a range member: single ports and the range both answer', () => {
  const ports = set('bitmap:port', ['30080', '31000-31005']);
  assert.equal(setContains(ports, ['dst'], pkt('1.1.1.1', '2.2.2.2', 30080)), true);
  assert.equal(setContains(ports, ['dst'], pkt('1.1.1.1', '2.2.2.2', 31003)), true, '31000 <= 31003 <= 31005');
  assert.equal(setContains(ports, ['dst'], pkt('1.1.1.1', '2.2.2.2', 31006)), false);
});

test('a source port dimension without the packet source port: unknown once a member gets that far', () => {
  const s = set('hash:ip,port', ['10.96.0.10,tcp:53']);
  // 10.96.0.10 is listed: only the unknown source port could tell.
  assert.equal(setContains(s, ['dst', 'src'], pkt('10.0.0.1', '10.96.0.10', 80)), null);
  // No member holds 10.96.0.11, whatever the port.
  assert.equal(setContains(s, ['dst', 'src'], pkt('10.0.0.1', '10.96.0.11', 80)), false);
  // With the source port given: 53 is the member's port, 54 is not.
  assert.equal(setContains(s, ['dst', 'src'], pkt('10.0.0.1', '10.96.0.10', 80, 53)), true);
  assert.equal(setContains(s, ['dst', 'src'], pkt('10.0.0.1', '10.96.0.10', 80, 54)), false);
});

test('hash:ip,port,net: among several networks holding the source the longest prefix decides, nomatch included', () => {
  const s = set('hash:ip,port,net', [
    '192.0.2.10,tcp:80,198.51.100.0/24',
    '192.0.2.10,tcp:80,198.51.100.0/25 nomatch',
    '192.0.2.10,tcp:80,198.51.100.7',
    '192.0.2.11,tcp:80,0.0.0.0/0',
  ]);
  const from = (src: string, dst = '192.0.2.10') => setContains(s, ['dst', 'dst', 'src'], pkt(src, dst, 80));
  assert.equal(from('198.51.100.200'), true, 'only the /24 holds .200');
  assert.equal(from('198.51.100.5'), false, 'the /25 nomatch is longer than the /24');
  assert.equal(from('198.51.100.7'), true, 'a bare address in a net dimension is a /32');
  assert.equal(from('203.0.113.1'), false, 'no network of 192.0.2.10 holds it');
  assert.equal(from('203.0.113.1', '192.0.2.11'), true, '0.0.0.0/0 holds every IPv4 source');
});
