// One packet-flow table, as kube-proxy's own proxier_test.go packet-flow tests do it: each row is a
// packet (source, destination, port, protocol) with the verdict, endpoints and masquerade kube-proxy
// gives it, run through every walker on real dumps AND through the API-only model of the same mode,
// so rules and semantics must agree.
//
// Bundle: examples/mixed-modes (see its README): the six services of kube-proxy's
// TestOverallIPTablesRules / TestOverallNFTablesRules on three nodes, one per mode:
//   node-iptables 192.168.0.3  real kernel iptables-save of TestOverallIPTablesRules
//   node-nftables 192.168.0.2  real `nft -j list ruleset` of TestOverallNFTablesRules
//   node-ipvs     192.168.0.4  real netns iptables-save + ipset list of the IPVS proxier's rules, ipvsadm -Sn
// Config: clusterCIDR 10.0.0.0/8, masqueradeAll false, localhostNodePorts true, nodePortAddresses
// unset (nftables: `primary`). Endpoints: svc1 10.180.0.1, svc2 10.180.0.2 (eTP=Local, on no node),
// svc3 10.180.0.3, svc4 10.180.0.4 + 10.180.0.5 (on node-ipvs), svc6 none.
// Expectations come from the proxiers (pkg/proxy/{iptables,nftables,ipvs}/proxier.go, cited per row),
// never from netpath's output.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import { nodeViews } from '../../../src/pipeline/node-views.ts';
import { resolveTrace } from '../../../src/analyzers/resolve-trace.ts';
import { runFacts } from '../../../src/analyzers/run-facts.ts';
import { findNode } from '../../../src/analyzers/kube-proxy/index.ts';
import { walkOnNode } from '../../../src/analyzers/walk-node.ts';
import type { Source } from '../../../src/model/question.ts';
import type { Outcome, Verdict } from '../../../src/model/outcome.ts';
import type { Protocol } from '../../../src/model/packet.ts';

const BUNDLE = 'examples/mixed-modes';
type Mode = 'iptables' | 'nftables' | 'ipvs';
const NODE: Record<Mode, { name: string; ip: string; pod: string }> = {
  iptables: { name: 'node-iptables', ip: '192.168.0.3', pod: 'pod/default/client-iptables' },
  nftables: { name: 'node-nftables', ip: '192.168.0.2', pod: 'pod/default/client-nftables' },
  ipvs: { name: 'node-ipvs', ip: '192.168.0.4', pod: 'pod/default/client-ipvs' },
};
const MODES: Mode[] = ['iptables', 'nftables', 'ipvs'];

/** What kube-proxy does with the packet: verdict, endpoints (IP -> share) and masquerade (DNAT only). */
interface Expect {
  verdict: Verdict;
  endpoints?: Record<string, number>;
  masquerade?: boolean;
}

interface Row {
  name: string;
  /** external (203.0.113.9), pod (the client pod on the entry node), node (the entry node itself). */
  source: 'external' | 'pod' | 'node';
  /** An address, or NODE for the entry node's InternalIP. */
  destination: string;
  port: number;
  protocol: Protocol;
  /** The same for every mode, unless `byMode` says otherwise for a mode. */
  expect: Expect;
  byMode?: Partial<Record<Mode, Expect>>;
}

const TABLE: Row[] = [
  {
    // iptables: KUBE-SVC-4SW47YFZTEDKD3PK splits 1/2 (--probability 0.5); the `! -s 10.0.0.0/8`
    // masquerade rule skips pod sources. nftables: numgen random mod 2. IPVS: rr over 2 real servers;
    // KUBE-SERVICES `! -s 10.0.0.0/8 --match-set KUBE-CLUSTER-IP` skips pods.
    name: 'ClusterIP from a pod: two endpoints, 1/2 each, source kept',
    source: 'pod',
    destination: '172.30.0.44',
    port: 80,
    protocol: 'TCP',
    expect: { verdict: 'DNAT', endpoints: { '10.180.0.4': 0.5, '10.180.0.5': 0.5 }, masquerade: false },
  },
  {
    // The node's own source is not in 10.0.0.0/8: every mode marks it for masquerade.
    name: 'ClusterIP from the node: masqueraded',
    source: 'node',
    destination: '172.30.0.44',
    port: 80,
    protocol: 'TCP',
    expect: { verdict: 'DNAT', endpoints: { '10.180.0.4': 0.5, '10.180.0.5': 0.5 }, masquerade: true },
  },
  {
    // iptables: filter KUBE-SERVICES "ns6/svc6:p80 has no endpoints" -j REJECT. nftables:
    // no-endpoint-services -> goto reject-chain. IPVS: a virtual server with no real server, the
    // kernel answers ICMP port unreachable.
    name: 'ClusterIP without endpoints: rejected',
    source: 'pod',
    destination: '172.30.0.46',
    port: 80,
    protocol: 'TCP',
    expect: { verdict: 'REJECT' },
  },
  {
    // eTP=Cluster NodePort: KUBE-EXT "masquerade traffic for ... external destinations" /
    // nftables external- chain `jump mark-for-masquerade` / IPVS KUBE-NODE-PORT-TCP -> KUBE-MARK-MASQ.
    name: 'NodePort (eTP=Cluster) from outside: DNAT, masqueraded',
    source: 'external',
    destination: 'NODE',
    port: 3003,
    protocol: 'TCP',
    expect: { verdict: 'DNAT', endpoints: { '10.180.0.3': 1 }, masquerade: true },
  },
  {
    // eTP=Local with no local endpoint: iptables filter KUBE-EXTERNAL-SERVICES "has no local
    // endpoints" -j DROP; nftables no-endpoint-nodeports `tcp . 3001 : drop`. IPVS falls back to
    // the cluster endpoints (proxier.go syncEndpoint, PR #97081) without masquerade
    // (KUBE-NODE-PORT-LOCAL-TCP -> RETURN).
    name: 'NodePort (eTP=Local, no local endpoint) from outside',
    source: 'external',
    destination: 'NODE',
    port: 3001,
    protocol: 'TCP',
    expect: { verdict: 'DROP' },
    byMode: { ipvs: { verdict: 'DNAT', endpoints: { '10.180.0.2': 1 }, masquerade: false } },
  },
  {
    // Pod traffic short-circuits eTP=Local to the cluster endpoints: iptables KUBE-EXT "pod traffic
    // for ... external destinations" -s 10.0.0.0/8 -j KUBE-SVC; nftables `ip saddr 10.0.0.0/8 goto
    // service-...` ("short-circuit pod traffic"); IPVS: the Local fallback above, unmasqueraded.
    name: 'NodePort (eTP=Local) from a pod on the node: short-circuit to the cluster endpoint',
    source: 'pod',
    destination: 'NODE',
    port: 3001,
    protocol: 'TCP',
    expect: { verdict: 'DNAT', endpoints: { '10.180.0.2': 1 }, masquerade: false },
  },
  {
    // Node traffic too, masqueraded: iptables "masquerade LOCAL traffic" / "route LOCAL traffic"
    // (addrtype --src-type LOCAL); nftables `fib saddr type local` jump mark-for-masquerade / goto
    // service-. IPVS: the Local fallback; the node's own source is kept (no KUBE-MARK-MASQ for
    // KUBE-NODE-PORT-LOCAL-TCP), and the reply comes back to the node that sent it.
    name: 'NodePort (eTP=Local) from the node itself: short-circuit, masqueraded',
    source: 'node',
    destination: 'NODE',
    port: 3001,
    protocol: 'TCP',
    expect: { verdict: 'DNAT', endpoints: { '10.180.0.2': 1 }, masquerade: true },
    byMode: { ipvs: { verdict: 'DNAT', endpoints: { '10.180.0.2': 1 }, masquerade: false } },
  },
  {
    // The health-check node port of ns2/svc2 (30000). iptables: filter INPUT -> KUBE-NODEPORTS
    // "ns2/svc2:p80 health check node port" --dport 30000 -j ACCEPT. IPVS: filter INPUT ->
    // KUBE-NODE-PORT --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT (30000 is a member).
    // nftables: TestOverallNFTablesRules has no rule for 30000 at all; kube-proxy's base chains
    // accept by policy, so no kube-proxy rule applies (NO-MATCH) and the health server answers.
    name: 'health-check node port from outside: accepted for the node itself',
    source: 'external',
    destination: 'NODE',
    port: 30000,
    protocol: 'TCP',
    expect: { verdict: 'ACCEPT' },
    byMode: { nftables: { verdict: 'NO-MATCH' } },
  },
  {
    // From the node: nat OUTPUT finds no service, filter OUTPUT, nat POSTROUTING, and the loopback
    // re-entry through filter INPUT meets the same ACCEPT.
    name: 'health-check node port from the node itself',
    source: 'node',
    destination: 'NODE',
    port: 30000,
    protocol: 'TCP',
    expect: { verdict: 'ACCEPT' },
    byMode: { nftables: { verdict: 'NO-MATCH' } },
  },
  {
    // Same on loopback: the ACCEPT has no -d; KUBE-FIREWALL's "block incoming localnet connections"
    // (! -s 127.0.0.0/8 -d 127.0.0.0/8) spares a 127.0.0.1 source; IPVS KUBE-IPVS-FILTER returns
    // for KUBE-HEALTH-CHECK-NODE-PORT and 127.0.0.1 is not in KUBE-IPVS-IPS.
    name: 'health-check node port on 127.0.0.1 from the node itself',
    source: 'node',
    destination: '127.0.0.1',
    port: 30000,
    protocol: 'TCP',
    expect: { verdict: 'ACCEPT' },
    byMode: { nftables: { verdict: 'NO-MATCH' } },
  },
  {
    // localhost NodePort, eTP=Cluster. iptables with localhostNodePorts (the default): KUBE-SERVICES
    // jumps to KUBE-NODEPORTS for every LOCAL destination (no `! -d 127.0.0.0/8`, proxier.go adds it
    // only when localhostNodePorts is false), KUBE-NODEPORTS `-d 127.0.0.0/8 ... -m nfacct
    // --nfacct-name localhost_nps_accepted_pkts` -> KUBE-EXT masquerades: the source 127.0.0.1 must
    // not leave the node (route_localnet=1 lets the DNATed packet out). nftables: NodePorts only on
    // @nodeport-ips (192.168.0.2; "never localhost", nftables/proxier.go), so no rule: NO-MATCH
    // (and nothing listens on 127.0.0.1:3003). IPVS: KUBE-SERVICES `-s 127.0.0.0/8 -j RETURN`, and no
    // virtual server on 127.0.0.1 (GetAllLocalAddressesExcept drops loopback): NO-MATCH.
    name: 'NodePort on 127.0.0.1 (eTP=Cluster) from the node itself',
    source: 'node',
    destination: '127.0.0.1',
    port: 3003,
    protocol: 'TCP',
    expect: { verdict: 'DNAT', endpoints: { '10.180.0.3': 1 }, masquerade: true },
    byMode: { nftables: { verdict: 'NO-MATCH' }, ipvs: { verdict: 'NO-MATCH' } },
  },
  {
    // localhost NodePort, eTP=Local without a local endpoint: iptables KUBE-EXT-GNZBNJ2PO5MGZ6GT
    // "masquerade LOCAL traffic" (127.0.0.1 is addrtype LOCAL) then "route LOCAL traffic" to
    // KUBE-SVC: the node reaches the remote endpoint, masqueraded. nftables/IPVS: as above.
    name: 'NodePort on 127.0.0.1 (eTP=Local) from the node itself',
    source: 'node',
    destination: '127.0.0.1',
    port: 3001,
    protocol: 'TCP',
    expect: { verdict: 'DNAT', endpoints: { '10.180.0.2': 1 }, masquerade: true },
    byMode: { nftables: { verdict: 'NO-MATCH' }, ipvs: { verdict: 'NO-MATCH' } },
  },
];

const source = await SnapshotSource.open(BUNDLE);
const state = await source.readState();
const ctx = runFacts(state);
const views = nodeViews(
  ctx,
  MODES.map((m) => NODE[m].name),
  await source.readNodes({ nodes: MODES.map((m) => NODE[m].name), healthCheckPorts: [] }),
);
await source.close();

function sourceOf(row: Row, mode: Mode): Source {
  if (row.source === 'external') return { kind: 'external', ip: '203.0.113.9' };
  if (row.source === 'node') return { kind: 'node', name: NODE[mode].name };
  return { kind: 'pod', namespace: 'default', name: NODE[mode].pod.split('/')[2]! };
}

/** The row's packet through node `mode`'s real rules (dataplane) or kube-proxy's semantics (model). */
function run(row: Row, mode: Mode, basis: 'dataplane' | 'model'): Outcome[] {
  const dst = row.destination === 'NODE' ? NODE[mode].ip : row.destination;
  const q = resolveTrace(
    ctx,
    { target: { kind: 'address', ip: dst, port: row.port }, source: sourceOf(row, mode), node: NODE[mode].name, protocol: row.protocol, port: null },
    'default',
  );
  const view = views.find((v) => v.node === NODE[mode].name)!;
  assert.equal(view.mode, mode);
  const walked = walkOnNode(ctx, basis === 'model' ? { ...view, basis: 'model' as const, walker: null } : view, findNode(state.nodes, q.packet.entryNode), q.packet, q.healthCheck);
  assert.equal(walked.basis, basis);
  return walked.outcomes;
}

/** Outcomes folded into the row's terms. */
function observed(outs: Outcome[]): Expect {
  const verdicts = [...new Set(outs.map((o) => o.verdict))];
  assert.equal(verdicts.length, 1, `one verdict expected, got ${verdicts.join(', ')}`);
  const verdict = verdicts[0]!;
  if (verdict !== 'DNAT') return { verdict };
  const endpoints: Record<string, number> = {};
  for (const o of outs) endpoints[o.endpoint!.ip] = (endpoints[o.endpoint!.ip] ?? 0) + o.probability;
  const masq = [...new Set(outs.map((o) => o.sourceIPPreserved === false))];
  assert.equal(masq.length, 1, 'every endpoint of a row is masqueraded alike');
  return { verdict, endpoints, masquerade: masq[0]! };
}

function assertMatches(got: Expect, want: Expect): void {
  assert.equal(got.verdict, want.verdict);
  if (want.verdict !== 'DNAT') return;
  assert.deepEqual(Object.keys(got.endpoints!).sort(), Object.keys(want.endpoints!).sort());
  for (const [ip, share] of Object.entries(want.endpoints!)) assert.ok(Math.abs(got.endpoints![ip]! - share) < 1e-9, `${ip}: ${got.endpoints![ip]} != ${share}`);
  assert.equal(got.masquerade, want.masquerade);
}

describe('packet-flow table on examples/mixed-modes: every walker and the model of its mode', () => {
  for (const row of TABLE) {
    for (const mode of MODES) {
      const want = row.byMode?.[mode] ?? row.expect;
      for (const basis of ['dataplane', 'model'] as const) {
        it(`${row.name} [${mode}, ${basis}]: ${want.verdict}`, () => assertMatches(observed(run(row, mode, basis)), want));
      }
    }
  }
});

describe('node-itself answers carry their evidence', () => {
  it('iptables: the health-check ACCEPT cites filter KUBE-NODEPORTS line 43, after the loopback re-entry into INPUT', () => {
    const [o] = run(TABLE.find((r) => r.name === 'health-check node port from the node itself')!, 'iptables', 'dataplane');
    const last = o!.steps.at(-1)!;
    // examples/mixed-modes/nodes/node-iptables/iptables-save.txt line 43:
    // -A KUBE-NODEPORTS -p tcp -m comment --comment "ns2/svc2:p80 health check node port" -m tcp --dport 30000 -j ACCEPT
    assert.deepEqual([last.table, last.chain, last.line], ['filter', 'KUBE-NODEPORTS', 43]);
    // nat OUTPUT -> filter OUTPUT -> nat POSTROUTING -> filter INPUT, in that order.
    const chains = o!.steps.map((s) => `${s.table}/${s.chain}`);
    assert.ok(chains.indexOf('nat/POSTROUTING') < chains.indexOf('filter/INPUT'));
    assert.ok(chains.indexOf('filter/OUTPUT') < chains.indexOf('nat/POSTROUTING'));
  });

  it('IPVS: the health-check ACCEPT cites filter KUBE-NODE-PORT line 37', () => {
    const [o] = run(TABLE.find((r) => r.name === 'health-check node port from outside: accepted for the node itself')!, 'ipvs', 'dataplane');
    const last = o!.steps.at(-1)!;
    // node-ipvs/iptables-save.txt line 37: -A KUBE-NODE-PORT -m comment --comment "Kubernetes health check
    // node port" -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT
    assert.deepEqual([last.table, last.chain, last.line], ['filter', 'KUBE-NODE-PORT', 37]);
  });

  it('the health server\'s answer comes with the verdict: 503 for ns2/svc2 (its only endpoint is on no node)', () => {
    for (const mode of MODES) {
      for (const basis of ['dataplane', 'model'] as const) {
        const [o] = run(TABLE.find((r) => r.name === 'health-check node port from outside: accepted for the node itself')!, mode, basis);
        assert.ok(o!.conditions.some((c) => /health server for ns2\/svc2 on node-\w+, which answers 503/.test(c)), `${mode} ${basis}: ${o!.conditions.join('; ')}`);
      }
    }
  });

  it('iptables: localhost NodePort from the node goes out with source 127.0.0.1, masqueraded by KUBE-EXT (line 90 first)', () => {
    const [o] = run(TABLE.find((r) => r.name === 'NodePort on 127.0.0.1 (eTP=Local) from the node itself')!, 'iptables', 'dataplane');
    // Line 90: -A KUBE-NODEPORTS -d 127.0.0.0/8 -p tcp -m comment --comment "ns2/svc2:p80" ... --dport 3001 -m nfacct ... -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
    assert.ok(o!.steps.some((s) => s.chain === 'KUBE-NODEPORTS' && s.line === 90));
    assert.ok(o!.steps.some((s) => s.rule.includes('masquerade LOCAL traffic')));
  });
});

describe('NodePorts on a node address outside nodePortAddresses (walkers; the API objects do not list such an address)', () => {
  // A bridge address (the first of each node's podCIDR) is a local address the Node object does not show.
  const walkAt = (mode: Mode, bridge: string, port: number) => {
    const view = views.find((v) => v.node === NODE[mode].name)!;
    return view.walker!.walk({ src: '203.0.113.9', dst: bridge, port, protocol: 'TCP', hook: 'prerouting' }, { localAddresses: [NODE[mode].ip, bridge, '127.0.0.1'] });
  };

  it('iptables (nodePortAddresses unset): every LOCAL address, so the bridge address serves NodePort 3003', () => {
    // KUBE-SERVICES "kubernetes service nodeports" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS.
    assert.deepEqual(walkAt('iptables', '10.0.3.1', 3003).map((o) => [o.verdict, o.dnat?.ip, o.masquerade]), [['DNAT', '10.180.0.3', true]]);
  });

  it('nftables (default `primary`): only @nodeport-ips { 192.168.0.2 }, so no rule for the bridge address', () => {
    assert.deepEqual(walkAt('nftables', '10.0.2.1', 3003).map((o) => o.verdict), ['NO-MATCH']);
  });

  it('IPVS: the dump has NodePort virtual servers on 192.168.0.4 only (kube-proxy makes one per local address it saw at sync), none on this address', () => {
    assert.deepEqual(walkAt('ipvs', '10.0.4.1', 3003).map((o) => [o.verdict, o.dnat]), [['NO-MATCH', null]]);
  });
});
