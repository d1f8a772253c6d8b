import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nftablesModule } from '../../../src/dataplane/nftables/index.ts';
import { loadDataplane } from '../../../src/dataplane/select-mode.ts';
import { DATAPLANES } from '../../../src/dataplane/registry.ts';
import type { WalkOutcome, WalkPacket } from '../../../src/dataplane/types.ts';

// One ruleset, two forms (test/fixtures/nft-list-kube-proxy-v1.36.3-nodeport.md): node-a of the
// harness, Service txt/web 10.96.157.11 (80/TCP -> 8080, 53/UDP -> 5353, NodePorts 30080/TCP and
// 30930/UDP), endpoints 10.244.1.2 (node-a), 10.244.2.2, 10.244.3.2; node-a is 10.240.0.11.
const TEXT = readFileSync('test/fixtures/nft-list-kube-proxy-v1.36.3-nodeport.nft', 'utf8');
const JSON_TEXT = readFileSync('test/fixtures/nft-json-kube-proxy-v1.36.3-nodeport.json', 'utf8');
const HOST = { localAddresses: ['10.240.0.11', '127.0.0.1'] };

const fromText = nftablesModule.load(new Map([['nft.txt', TEXT]]));
const fromJson = nftablesModule.load(new Map([['nft.json', JSON_TEXT]]));

const summary = (os: WalkOutcome[]) =>
  os.map((o) => ({ verdict: o.verdict, p: o.probability.toFixed(4), dnat: o.dnat && `${o.dnat.ip}:${o.dnat.port}`, masq: o.masquerade, chains: o.steps.map((s) => `${s.table} ${s.chain}`) }));

const pkt = (src: string, dst: string, port: number, protocol: 'TCP' | 'UDP'): WalkPacket => ({ src, dst, port, protocol, hook: 'prerouting' });
const third = (1 / 3).toFixed(4);
const eps = (port: number) => ['10.244.1.2', '10.244.2.2', '10.244.3.2'].map((ip) => `${ip}:${port}`);

// Expectations from kube-proxy's nftables rules (pkg/proxy/nftables/proxier.go, as in the fixture):
const cases: { name: string; packet: WalkPacket; want: { verdict: string; p: string; dnat: string | null; masq: boolean }[] }[] = [
  {
    // service-ips vmap -> service chain: numgen random mod 3, 1/3 each; saddr outside 10.244.0.0/16 is marked, so masqueraded.
    name: 'ClusterIP 80/TCP from outside the cluster',
    packet: pkt('10.240.0.99', '10.96.157.11', 80, 'TCP'),
    want: eps(8080).map((dnat) => ({ verdict: 'DNAT', p: third, dnat, masq: true })),
  },
  {
    // nodeport-ips holds 10.240.0.11: service-nodeports vmap -> external chain (mark) -> service chain.
    name: 'NodePort 30930/UDP on the node IP',
    packet: pkt('10.240.0.99', '10.240.0.11', 30930, 'UDP'),
    want: eps(5353).map((dnat) => ({ verdict: 'DNAT', p: third, dnat, masq: true })),
  },
  {
    // From a pod: no mark; only the hairpin (10.244.1.2 to itself, in hairpin-connections) is masqueraded.
    name: 'ClusterIP 80/TCP from endpoint pod 10.244.1.2',
    packet: pkt('10.244.1.2', '10.96.157.11', 80, 'TCP'),
    want: eps(8080).map((dnat, i) => ({ verdict: 'DNAT', p: third, dnat, masq: i === 0 })),
  },
  {
    // No service-ips element for port 81: forwarded, filter-forward's cluster-ips-check rejects it.
    name: 'ClusterIP on a port the Service does not have',
    packet: pkt('10.240.0.99', '10.96.157.11', 81, 'TCP'),
    want: [{ verdict: 'REJECT', p: (1).toFixed(4), dnat: null, masq: false }],
  },
  {
    // Not in cluster-ips but inside the service CIDR 10.96.0.0/16: dropped.
    name: 'an unallocated ClusterIP',
    packet: pkt('10.240.0.99', '10.96.1.1', 80, 'TCP'),
    want: [{ verdict: 'DROP', p: (1).toFixed(4), dnat: null, masq: false }],
  },
];

for (const c of cases) {
  test(`nft.txt and nft.json of one ruleset walk alike: ${c.name}`, () => {
    const text = summary(fromText.walk(c.packet, HOST));
    const json = summary(fromJson.walk(c.packet, HOST));
    assert.deepEqual(text.map(({ chains: _, ...o }) => o), c.want);
    assert.deepEqual(text, json);
  });
}

test('the text form is parsed without notices: kube-proxy 1.36\'s dnat ... map is understood', () => {
  assert.deepEqual(fromText.notices(), []);
});

test('a node with only nft.txt is detected and walked as nftables; with both, nft.json is walked', () => {
  const onlyText = loadDataplane(null, new Map([['nft.txt', TEXT]]), DATAPLANES);
  assert.equal(onlyText.mode, 'nftables');
  const step = (w: typeof onlyText) => w.walker!.walk(cases[0]!.packet, HOST)[0]!.steps[0]!.file;
  assert.equal(step(onlyText), 'nft.txt');
  const both = loadDataplane('nftables', new Map([['nft.json', JSON_TEXT], ['nft.txt', TEXT]]), DATAPLANES);
  assert.equal(step(both), 'nft.json');
});

test('a damaged nft.txt is an error even beside a good nft.json (every dump given is read)', () => {
  assert.throws(() => loadDataplane('nftables', new Map([['nft.json', JSON_TEXT], ['nft.txt', 'table ip kube-proxy {\n\tchain x {\n']]), DATAPLANES), /nft\.txt/);
});
