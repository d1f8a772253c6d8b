// Observed shares on IPVS nodes: the real servers' Conns (ipvsadm -Ln --stats --exact) are the new
// connections per endpoint, tested against the prediction like iptables counters; ActiveConn and
// InActConn (ipvsadm -Ln) are shown beside. Listings are real outputs (kube-router#160,
// kubernetes#99162, see their .md) unless marked hand-made; the Service, EndpointSlice and path
// objects around them are hand-made to match the addresses in those outputs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { observedShares, SIGNIFICANCE } from '../../../src/analyzers/observed-shares.ts';
import type { NodeObservation } from '../../../src/analyzers/observed-shares.ts';
import { NODE_FILES } from '../../../src/cluster/bundle-layout.ts';
import type { NodeDump } from '../../../src/cluster/source.ts';
import { nodeObservations } from '../../../src/pipeline/observations.ts';
import { DumpParseError } from '../../../src/dataplane/errors.ts';
import { parseIpvsadmConnections, parseIpvsadmStats } from '../../../src/dataplane/ipvs/parse-ipvsadm-listing.ts';
import type { PathReport } from '../../../src/model/results.ts';
import { renderExplain } from '../../../src/render/text-explain.ts';
import { explanation } from '../render/examples.ts';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url), 'utf8');
/** kube-router#160 --stats without its cut last line (line 17, see the .md). */
const STATS = fixture('ipvs-real-kube-router-160-ipvsadm-Ln-stats.txt').split('\n').slice(0, 16).join('\n');
const CONNS = fixture('ipvs-real-k8s-issue-99162-weight0-graceful.txt');

function service(clusterIP: string, port: { port: number; nodePort?: number }): V1Service {
  return { metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP, clusterIPs: [clusterIP], ports: [{ name: 'http', protocol: 'TCP', ...port }] } };
}
function slice(ips: string[], port: number): V1EndpointSlice {
  return { metadata: { name: 'web-x', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: ips.map((ip) => ({ addresses: [ip] })), ports: [{ port }] };
}
/** node-a's ClusterIP path of port 80: each endpoint at 1/n. */
function path(address: string, ips: string[], targetPort: number): PathReport {
  return {
    entry: 'ClusterIP', node: 'node-a', address, port: 80, protocol: 'TCP', basis: 'dataplane', from: 'a pod',
    outcomes: ips.map((ip, i) => ({ verdict: 'DNAT', probability: 1 / ips.length, endpoint: { ip, port: targetPort, node: null, pod: `web-${i}` }, hop: null, sourceIPPreserved: true, steps: [] })),
  } as unknown as PathReport;
}

const KR = ['10.2.1.22', '10.2.1.23', '10.2.1.24', '10.2.1.25', '10.2.1.26', '10.2.1.27', '10.2.1.28', '10.2.1.29'];

test('kube-router#160: Conns 2/2/2/3/3/3/3/3 of 10.3.0.42:80 against 1/8 each: chi-square 5/7, df 7, p 0.998', () => {
  const node: NodeObservation = { node: 'node-a', conntrack: null, iptables: null, ipvs: { stats: parseIpvsadmStats(STATS, 's'), connections: null } };
  const o = observedShares(service('10.3.0.42', { port: 80 }), [slice(KR, 80)], [path('10.3.0.42', KR, 80)], [node]);
  assert.equal(o.ports.length, 1);
  const p = o.ports[0]!;
  // 10.3.0.1:443 and 10.3.0.10:53 are other services: only 10.3.0.42:80's real servers count.
  assert.deepEqual(p.endpoints.map((e) => [e.ip, e.ruleCounter, e.ipvsConnections]), KR.map((ip, i) => [ip, i < 3 ? 2 : 3, null]));
  // n = 21, expected 21/8 = 2.625 each: (3 * 0.625^2 + 5 * 0.375^2) / 2.625 = 1.875 / 2.625 = 5/7
  assert.ok(Math.abs(p.counterFit!.statistic - 5 / 7) < 1e-9);
  assert.equal(p.counterFit!.degreesOfFreedom, 7);
  // Q(x; 7) = erfc(sqrt(x/2)) + sqrt(2x/pi) e^(-x/2) (1 + x/3 + x^2/15) at x = 5/7 = 0.99822354789
  assert.ok(Math.abs(p.counterFit!.pValue - 0.99822354789) < 1e-8);
  assert.equal(p.conntrackFit, null);
  assert.equal(p.cause, null);
  assert.match(p.since, /^IPVS Conns/);
  assert.deepEqual(o.findings, []);
});

test('kubernetes#99162: ActiveConn/InActConn of the NodePort 30232 virtual server beside each endpoint; no counters, no fit', () => {
  // The nine real servers of weight 1 are the endpoints; 11.0.4.9 (weight 0, draining) is not.
  const ips = ['11.0.1.9', '11.0.1.10', '11.0.2.8', '11.0.2.9', '11.0.3.7', '11.0.3.8', '11.0.3.9', '11.0.4.8', '11.0.4.10'];
  const node: NodeObservation = { node: 'node-a', conntrack: null, iptables: null, ipvs: { stats: null, connections: parseIpvsadmConnections(CONNS, 'c') } };
  const o = observedShares(service('10.96.7.7', { port: 80, nodePort: 30232 }), [slice(ips, 80)], [path('10.96.7.7', ips, 80)], [node]);
  const p = o.ports[0]!;
  const by = new Map(p.endpoints.map((e) => [e.ip, e]));
  assert.deepEqual(by.get('11.0.1.9')!.ipvsConnections, { active: 1, inactive: 671 });
  assert.deepEqual(by.get('11.0.1.10')!.ipvsConnections, { active: 1, inactive: 671 });
  assert.deepEqual(by.get('11.0.4.10')!.ipvsConnections, { active: 0, inactive: 672 });
  assert.equal(by.has('11.0.4.9'), false);
  // 2 * 671 + 7 * 672 = 6046 inactive over the nine endpoints (the draining one's 329 left out)
  assert.equal(p.endpoints.reduce((a, e) => a + e.ipvsConnections!.inactive, 0), 6046);
  assert.ok(p.endpoints.every((e) => e.ruleCounter === null));
  assert.equal(p.counterFit, null);
});

// Hand-made --stats listing (ipvsadm.c's layout: name %-33s, counters %9llu; made-up numbers): the
// service's ClusterIP virtual server (real servers a, b) and NodePort one (c, d), and three that are
// not its port 80/TCP: another service on 30080, the same ClusterIP on 443, and UDP.
const row = (name: string, conns: number) => `${name.padEnd(33)}${[conns, 0, 0, 0, 0].map((n) => String(n).padStart(9)).join('')}`;
const handMade = (a: number, b: number, c: number, d: number) => [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
  '  -> RemoteAddress:Port',
  row('TCP  10.96.7.7:80', a + b), row('  -> 10.244.1.2:8080', a), row('  -> 10.244.2.2:8080', b),
  row('TCP  192.168.1.2:30080', c + d), row('  -> 10.244.1.2:8080', c), row('  -> 10.244.2.2:8080', d),
  row('TCP  10.96.9.9:30080', 50), row('  -> 10.244.9.9:8080', 50),
  row('TCP  10.96.7.7:443', 9), row('  -> 10.244.1.2:8443', 9),
  row('UDP  10.96.7.7:80', 7), row('  -> 10.244.1.2:8080', 7),
  '',
].join('\n');
const TWO = ['10.244.1.2', '10.244.2.2'];
const web = service('10.96.7.7', { port: 80, nodePort: 30080 });
const ipvsNode = (text: string): NodeObservation => ({ node: 'node-a', conntrack: null, iptables: null, ipvs: { stats: parseIpvsadmStats(text, 'node-a/ipvsadm-stats.txt'), connections: null } });

test('hand-made: Conns add up over the ClusterIP and NodePort virtual servers; other ports, protocols and services add nothing', () => {
  const p = observedShares(web, [slice(TWO, 8080)], [path('10.96.7.7', TWO, 8080)], [ipvsNode(handMade(3, 1, 1, 3))]).ports[0]!;
  // 10.244.1.2: 3 (ClusterIP) + 1 (NodePort) = 4; 10.244.2.2: 1 + 3 = 4; not the 50 of 10.96.9.9:30080, the 9 of :443 nor the 7 of UDP
  assert.deepEqual(p.endpoints.map((e) => e.ruleCounter), [4, 4]);
  assert.equal(p.counterFit!.statistic, 0);
  assert.equal(p.counterFit!.pValue, 1);
});

test('hand-made: Conns 40/0 against 1/2 each differ: chi-square 40, df 1, p = erfc(sqrt(20)); the finding cites the stats file', () => {
  const o = observedShares(web, [slice(TWO, 8080)], [path('10.96.7.7', TWO, 8080)], [ipvsNode(handMade(20, 0, 20, 0))]);
  const p = o.ports[0]!;
  // 20 + 20 = 40 and 0 + 0 = 0, expected 20 each: (400 + 400) / 20 = 40, df 1, p = Q(1/2, 20) = erfc(sqrt(20)) = 2.53962858947e-10
  assert.deepEqual(p.endpoints.map((e) => e.ruleCounter), [40, 0]);
  assert.ok(Math.abs(p.counterFit!.statistic - 40) < 1e-9);
  assert.ok(Math.abs(p.counterFit!.pValue - 2.53962858947e-10) / 2.53962858947e-10 < 1e-6);
  assert.ok(p.counterFit!.pValue < SIGNIFICANCE);
  assert.match(p.cause!, /unevenly/);
  const f = o.findings.find((x) => x.id === 'observed-shares-differ')!;
  assert.deepEqual(f.evidence, [{ kind: 'node', node: 'node-a', detail: 'node-a/ipvsadm-stats.txt Conns' }]);
});

test('nodeObservations reads both listings of a bundle node; a cut --stats listing is an error naming its file and line', () => {
  const dump = (files: Record<string, string>): NodeDump => ({ node: 'node-a', location: 'snap/nodes/node-a', proxyMode: 'ipvs', files: new Map(Object.entries(files)), healthz: new Map() });
  const [obs] = nodeObservations(dump({ [NODE_FILES.ipvsadmStats]: STATS, [NODE_FILES.ipvsadmConnections]: CONNS }));
  assert.equal(obs!.ipvs!.stats!.file, 'snap/nodes/node-a/ipvsadm-stats.txt');
  assert.equal(obs!.ipvs!.stats!.services.length, 3);
  assert.equal(obs!.ipvs!.connections!.services[0]!.realServers.length, 10);
  assert.deepEqual(nodeObservations(dump({})), []);
  assert.throws(
    () => nodeObservations(dump({ [NODE_FILES.ipvsadmStats]: fixture('ipvs-real-kube-router-160-ipvsadm-Ln-stats.txt') })),
    (e: unknown) => e instanceof DumpParseError && e.file === 'snap/nodes/node-a/ipvsadm-stats.txt' && e.line === 17,
  );
});

test('text output: the IPVS connections of each endpoint on their own line under it', () => {
  const ips = ['11.0.1.9', '11.0.1.10'];
  const node: NodeObservation = { node: 'node-a', conntrack: null, iptables: null, ipvs: { stats: null, connections: parseIpvsadmConnections(CONNS, 'c') } };
  const observed = observedShares(service('10.96.7.7', { port: 80, nodePort: 30232 }), [slice(ips, 80)], [path('10.96.7.7', ips, 80)], [node]);
  const lines = renderExplain({ ...explanation(), observed }, { format: 'text', color: false }).split('\n');
  // Sorted by ip:port text: 11.0.1.10:80 before 11.0.1.9:80; both (1 active, 671 inactive) in the fixture.
  const at = lines.findIndex((l) => l.startsWith('    11.0.1.10:80'));
  assert.ok(at > 0);
  assert.equal(lines[at + 1], '      IPVS connections now: 1 active, 671 inactive');
  assert.match(lines[at + 2]!, /^ {4}11\.0\.1\.9:80 /);
});
