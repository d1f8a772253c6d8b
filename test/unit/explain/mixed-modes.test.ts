// Acceptance of mixed kube-proxy modes on examples/mixed-modes (see its README): one cluster with the
// six services of kube-proxy's TestOverall*Rules and three nodes, each in another mode:
//   node-iptables 192.168.0.3  iptables-save.txt  (real kernel dump of TestOverallIPTablesRules)
//   node-nftables 192.168.0.2  nft.json           (real `nft -j list ruleset` of TestOverallNFTablesRules)
//   node-ipvs     192.168.0.4  ipvsadm.txt (hand-written) + ipset.txt, iptables-save.txt (real netns dumps)
// Endpoints have no nodeName except 10.180.0.5 (ns4/svc4), which is on node-ipvs. Every line number
// and nft handle below was read by hand from those files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainBundle, traceBundle } from './bundle-helpers.ts';
import type { Outcome, Step } from '../../../src/model/outcome.ts';
import type { PathReport, ServiceExplanation } from '../../../src/model/results.ts';

const BUNDLE = 'examples/mixed-modes';
const MODES = { 'node-iptables': 'iptables', 'node-nftables': 'nftables', 'node-ipvs': 'ipvs' } as const;
type NodeName = keyof typeof MODES;
const NODES = Object.keys(MODES) as NodeName[];
const NODE_IP: Record<NodeName, string> = { 'node-iptables': '192.168.0.3', 'node-nftables': '192.168.0.2', 'node-ipvs': '192.168.0.4' };
const SERVICES = [['ns1', 'svc1'], ['ns2', 'svc2'], ['ns3', 'svc3'], ['ns4', 'svc4'], ['ns5', 'svc5'], ['ns6', 'svc6']] as const;
/** Files each mode's walker reads: steps must cite only these. */
const FILES: Record<string, string[]> = { iptables: ['iptables-save.txt'], nftables: ['nft.json'], ipvs: ['ipvsadm.txt', 'iptables-save.txt'] };

const close = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-9;
const sum = (os: readonly Outcome[]) => os.reduce((s, o) => s + o.probability, 0);
const last = (o: Outcome | undefined): Step | undefined => o?.steps[o.steps.length - 1];
/** Steps as [chain, line, handle] for compact comparisons. */
const at = (s: Step | undefined) => [s?.chain, s?.line ?? null, s?.handle ?? null];
const hasStep = (o: Outcome | undefined, chain: string, line: number | null, handle: number | null = null) =>
  !!o?.steps.some((s) => s.chain === chain && s.line === line && (s.handle ?? null) === handle);

function path(r: ServiceExplanation, entry: PathReport['entry'], node: NodeName): PathReport {
  const p = r.paths.find((x) => x.entry === entry && x.node === node);
  assert.ok(p, `${entry} path on ${node}`);
  return p;
}
const byIP = (p: PathReport) => new Map(p.outcomes.map((o) => [o.endpoint?.ip ?? o.verdict, o]));

test('each node reports the mode of its proxy-mode file, and every path is walked through that node\'s own dump', async () => {
  for (const [ns, name] of SERVICES) {
    const r = await explainBundle(BUNDLE, ns, name);
    const what = `${ns}/${name}`;
    assert.deepEqual(
      r.nodes.map((n) => [n.name, n.proxyMode, n.proxyModeSource]).sort(),
      [['node-iptables', 'iptables', 'proxy-mode'], ['node-ipvs', 'ipvs', 'proxy-mode'], ['node-nftables', 'nftables', 'proxy-mode']],
      what,
    );
    // Every service has a ClusterIP, so each node has at least one path.
    assert.deepEqual([...new Set(r.paths.map((p) => p.node))].sort(), ['node-iptables', 'node-ipvs', 'node-nftables'], what);
    for (const p of r.paths) {
      assert.equal(p.basis, 'dataplane', `${what} ${p.entry} on ${p.node}`);
      assert.ok(close(sum(p.outcomes), 1), `${what} ${p.entry} on ${p.node} sums to 1`);
      const allowed = FILES[MODES[p.node as NodeName]]!;
      for (const o of p.outcomes) {
        for (const s of o.steps) {
          assert.equal(s.node, p.node);
          assert.ok(s.file !== undefined && allowed.includes(s.file), `${what} ${p.entry} on ${p.node}: step from ${s.file}`);
        }
      }
    }
    const ids = r.findings.map((f) => f.id);
    for (const bad of ['dataplane-stale', 'dump-not-understood', 'proxy-mode-mismatch']) {
      assert.ok(!ids.includes(bad), `${what}: ${bad}: ${r.findings.filter((f) => f.id === bad).map((f) => f.message).join(' | ')}`);
    }
  }
});

test('ns4/svc4 ClusterIP from a pod on each node: 10.180.0.4 and 10.180.0.5 at 0.5 each, with each mode\'s evidence', async () => {
  const r = await explainBundle(BUNDLE, 'ns4', 'svc4');
  for (const node of NODES) {
    const p = path(r, 'ClusterIP', node);
    assert.equal(p.address, '172.30.0.44');
    assert.match(p.from, new RegExp(`^pod default/client-${MODES[node]} on ${node}`), 'a real pod of that node is the source');
    const o = byIP(p);
    assert.deepEqual([...o.keys()].sort(), ['10.180.0.4', '10.180.0.5'], node);
    for (const ip of ['10.180.0.4', '10.180.0.5']) {
      assert.ok(close(o.get(ip)?.probability, 0.5), `${node} ${ip}`);
      assert.equal(o.get(ip)?.verdict, 'DNAT');
      // Pod sources 10.0.x.10 are inside clusterCIDR 10.0.0.0/8: no mode masquerades them.
      assert.equal(o.get(ip)?.sourceIPPreserved, true, `${node} ${ip}`);
    }
    // 10.180.0.5 has nodeName node-ipvs; 10.180.0.4 has none.
    assert.equal(o.get('10.180.0.5')?.hop, node === 'node-ipvs' ? 'local' : 'remote', node);
    assert.equal(o.get('10.180.0.4')?.hop, 'remote');
    assert.equal(o.get('10.180.0.4')?.endpoint?.node, null);
    assert.equal(o.get('10.180.0.5')?.endpoint?.node, 'node-ipvs');
  }
  // iptables: rule 122 fires with p=0.5 -> 0.5; rule 123 takes the rest, (1-0.5)*1 = 0.5.
  const ipt = byIP(path(r, 'ClusterIP', 'node-iptables'));
  assert.ok(hasStep(ipt.get('10.180.0.4'), 'KUBE-SVC-4SW47YFZTEDKD3PK', 122));
  assert.ok(hasStep(ipt.get('10.180.0.4'), 'KUBE-SEP-UKSFD7AGPMPPLUHC', 110), 'DNAT --to-destination 10.180.0.4:80');
  assert.ok(hasStep(ipt.get('10.180.0.5'), 'KUBE-SVC-4SW47YFZTEDKD3PK', 123));
  assert.ok(hasStep(ipt.get('10.180.0.5'), 'KUBE-SEP-C6EBXVWJJZMIWKLZ', 100), 'DNAT --to-destination 10.180.0.5:80');
  // nftables: `numgen random mod 2` (handle 86) picks element 0 or 1, 1/2 each; dnat rules 92 and 90.
  const nft = byIP(path(r, 'ClusterIP', 'node-nftables'));
  for (const ip of ['10.180.0.4', '10.180.0.5']) assert.ok(hasStep(nft.get(ip), 'service-LAUZTJTB-ns4/svc4/tcp/p80', null, 86), ip);
  assert.deepEqual(at(last(nft.get('10.180.0.4'))), ['endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80', null, 92]);
  assert.deepEqual(at(last(nft.get('10.180.0.5'))), ['endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80', null, 90]);
  // IPVS: virtual server line 11 (rr), real servers lines 12 and 13 at weight 1 each: 1/(1+1) = 0.5.
  const ipvs = byIP(path(r, 'ClusterIP', 'node-ipvs'));
  for (const [ip, line] of [['10.180.0.4', 12], ['10.180.0.5', 13]] as const) {
    const steps = ipvs.get(ip)?.steps.filter((s) => s.table === 'ipvs').map((s) => [s.file, s.line, s.rule]);
    assert.deepEqual(steps, [
      ['ipvsadm.txt', 11, '-A -t 172.30.0.44:80 -s rr'],
      ['ipvsadm.txt', line, `-a -t 172.30.0.44:80 -r ${ip}:80 -m -w 1`],
    ]);
    // KUBE-CLUSTER-IP accept (line 75) after the masquerade rule at line 68 skipped the pod source.
    assert.ok(hasStep(ipvs.get(ip), 'KUBE-SERVICES', 75) && !hasStep(ipvs.get(ip), 'KUBE-SERVICES', 68), ip);
  }
});

test('ns6/svc6 (no endpoints) is rejected on all three nodes, each at its own rule', async () => {
  const r = await explainBundle(BUNDLE, 'ns6', 'svc6');
  const only = (node: NodeName) => {
    const p = path(r, 'ClusterIP', node);
    assert.equal(p.outcomes.length, 1, node);
    assert.equal(p.outcomes[0]?.verdict, 'REJECT', node);
    assert.equal(p.outcomes[0]?.probability, 1, node);
    return p.outcomes[0]!;
  };
  // iptables: filter KUBE-SERVICES "ns6/svc6:p80 has no endpoints" -j REJECT, line 45.
  assert.deepEqual(at(last(only('node-iptables'))), ['KUBE-SERVICES', 45, null]);
  // nftables: service-endpoints-check (handle 63) vmap @no-endpoint-services -> goto reject-chain, whose reject is handle 60.
  const nft = only('node-nftables');
  assert.ok(hasStep(nft, 'service-endpoints-check', null, 63));
  assert.ok(nft.steps.some((s) => s.chain === 'map no-endpoint-services' && s.rule.startsWith('172.30.0.46 . tcp . 80')));
  assert.deepEqual(at(last(nft)), ['reject-chain', null, 60]);
  // IPVS: the virtual server of line 16 has no real server (line 17 is the next VS): the kernel answers port unreachable.
  const ipvs = only('node-ipvs');
  assert.deepEqual([last(ipvs)?.file, last(ipvs)?.line, last(ipvs)?.rule], ['ipvsadm.txt', 16, '-A -t 172.30.0.46:80 -s rr']);
  assert.equal(ipvs.steps.filter((s) => s.table === 'ipvs').length, 1, 'no real server step');
  assert.ok(r.findings.some((f) => f.id === 'no-endpoints' && f.severity === 'error'));
});

test('ns2/svc2 (Local, no local endpoint anywhere): iptables and nftables drop external traffic, IPVS falls back to the cluster endpoint', async () => {
  const r = await explainBundle(BUNDLE, 'ns2', 'svc2');
  // Health checks are kube-proxy's, whatever the mode: 0 local endpoints -> 503 on all three.
  assert.deepEqual(
    r.nodes.map((n) => [n.name, n.readyLocalEndpoints, n.healthCheck.status]).sort(),
    [['node-iptables', 0, 503], ['node-ipvs', 0, 503], ['node-nftables', 0, 503]],
  );
  // Where the modes agree: ClusterIP from a pod reaches 10.180.0.2 with probability 1 on every node.
  for (const node of NODES) {
    const o = path(r, 'ClusterIP', node).outcomes;
    assert.deepEqual(o.map((x) => [x.verdict, x.endpoint?.ip, x.probability]), [['DNAT', '10.180.0.2', 1]], node);
  }
  // NodePort on each node's own address (iptables addrtype LOCAL, nft @nodeport-ips = {192.168.0.2}, IPVS VS per node IP).
  for (const node of NODES) assert.equal(path(r, 'NodePort', node).address, NODE_IP[node]);
  const drop = (entry: PathReport['entry'], node: NodeName) => {
    const p = path(r, entry, node);
    assert.deepEqual(p.outcomes.map((o) => [o.verdict, o.probability]), [['DROP', 1]], `${entry} on ${node}`);
    return p.outcomes[0]!;
  };
  // iptables: filter KUBE-EXTERNAL-SERVICES "has no local endpoints" DROP rules, lines 38 (NodePort), 37 (LB), 36 (external IP).
  assert.deepEqual(at(last(drop('NodePort', 'node-iptables'))), ['KUBE-EXTERNAL-SERVICES', 38, null]);
  assert.deepEqual(at(last(drop('LoadBalancer', 'node-iptables'))), ['KUBE-EXTERNAL-SERVICES', 37, null]);
  assert.deepEqual(at(last(drop('ExternalIP', 'node-iptables'))), ['KUBE-EXTERNAL-SERVICES', 36, null]);
  // nftables: nodeport-endpoints-check (handle 59) / service-endpoints-check (handle 63) hit the `: drop` elements.
  const npNft = drop('NodePort', 'node-nftables');
  assert.ok(hasStep(npNft, 'nodeport-endpoints-check', null, 59));
  assert.deepEqual([last(npNft)?.chain, last(npNft)?.rule], ['map no-endpoint-nodeports', 'tcp . 3001 comment "ns2/svc2:p80" : drop']);
  for (const [entry, ip] of [['LoadBalancer', '1.2.3.4'], ['ExternalIP', '192.168.99.22']] as const) {
    const o = drop(entry, 'node-nftables');
    assert.ok(hasStep(o, 'service-endpoints-check', null, 63), entry);
    assert.deepEqual([last(o)?.chain, last(o)?.rule], ['map no-endpoint-services', `${ip} . tcp . 80 comment "ns2/svc2:p80" : drop`]);
  }
  // IPVS: syncEndpoint gives Local VSs the cluster endpoints when there is no local one (PR #97081):
  // VS and real-server lines 17/18 (NodePort), 1/2 (LB), 23/24 (external IP); 1 real server -> probability 1.
  // Not masqueraded: the *-LOCAL ipsets make nat return before KUBE-MARK-MASQ, so 10.180.0.2 (on another node)
  // sees the client and answers it directly.
  for (const [entry, vs, rs, vip, notMasq] of [
    ['NodePort', 17, 18, '192.168.0.4:3001', ['KUBE-NODE-PORT', 60]],
    ['LoadBalancer', 1, 2, '1.2.3.4:80', ['KUBE-LOAD-BALANCER', 57]],
    ['ExternalIP', 23, 24, '192.168.99.22:80', ['KUBE-SERVICES', 72]],
  ] as const) {
    const p = path(r, entry, 'node-ipvs');
    assert.equal(p.outcomes.length, 1, entry);
    const o = p.outcomes[0]!;
    assert.deepEqual([o.verdict, o.probability, o.endpoint?.ip, o.endpoint?.port, o.hop, o.sourceIPPreserved], ['DNAT', 1, '10.180.0.2', 80, 'remote', true], entry);
    assert.deepEqual(
      o.steps.filter((s) => s.table === 'ipvs').map((s) => [s.line, s.rule]),
      [[vs, `-A -t ${vip} -s rr`], [rs, `-a -t ${vip} -r 10.180.0.2:80 -m -w 1`]],
      entry,
    );
    assert.ok(hasStep(o, notMasq[0], notMasq[1]), `${entry}: ${notMasq.join(' line ')}`);
    assert.ok(!o.steps.some((s) => s.chain === 'KUBE-MARK-MASQ'), entry);
    // The rules forward it, but without SNAT the remote pod answers the client directly: say so.
    assert.ok(o.conditions.some((c) => /asymmetric/.test(c) && /client drops it/.test(c)), `${entry}: ${o.conditions.join(' | ')}`);
  }
  assert.ok(r.findings.some((f) => f.id === 'local-policy-unhealthy-nodes'));
});

test('the mixed-proxy-modes finding names the three nodes and their modes; a one-mode bundle has none', async () => {
  const r = await explainBundle(BUNDLE, 'ns2', 'svc2');
  const mixed = r.findings.filter((f) => f.id === 'mixed-proxy-modes');
  assert.equal(mixed.length, 1);
  const f = mixed[0]!;
  assert.equal(f.severity, 'warning');
  for (const node of NODES) assert.ok(f.message.includes(`${MODES[node]}: ${node}`), `message names ${MODES[node]}: ${node}`);
  assert.deepEqual(
    f.evidence.map((e) => (e.kind === 'node' ? [e.node, e.detail] : [e.kind])).sort(),
    [['node-iptables', 'kube-proxy mode iptables'], ['node-ipvs', 'kube-proxy mode ipvs'], ['node-nftables', 'kube-proxy mode nftables']],
  );
  const single = await explainBundle('examples/overall', 'ns2', 'svc2');
  assert.deepEqual(single.findings.filter((x) => x.id === 'mixed-proxy-modes'), [], 'examples/overall: one node, iptables only');
});

test('trace to the LB IP 1.2.3.4:80 from outside gives each entry node\'s own answer', async () => {
  const got = new Map<NodeName, Outcome[]>();
  for (const node of NODES) {
    const t = await traceBundle(BUNDLE, '1.2.3.4:80', 'external', { node });
    assert.equal(t.packet.entryNode, node);
    assert.equal(t.proxyMode, MODES[node]);
    assert.equal(t.basis, 'dataplane');
    assert.deepEqual(t.service, { namespace: 'ns2', name: 'svc2', entry: 'LoadBalancer' });
    assert.deepEqual(t.findings.filter((f) => f.id === 'dataplane-stale'), [], node);
    got.set(node, t.outcomes);
  }
  assert.deepEqual(got.get('node-iptables')?.map((o) => [o.verdict, ...at(last(o))]), [['DROP', 'KUBE-EXTERNAL-SERVICES', 37, null]]);
  assert.deepEqual(got.get('node-nftables')?.map((o) => [o.verdict, last(o)?.chain]), [['DROP', 'map no-endpoint-services']]);
  assert.deepEqual(got.get('node-ipvs')?.map((o) => [o.verdict, o.endpoint?.ip, o.probability]), [['DNAT', '10.180.0.2', 1]]);
  assert.ok(hasStep(got.get('node-ipvs')?.[0], 'TCP 1.2.3.4:80', 2), 'ipvsadm line 2: the real server');
});

test('trace to a node IP\'s NodePort enters at that node: 3001 drops on iptables/nftables, reaches 10.180.0.2 on IPVS', async () => {
  const want: Record<NodeName, string[]> = { 'node-iptables': ['DROP'], 'node-nftables': ['DROP'], 'node-ipvs': ['DNAT 10.180.0.2'] };
  for (const node of NODES) {
    const t = await traceBundle(BUNDLE, `${NODE_IP[node]}:3001`, 'external');
    assert.equal(t.packet.entryNode, node, 'implied by the NodePort target');
    assert.equal(t.proxyMode, MODES[node]);
    assert.equal(t.service?.entry, 'NodePort');
    assert.deepEqual(t.outcomes.map((o) => (o.endpoint ? `${o.verdict} ${o.endpoint.ip}` : o.verdict)), want[node], node);
  }
});

test('trace svc/ns4/svc4 from the client pod on each node: same endpoints and shares, hop by nodeName', async () => {
  for (const node of NODES) {
    const t = await traceBundle(BUNDLE, 'svc/ns4/svc4', `pod/default/client-${MODES[node]}`);
    assert.equal(t.packet.entryNode, node, 'the pod\'s node');
    assert.equal(t.proxyMode, MODES[node]);
    assert.equal(t.basis, 'dataplane');
    assert.deepEqual(
      t.outcomes.map((o) => [o.verdict, o.endpoint?.ip, o.probability, o.hop]).sort(),
      [['DNAT', '10.180.0.4', 0.5, 'remote'], ['DNAT', '10.180.0.5', 0.5, node === 'node-ipvs' ? 'local' : 'remote']],
      node,
    );
  }
});
