// Observed against predicted on real captures of the e2e harness (examples/real-kernel and
// test/fixtures/conntrack-L-harness-stale-udp.txt, see their provenance notes), expectations by hand.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { observedShares } from '../../../src/analyzers/observed-shares.ts';
import type { NodeObservation } from '../../../src/analyzers/observed-shares.ts';
import { parseIptablesDump } from '../../../src/dataplane/iptables/parse.ts';
import { parseConntrack } from '../../../src/dataplane/node-state/conntrack.ts';
import type { PathReport } from '../../../src/model/results.ts';

const ex = (p: string) => readFileSync(new URL(`../../../examples/real-kernel/${p}`, import.meta.url), 'utf8');
const fixture = (p: string) => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url), 'utf8');
const service = (JSON.parse(ex('cluster/services.json')).items as V1Service[]).find((s) => s.metadata?.name === 'web')!;
const slices = (JSON.parse(ex('cluster/endpointslices.json')).items as V1EndpointSlice[]).filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'web');

/** The ClusterIP path of node-a for one port: each endpoint at `share`. */
function path(port: number, protocol: 'TCP' | 'UDP', ips: string[]): PathReport {
  return {
    entry: 'ClusterIP', node: 'node-a', address: '10.96.54.29', port, protocol, basis: 'dataplane', from: 'a pod',
    outcomes: ips.map((ip, i) => ({
      verdict: 'DNAT', probability: 1 / ips.length, endpoint: { ip, port: 8080, node: null, pod: `web-${i}` },
      hop: null, sourceIPPreserved: true, steps: [],
    })),
  } as unknown as PathReport;
}
const ALL = ['10.244.1.2', '10.244.2.2', '10.244.3.2'];

test('counters 9/10/11 and conntrack 9/10/11 against 1/3 each: chi-square 0.2, p = e^-0.1; UDP 3/5/4: 0.5, p = e^-0.25', () => {
  const node: NodeObservation = {
    node: 'node-a',
    conntrack: { entries: parseConntrack(ex('nodes/node-a/conntrack.txt'), 'c'), file: 'c' },
    iptables: parseIptablesDump(ex('nodes/node-a/iptables-save.txt'), 'i'),
  };
  const o = observedShares(service, slices, [path(80, 'TCP', ALL), path(81, 'UDP', ALL)], [node]);
  const tcp = o.ports.find((p) => p.port === 80)!;
  assert.deepEqual(tcp.endpoints.map((e) => [e.ip, e.ruleCounter, e.conntrack.entries]), [['10.244.1.2', 9, 9], ['10.244.2.2', 10, 10], ['10.244.3.2', 11, 11]]);
  assert.deepEqual(tcp.endpoints[0]!.conntrack.states, { TIME_WAIT: 9 });
  // expected 10 each: (1 + 0 + 1) / 10 = 0.2, df 2, p = exp(-0.2 / 2)
  assert.ok(Math.abs(tcp.counterFit!.statistic - 0.2) < 1e-6);
  assert.equal(tcp.counterFit!.degreesOfFreedom, 2);
  assert.ok(Math.abs(tcp.counterFit!.pValue - Math.exp(-0.1)) < 1e-6);
  const udp = o.ports.find((p) => p.port === 81)!;
  assert.deepEqual(udp.endpoints.map((e) => e.ruleCounter), [3, 5, 4]);
  // expected 4 each: (1 + 1 + 0) / 4 = 0.5, p = exp(-0.25)
  assert.ok(Math.abs(udp.conntrackFit!.pValue - Math.exp(-0.25)) < 1e-6);
  assert.equal(tcp.cause, null);
  assert.deepEqual(o.stale, []);
  assert.deepEqual(o.findings, []);
});

test('web-2 gone, kube-proxy stopped: 8 UDP entries to 10.244.3.2 are stale, with the exact clearing command; TIME_WAIT TCP ones are not', () => {
  // What the EndpointSlice controller did in that capture: 10.244.3.2 left the slice.
  const after = slices.map((s) => ({ ...s, endpoints: (s.endpoints ?? []).filter((e) => !e.addresses.includes('10.244.3.2')) }));
  const node: NodeObservation = { node: 'node-a', conntrack: { entries: parseConntrack(fixture('conntrack-L-harness-stale-udp.txt'), 'c'), file: 'c' }, iptables: null };
  const o = observedShares(service, after, [path(80, 'TCP', ALL.slice(0, 2)), path(81, 'UDP', ALL.slice(0, 2))], [node]);
  assert.deepEqual(o.stale, [{
    node: 'node-a', protocol: 'UDP', address: '10.96.54.29', port: 81, endpoint: '10.244.3.2:8080', entries: 8,
    command: 'conntrack -D -p udp --orig-dst 10.96.54.29 --orig-port-dst 81 --reply-src 10.244.3.2 --reply-port-src 8080',
  }]);
  const f = o.findings.find((x) => x.id === 'stale-conntrack')!;
  assert.match(f.message, /8 UDP conntrack entries for 10\.96\.54\.29:81 still translate to 10\.244\.3\.2:8080/);
  // UDP: 16 entries left to web-0/web-1 (24 - 8), conntrack fit against 1/2 each; the stale ones are the cause when they differ.
  const udp = o.ports.find((p) => p.port === 81)!;
  assert.equal(udp.endpoints.reduce((a, e) => a + e.conntrack.entries, 0), 16);
});

test('causes: even counters but uneven live connections is keep-alive pinning; ClientIP affinity is named', () => {
  const entry = (i: number, to: string) => `tcp 6 431999 ESTABLISHED src=10.244.1.3 dst=10.96.54.29 sport=${40000 + i} dport=80 src=${to} dst=10.244.1.3 sport=8080 dport=${40000 + i} [ASSURED] mark=0 use=1`;
  // 30 open connections all to web-0, while the counters saw 100/100/100 new ones.
  const conntrack = Array.from({ length: 30 }, (_, i) => entry(i, '10.244.1.2')).join('\n');
  const save = ['*nat', ':KUBE-SEP-A - [0:0]', ':KUBE-SEP-B - [0:0]', ':KUBE-SEP-C - [0:0]',
    ...ALL.map((ip, i) => `[100:6000] -A KUBE-SEP-${'ABC'[i]} -p tcp -m comment --comment "kernel/web:tcp" -m tcp -j DNAT --to-destination ${ip}:8080`), 'COMMIT', ''].join('\n');
  const node: NodeObservation = { node: 'node-a', conntrack: { entries: parseConntrack(conntrack, 'c'), file: 'c' }, iptables: parseIptablesDump(save, 'i') };
  const o = observedShares(service, slices, [path(80, 'TCP', ALL)], [node]);
  const tcp = o.ports[0]!;
  assert.equal(tcp.counterFit!.statistic, 0);
  // conntrack 30/0/0 against 10 each: (400 + 100 + 100) / 10 = 60, df 2, p = exp(-30)
  assert.ok(Math.abs(tcp.conntrackFit!.statistic - 60) < 1e-6);
  assert.match(tcp.cause!, /long-lived \(keep-alive\) connections pin/);
  const sticky = observedShares({ ...service, spec: { ...service.spec, sessionAffinity: 'ClientIP' } }, slices, [path(80, 'TCP', ALL)], [node]);
  assert.match(sticky.ports[0]!.cause!, /session affinity/);
});

test('an endpoint still listed but neither ready nor serving (a deleted pod) is no longer an endpoint: its UDP entries are stale', () => {
  const listed = slices.map((s) => ({
    ...s,
    endpoints: (s.endpoints ?? []).map((e) => (e.addresses.includes('10.244.3.2') ? { ...e, conditions: { ready: false, serving: false, terminating: true } } : e)),
  }));
  const node: NodeObservation = { node: 'node-a', conntrack: { entries: parseConntrack(fixture('conntrack-L-harness-stale-udp.txt'), 'c'), file: 'c' }, iptables: null };
  assert.deepEqual(observedShares(service, listed, [], [node]).stale.map((x) => [x.endpoint, x.entries]), [['10.244.3.2:8080', 8]]);
  const serving = slices.map((s) => ({
    ...s,
    endpoints: (s.endpoints ?? []).map((e) => (e.addresses.includes('10.244.3.2') ? { ...e, conditions: { ready: false, serving: true, terminating: true } } : e)),
  }));
  assert.deepEqual(observedShares(service, serving, [], [node]).stale, []);
});
