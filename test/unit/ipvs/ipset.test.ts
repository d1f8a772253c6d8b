import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpsetList, setContains, type SetPacket } from '../../../src/dataplane/ipvs/ipset.ts';
import { DumpParseError } from '../../../src/dataplane/errors.ts';
import { fixture, minikubeIpset } from './fixtures.ts';

const pkt = (src: string, dst: string, port: number, protocol: SetPacket['protocol'] = 'TCP'): SetPacket => ({
  src,
  dst,
  port,
  srcPort: null,
  protocol,
});

test('minikube ipset list: 34 sets, members and the 31-character names', () => {
  const l = parseIpsetList(minikubeIpset());
  assert.equal(l.sets.size, 34);
  const cip = l.get('KUBE-CLUSTER-IP')!;
  assert.equal(cip.type, 'hash:ip,port');
  assert.equal(cip.family, 4);
  assert.equal(cip.line, 115); // 'Name: KUBE-CLUSTER-IP' is line 115 of the capture
  assert.deepEqual(cip.members.map((m) => m.element), [
    '10.100.108.207,tcp:80',
    '10.96.0.10,tcp:53',
    '10.96.0.10,tcp:9153',
    '10.96.0.10,udp:53',
    '10.96.0.1,tcp:443',
  ]);
  // kube-proxy cuts KUBE-6- names at 31 characters; the full name still finds the set.
  assert.equal(l.get('KUBE-6-LOAD-BALANCER-SOURCE-CIDR')?.name, 'KUBE-6-LOAD-BALANCER-SOURCE-CID');
  assert.equal(l.get('KUBE-6-NODE-PORT-LOCAL-SCTP-HASH')?.name, 'KUBE-6-NODE-PORT-LOCAL-SCTP-HAS');
  assert.equal(l.get('KUBE-6-CLUSTER-IP')?.family, 6);
  assert.equal(l.get('KUBE-NODE-PORT-TCP')?.family, null);
  assert.equal(l.get('KUBE-NOPE'), null);
});

test('minikube membership: ClusterIP:port in KUBE-CLUSTER-IP (dst,dst), hairpin in KUBE-LOOP-BACK (dst,dst,src)', () => {
  const l = parseIpsetList(minikubeIpset());
  const cip = l.get('KUBE-CLUSTER-IP')!;
  assert.equal(setContains(cip, ['dst', 'dst'], pkt('10.244.0.9', '10.100.108.207', 80)), true);
  assert.equal(setContains(cip, ['dst', 'dst'], pkt('10.244.0.9', '10.96.0.10', 53, 'UDP')), true);
  // Port 81 and protocol UDP on :443 are not members.
  assert.equal(setContains(cip, ['dst', 'dst'], pkt('10.244.0.9', '10.100.108.207', 81)), false);
  assert.equal(setContains(cip, ['dst', 'dst'], pkt('10.244.0.9', '10.96.0.1', 443, 'UDP')), false);
  // After IPVS picked 10.244.0.25:8000 for a client that is 10.244.0.25 itself: hairpin.
  const loop = l.get('KUBE-LOOP-BACK')!;
  assert.equal(setContains(loop, ['dst', 'dst', 'src'], pkt('10.244.0.25', '10.244.0.25', 8000)), true);
  assert.equal(setContains(loop, ['dst', 'dst', 'src'], pkt('10.244.0.24', '10.244.0.25', 8000)), false);
  const ips = l.get('KUBE-IPVS-IPS')!;
  assert.equal(setContains(ips, ['dst'], pkt('1.1.1.1', '10.96.0.10', 22)), true);
  assert.equal(setContains(ips, ['dst'], pkt('1.1.1.1', '192.168.49.2', 22)), false);
  // Flag count must match the set's dimensions, as the kernel requires.
  assert.equal(setContains(cip, ['dst'], pkt('1.1.1.1', '10.96.0.1', 443)), null);
});

test('kube-like netns listing: comments, timeouts, counters, nomatch, bitmap:port, IPv6', () => {
  const l = parseIpsetList(fixture('ipvs-netns-ipset-list-kube-like.txt'));
  const cip = l.get('KUBE-CLUSTER-IP')!;
  assert.deepEqual(
    cip.members.map((m) => [m.element, m.comment, m.line]),
    [
      ['10.96.0.10,udp:53', null, 9],
      ['10.96.0.1,tcp:443', 'default/kubernetes:https', 10],
      ['10.96.0.10,sctp:9999', null, 11],
    ],
  );
  assert.equal(setContains(cip, ['dst', 'dst'], pkt('1.1.1.1', '10.96.0.10', 9999, 'SCTP')), true);
  assert.equal(l.get('KUBE-IPVS-IPS')!.members[0]!.timeout, 299);
  assert.equal(l.get('NETPATH-COUNTERS')!.members[0]!.element, '10.0.0.1');

  // Source ranges: 198.51.100.0/24 allowed but /25 nomatch carves out .0-.127, except the /32 .7.
  const src = l.get('KUBE-LOAD-BALANCER-SOURCE-CIDR')!;
  const from = (s: string) => setContains(src, ['dst', 'dst', 'src'], pkt(s, '192.0.2.10', 80));
  assert.equal(from('198.51.100.200'), true, '/24 matches, /25 does not cover .200');
  assert.equal(from('198.51.100.5'), false, 'most specific hit is the /25 nomatch');
  assert.equal(from('198.51.100.7'), true, '/32 is more specific than the /25 nomatch');
  assert.equal(from('203.0.113.9'), true);
  assert.equal(from('192.0.2.1'), false);

  const np = l.get('KUBE-NODE-PORT-TCP')!;
  assert.deepEqual(np.dimensions, ['port']);
  assert.equal(setContains(np, ['dst'], pkt('1.1.1.1', '192.168.1.2', 30080)), true);
  assert.equal(setContains(np, ['dst'], pkt('1.1.1.1', '192.168.1.2', 30081)), false);

  const v6 = l.get('KUBE-6-CLUSTER-IP')!;
  assert.equal(setContains(v6, ['dst', 'dst'], pkt('fd00::9', 'fd00:10:96:0::1', 443)), true);
  const v6src = l.get('KUBE-6-LOAD-BALANCER-SOURCE-CIDR')!;
  assert.equal(v6src.name, 'KUBE-6-LOAD-BALANCER-SOURCE-CID');
  assert.equal(setContains(v6src, ['dst', 'dst', 'src'], pkt('2001:db8:1::1', 'fd00:10:96::99', 80)), true);
  assert.equal(setContains(v6src, ['dst', 'dst', 'src'], pkt('2001:db9::1', 'fd00:10:96::99', 80)), false);
});

test('kube-proxy issue 13 (partial real listing): KUBE-6- sets and the cut name parse', () => {
  const l = parseIpsetList(fixture('ipvs-real-kube-proxy-issue-13-ipset-list-ipv6.txt'));
  assert.deepEqual([...l.sets.keys()], [
    'KUBE-HEALTH-CHECK-NODE-PORT',
    'KUBE-6-CLUSTER-IP',
    'KUBE-6-EXTERNAL-IP-LOCAL',
    'KUBE-6-LOAD-BALANCER-SOURCE-CID',
    'KUBE-6-LOOP-BACK',
    'KUBE-6-EXTERNAL-IP',
    'KUBE-6-NODE-PORT-SCTP-HASH',
  ]);
  assert.equal(l.get('KUBE-6-LOAD-BALANCER-SOURCE-CIDR')?.type, 'hash:ip,port,net');
});

test('malformed ipset list throws DumpParseError with the line', () => {
  const cases: [string, number][] = [
    ['Type: hash:ip', 1],
    ['Name: A\nType: hash:ip\nBogus: 1', 3],
    ['Name: A\nType: hash:ip,port\nMembers:\n10.0.0.1', 4],
    ['Name: A\nType: hash:ip\nMembers:\n10.0.0.1 flavour x', 4],
    ['Name: A\nType: hash:frob\nMembers:', 2],
  ];
  for (const [text, line] of cases) {
    assert.throws(
      () => parseIpsetList(text, 'ipset.txt'),
      (e: unknown) => e instanceof DumpParseError && e.file === 'ipset.txt' && e.line === line,
      text,
    );
  }
});
