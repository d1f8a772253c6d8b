import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { toDot } from '../../../src/render/dot.ts';
import { buildPathGraph } from '../../../src/render/path-graph.ts';
import { toMermaid } from '../../../src/render/mermaid.ts';
import { toTree } from '../../../src/render/tree.ts';
import { explainBundle, traceBundle } from '../explain/bundle-helpers.ts';

/** kube-proxy's chain-name hash: base32(sha256(servicePortName + protocol)), first 16 characters. */
function portProtoHash(servicePortName: string, protocol: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...createHash('sha256').update(servicePortName + protocol).digest()].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = '';
  for (let i = 0; i + 5 <= bits.length && out.length < 16; i += 5) out += alphabet[Number.parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

/**
 * Expected picture of examples/real-local-lb shop/web, by hand from its README: pods web-a1,
 * web-a2 on node-a, web-b1 on node-b, none on node-c; externalTrafficPolicy Local, so node-c
 * answers 503 on the health check and the load balancer splits 1/2, 1/2, 0 over node-a, node-b,
 * node-c. node-a's KUBE-SVL chain splits its half 50/50: web-a1 and web-a2 get 1/4 each; web-b1
 * gets node-b's 1/2. node-c drops in filter/KUBE-EXTERNAL-SERVICES (no local endpoints).
 */
const SVL = `nat/KUBE-SVL-${portProtoHash('shop/web:http', 'tcp')}`;
const NODES = [
  'client', 'lb', 'node/node-a', 'node/node-b', 'node/node-c',
  `rule/node-a/${SVL}`, `rule/node-b/${SVL}`, 'rule/node-c/filter/KUBE-EXTERNAL-SERVICES',
  'pod/web-a1', 'pod/web-a2', 'pod/web-b1', 'dropped',
];
const EDGES: [string, string, string][] = [
  ['client', 'lb', 'LoadBalancer'],
  ['lb', 'node/node-a', '50.0% (health 200)'],
  ['lb', 'node/node-b', '50.0% (health 200)'],
  ['lb', 'node/node-c', '0.0% (health 503)'],
  ['node/node-a', `rule/node-a/${SVL}`, '50.0%'],
  ['node/node-b', `rule/node-b/${SVL}`, '50.0%'],
  ['node/node-c', 'rule/node-c/filter/KUBE-EXTERNAL-SERVICES', '0.0%'],
  [`rule/node-a/${SVL}`, 'pod/web-a1', 'DNAT 25.0%'],
  [`rule/node-a/${SVL}`, 'pod/web-a2', 'DNAT 25.0%'],
  [`rule/node-b/${SVL}`, 'pod/web-b1', 'DNAT 50.0%'],
  ['rule/node-c/filter/KUBE-EXTERNAL-SERVICES', 'dropped', 'DROP'],
];

const sorted = <T>(xs: T[]) => [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

const unescapeXml = (s: string) =>
  s.replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d))).replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** Graphviz's SVG: each node and edge is a <g class="node|edge"> with a <title>, edge labels as <text>. */
function parseSvg(svg: string): { nodes: string[]; edges: [string, string, string][] } {
  const groups = [...svg.matchAll(/<g id="[^"]+" class="(node|edge)">\s*<title>([^<]*)<\/title>([\s\S]*?)<\/g>/g)];
  const nodes = groups.filter((g) => g[1] === 'node').map((g) => unescapeXml(g[2]!));
  const edges = groups.filter((g) => g[1] === 'edge').map((g): [string, string, string] => {
    const [from, to] = unescapeXml(g[2]!).split('->') as [string, string];
    const label = [...g[3]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => unescapeXml(t[1]!)).join(' ');
    return [from, to, label];
  });
  return { nodes, edges };
}

describe('path graph pictures', () => {
  it('-o dot renders with Graphviz to an SVG with the expected nodes and labelled edges', async () => {
    const dot = toDot(await explainBundle('examples/real-local-lb', 'shop', 'web'));
    const svg = execFileSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
    const { nodes, edges } = parseSvg(svg);
    assert.deepEqual(nodes.sort(), [...NODES].sort());
    assert.deepEqual(sorted(edges), sorted(EDGES));
  });

  it('-o mermaid has the same nodes and edges, in a flowchart Mermaid can read', async () => {
    const lines = toMermaid(await explainBundle('examples/real-local-lb', 'shop', 'web')).trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 4), ['---', 'title: "shop/web: LoadBalancer 10.251.9.9:80/TCP, shares of the load balancer\'s connections"', '---', 'flowchart LR']);
    const labels = new Map<string, string>();
    const edges: [string, string, string][] = [];
    for (const line of lines.slice(4)) {
      const node = /^ {2}(n\d+)\["([^"]*)"\]$/.exec(line);
      const edge = /^ {2}(n\d+) -->\|"([^"]*)"\| (n\d+)$/.exec(line);
      assert.ok(node || edge, `not a node or an edge: ${line}`);
      if (node) labels.set(node[1]!, node[2]!.split('<br/>')[0]!);
      if (edge) edges.push([edge[1]!, edge[3]!, edge[2]!]);
    }
    // Mermaid ids are n0, n1, ...: compare by each node's first label line.
    const firstLine: Record<string, string> = {
      client: 'an external client (203.0.113.10)', lb: 'load balancer', 'node/node-a': 'node-a', 'node/node-b': 'node-b', 'node/node-c': 'node-c',
      [`rule/node-a/${SVL}`]: SVL, [`rule/node-b/${SVL}`]: SVL, 'rule/node-c/filter/KUBE-EXTERNAL-SERVICES': 'filter/KUBE-EXTERNAL-SERVICES',
      'pod/web-a1': 'web-a1', 'pod/web-a2': 'web-a2', 'pod/web-b1': 'web-b1', dropped: 'dropped',
    };
    assert.equal(labels.size, NODES.length);
    // The two SVL rule nodes share a first line, so compare edges by (from label, to label, edge label) as a multiset.
    const byLabel = (e: [string, string, string]) => [labels.get(e[0]), labels.get(e[1]), e[2]];
    assert.deepEqual(sorted(edges.map(byLabel)), sorted(EDGES.map(([f, t, l]) => [firstLine[f], firstLine[t], l])));
  });

  it('-o tree: one hop per line within the width, node-c and its DROP included', async () => {
    const tree = toTree(await explainBundle('examples/real-local-lb', 'shop', 'web'), { color: false, width: 80 });
    for (const line of tree.split('\n')) assert.ok([...line].length <= 80, line);
    assert.match(tree, /├─ 50\.0% \(health 200\) -> node-a\n/);
    assert.match(tree, /│ {5}├─ DNAT 25\.0% -> web-a1 10\.244\.1\.2:8080 on node-a/);
    assert.match(tree, /└─ 0\.0% \(health 503\) -> node-c\n {6}└─ 0\.0% -> filter\/KUBE-EXTERNAL-SERVICES iptables-save\.txt:34 on node-c\n {9}└─ DROP -> dropped\n/);
  });

  it('trace: client -> entry node -> deciding rule -> dropped', async () => {
    const result = await traceBundle('examples/real-local-lb', '10.251.9.9:80', 'external', { node: 'node-c' });
    const { nodes, edges } = parseSvg(execFileSync('dot', ['-Tsvg'], { input: toDot(result), encoding: 'utf8' }));
    assert.deepEqual(nodes.sort(), ['client', 'dropped', 'node/node-c', 'rule/node-c/filter/KUBE-EXTERNAL-SERVICES']);
    assert.deepEqual(sorted(edges), sorted([
      ['client', 'node/node-c', '10.251.9.9:80/TCP'],
      ['node/node-c', 'rule/node-c/filter/KUBE-EXTERNAL-SERVICES', '100.0%'],
      ['rule/node-c/filter/KUBE-EXTERNAL-SERVICES', 'dropped', 'DROP 100.0%'],
    ]));
  });

  it('the deciding rule of a DNAT in each mode: the statistic chain, the numgen service chain, the IPVS virtual server', async () => {
    // examples/mixed-modes ns4/svc4: ExternalIP 192.168.99.33:80, two endpoints, eTP Cluster.
    // iptables: KUBE-SVC-<hash> picks the endpoint (--probability), KUBE-SEP-* only DNATs;
    // nftables: the service-* chain's numgen vmap picks, endpoint-* DNATs; IPVS: the virtual
    // server 192.168.99.33:80 schedules (rr) over its real servers.
    const graph = buildPathGraph(await explainBundle('examples/mixed-modes', 'ns4', 'svc4'));
    const rules = graph.nodes.filter((n) => n.kind === 'rule').map((n) => n.id).sort();
    assert.equal(rules.length, 3);
    assert.equal(rules[0], `rule/node-iptables/nat/KUBE-SVC-${portProtoHash('ns4/svc4:p80', 'tcp')}`);
    assert.equal(rules[1], 'rule/node-ipvs/ipvs/TCP 192.168.99.33:80');
    assert.match(rules[2]!, /^rule\/node-nftables\/ip kube-proxy\/service-[A-Z2-7]{8}-ns4\/svc4\/tcp\/p80$/);
    // Behind no load balancer, shares are of what each node receives: 1/2 per endpoint per node.
    assert.deepEqual([...new Set(graph.edges.filter((e) => e.label.startsWith('DNAT')).map((e) => e.label))], ['DNAT 50.0%']);
    assert.ok(graph.nodes.filter((n) => n.kind === 'endpoint').every((n) => !n.label.some((l) => l.includes('of the traffic'))));
  });
});
