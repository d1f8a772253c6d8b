import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpvsadm } from '../../../src/dataplane/ipvs/parse-ipvsadm.ts';
import { DumpParseError } from '../../../src/dataplane/errors.ts';
import { fixture, minikubeIpvsadm, section } from './fixtures.ts';

test('minikube ipvsadm -Ln: five virtual services, their real servers and fixture line numbers', () => {
  const t = parseIpvsadm(minikubeIpvsadm());
  assert.equal(t.format, 'list');
  assert.deepEqual(
    t.services.map((vs) => [vs.key, vs.scheduler, vs.line, vs.realServers.length]),
    [
      ['TCP 10.96.0.1:443', 'rr', 5, 1],
      ['TCP 10.96.0.10:53', 'rr', 7, 1],
      ['TCP 10.96.0.10:9153', 'rr', 9, 1],
      ['TCP 10.100.108.207:80', 'rr', 11, 3],
      ['UDP 10.96.0.10:53', 'rr', 15, 1],
    ],
  );
  const web = t.services[3]!;
  assert.equal(web.protocol, 'TCP');
  assert.equal(web.address, '10.100.108.207');
  assert.equal(web.port, 80);
  assert.equal(web.persistence, null);
  assert.deepEqual(
    web.realServers.map((r) => [r.address, r.port, r.forward, r.weight, r.activeConns, r.inactiveConns, r.line]),
    [
      ['10.244.0.24', 8000, 'Masq', 1, 0, 0, 12],
      ['10.244.0.25', 8000, 'Masq', 1, 0, 0, 13],
      ['10.244.0.26', 8000, 'Masq', 1, 0, 0, 14],
    ],
  );
  const dnsUdp = t.services[4]!;
  assert.equal(dnsUdp.protocol, 'UDP');
  assert.deepEqual([dnsUdp.realServers[0]!.address, dnsUdp.realServers[0]!.port, dnsUdp.realServers[0]!.line], ['10.244.0.2', 53, 16]);
});

test('opsnull #251: a NodePort VS per node IP and persistent 10800 on the kubernetes service', () => {
  const t = parseIpvsadm(section(fixture('ipvs-real-opsnull-251-ipvsadm-Ln.txt'), 2, 100));
  const keys = t.services.map((vs) => vs.key);
  // NodePort 32767 exists once per node address (10.253.102.0 and 10.253.102.1), same real server.
  assert.ok(keys.includes('TCP 10.253.102.0:32767'));
  assert.ok(keys.includes('TCP 10.253.102.1:32767'));
  for (const k of ['TCP 10.253.102.0:32767', 'TCP 10.253.102.1:32767']) {
    const vs = t.services.find((s) => s.key === k)!;
    assert.deepEqual(vs.realServers.map((r) => `${r.address}:${r.port}`), ['10.253.35.2:8443']);
  }
  const api = t.services.find((s) => s.key === 'TCP 10.254.0.1:443')!;
  assert.deepEqual(api.persistence, { timeout: 10800, netmask: null });
  assert.equal(api.scheduler, 'rr');
  assert.equal(api.line, 14); // line 14 of the fixture: 'TCP  10.254.0.1:443 rr persistent 10800'
  assert.equal(t.services.filter((s) => s.persistence).length, 1);
  assert.equal(t.services.length, 7);
});

test('issue 99162: the weight-0 real server is parsed with its live counters', () => {
  const t = parseIpvsadm(fixture('ipvs-real-k8s-issue-99162-weight0-graceful.txt'));
  const vs = t.services[0]!;
  assert.equal(vs.key, 'TCP 192.168.1.2:30232');
  assert.equal(vs.realServers.length, 10);
  const drained = vs.realServers.find((r) => r.weight === 0)!;
  assert.deepEqual([drained.address, drained.port, drained.activeConns, drained.inactiveConns, drained.line], ['11.0.4.9', 80, 0, 329, 13]);
  assert.deepEqual(vs.realServers[0]!.activeConns, 1);
});

test('save format: protocols, persistence, flags, fwmark, IPv6 and forward methods', () => {
  // ipvsadm -Sn syntax (print_service_entry with FMT_RULE); written here because this kernel has no IPVS.
  const text = [
    '-A -t 10.96.0.1:443 -s rr -p 10800',
    '-a -t 10.96.0.1:443 -r 10.244.0.5:8443 -m -w 1',
    '-A -u 10.96.0.10:53 -s wrr',
    '-a -u 10.96.0.10:53 -r 10.244.0.2:53 -m -w 3',
    '-A --sctp-service 10.96.0.20:9999 -s sh -b sh-fallback,sh-port',
    '-A -f 7 -s lc',
    '-a -f 7 -r 10.0.0.9:0 -g -w 2',
    '-A -t [fd00::1]:80 -s mh -b mh-port',
    '-a -t [fd00::1]:80 -r [fd00:10:244::5]:8080 -i -w 1',
  ].join('\n');
  const t = parseIpvsadm(text);
  assert.equal(t.format, 'save');
  assert.deepEqual(
    t.services.map((vs) => [vs.key, vs.protocol, vs.scheduler, vs.family, vs.flags, vs.persistence?.timeout ?? null, vs.line]),
    [
      ['TCP 10.96.0.1:443', 'TCP', 'rr', 4, [], 10800, 1],
      ['UDP 10.96.0.10:53', 'UDP', 'wrr', 4, [], null, 3],
      ['SCTP 10.96.0.20:9999', 'SCTP', 'sh', 4, ['sh-fallback', 'sh-port'], null, 5],
      ['FWM 7', null, 'lc', 4, [], null, 6],
      ['TCP [fd00::1]:80', 'TCP', 'mh', 6, ['mh-port'], null, 8],
    ],
  );
  assert.deepEqual(
    t.services.flatMap((vs) => vs.realServers.map((r) => [r.address, r.port, r.forward, r.weight, r.activeConns, r.line])),
    [
      ['10.244.0.5', 8443, 'Masq', 1, null, 2],
      ['10.244.0.2', 53, 'Masq', 3, null, 4],
      ['10.0.0.9', 0, 'Route', 2, null, 7],
      ['fd00:10:244::5', 8080, 'Tunnel', 1, null, 9],
    ],
  );
  assert.equal(t.services[3]!.fwmark, 7);
  assert.equal(t.services[2]!.realServers.length, 0);
});

test('table format with --stats and --rate listings merged into the default one', () => {
  // Column layout of ipvsadm's print_title / print_service_entry (FMT_STATS, FMT_RATE).
  const text = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  10.96.0.1:443 rr (flag-1) persistent 300 mask 255.255.255.0',
    '  -> 192.168.49.2:8443            Masq    1      4          7         ',
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
    '  -> RemoteAddress:Port',
    'TCP  10.96.0.1:443                     12      340      300    12345   123456K',
    '  -> 192.168.49.2:8443                 12      340      300    12345   123456K',
    'Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS',
    '  -> RemoteAddress:Port',
    'TCP  10.96.0.1:443                      1        5        4      800     9000',
    '  -> 192.168.49.2:8443                  1        5        4      800     9000',
  ].join('\n');
  const t = parseIpvsadm(text);
  assert.equal(t.services.length, 1);
  const vs = t.services[0]!;
  assert.deepEqual(vs.persistence, { timeout: 300, netmask: '255.255.255.0' });
  assert.deepEqual(vs.flags, ['flag-1']);
  assert.equal(vs.line, 4, 'the default listing line is the evidence line');
  // 123456K = 123456 * 1000 bytes.
  assert.deepEqual(vs.stats, { conns: 12, inPkts: 340, outPkts: 300, inBytes: 12345, outBytes: 123456000 });
  assert.deepEqual(vs.rate, { cps: 1, inPps: 5, outPps: 4, inBps: 800, outBps: 9000 });
  const rs = vs.realServers[0]!;
  assert.deepEqual([rs.weight, rs.activeConns, rs.inactiveConns, rs.line], [1, 4, 7, 5]);
  assert.equal(rs.stats?.conns, 12);
  assert.equal(rs.rate?.inPps, 5);
});

test('malformed input throws DumpParseError with file and line', () => {
  const cases: [string, number, RegExp][] = [
    ['Prot LocalAddress:Port Scheduler Flags\nTCP  kubernetes.default:https rr', 2, /numeric/],
    ['Prot LocalAddress:Port Scheduler Flags\n  -> 10.0.0.1:80  Masq 1 0 0', 2, /before any virtual service/],
    ['Prot LocalAddress:Port Scheduler Flags\nTCP  10.0.0.1:80 rr\n  -> 10.0.0.2:80  Masq one 0 0', 3, /number/],
    ['TCP  10.0.0.1:80 rr', 1, /before the ipvsadm title/],
    ['-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.9:80 -r 10.0.0.2:80 -m -w 1', 2, /before its virtual service/],
    ['-A -t 10.0.0.1:80 -s rr --bogus', 1, /unknown ipvsadm option --bogus/],
  ];
  for (const [text, line, message] of cases) {
    assert.throws(
      () => parseIpvsadm(text, 'ipvsadm.txt'),
      (e: unknown) => e instanceof DumpParseError && e.file === 'ipvsadm.txt' && e.line === line && message.test(e.message),
      text,
    );
  }
});
