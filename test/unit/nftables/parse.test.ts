/** Parsing every nftables fixture, in both syntaxes, and rendering rules back as `nft list ruleset` prints them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { parseNftJson, parseNftText, renderRule } from '../../../src/dataplane/nftables/index.ts';
import type { NftRuleset } from '../../../src/dataplane/nftables/index.ts';
import { findTable } from '../../../src/dataplane/nftables/model.ts';
import { localFixture, sharedFixture } from './helpers.ts';

const ruleCount = (rs: NftRuleset) => rs.tables.reduce((n, t) => n + [...t.chains.values()].reduce((m, c) => m + c.rules.length, 0), 0);
const unknownNotices = (rs: NftRuleset) => rs.notices.filter((n) => n.kind === 'unknown-expression');
const kp = (rs: NftRuleset) => findTable(rs, 'ip', 'kube-proxy')!;

// Rule counts counted independently of the parser: `grep -c '^add rule'` for nft -f files, python's
// json module for the JSON dumps, and an awk count of the lines inside chain blocks for list files.
const EXPECTED: Record<string, number> = {
  'nft-json-TestOverallNFTablesRules.json': 57,
  'nft-list-TestOverallNFTablesRules.nft': 57,
  'nftables-TestOverallNFTablesRules.nft': 57,
  'nftables-TestSyncProxyRulesRepeated-endpoint-changed-stale-chain.nft': 35,
  'nftables-TestSyncProxyRulesRepeated-svc2-deleted-stale-chains.nft': 31,
  'nftables-baseRules-81810de6.nft': 23,
  'nftables-real-k3s-nft-list-table.nft': 77,
  'netpath-numgen-input.nft': 54,
  'nft-json-netpath-numgen.json': 54,
  'nft-list-netpath-numgen.nft': 54,
  'nft-list-handles-netpath-numgen.nft': 54,
  'nft-json-overall-inline-masq.json': 56,
  'nft-list-overall-inline-masq.nft': 56,
  'nftables-knftables-kube-proxy-example.nft': 52,
  'nft-json-knftables-kube-proxy-example.json': 52,
  'netpath-verdicts-input.nft': 8,
  'nft-json-netpath-verdicts.json': 8,
  // python3 json: sum(1 for x in nftables if 'rule' in x) (ip and ip6 kube-proxy tables).
  'nft-json-kube-proxy-v1.36.3-clusterip.json': 45,
  // Same python count; the text by awk: non-empty lines in chain blocks other than type/comment lines.
  'nft-json-kube-proxy-v1.36.3-nodeport.json': 49,
  'nft-list-kube-proxy-v1.36.3-nodeport.nft': 49,
};
/** Tables of their own, without kube-proxy's. */
const NOT_KUBE_PROXY = new Set(['netpath-verdicts-input.nft', 'nft-json-netpath-verdicts.json']);
/** Deliberately holds a `limit` statement (see fixtures/netpath-unknown.md). */
const WITH_UNKNOWN = new Set(['nft-json-netpath-unknown.json', 'nft-list-netpath-unknown.nft', 'netpath-unknown-input.nft']);

function parseFile(name: string, text: string): NftRuleset {
  return name.endsWith('.json') ? parseNftJson(text, name) : parseNftText(text, name);
}

test('every nftables fixture parses with no unknown-expression notice and the expected number of rules', () => {
  const shared = readdirSync(new URL('../../fixtures/', import.meta.url)).filter((f) => /^nft.*\.(json|nft)$/.test(f));
  const local = readdirSync(new URL('fixtures/', import.meta.url)).filter((f) => /\.(json|nft)$/.test(f) && !WITH_UNKNOWN.has(f));
  assert.equal(shared.length, 10);
  assert.equal(local.length, 10);
  for (const [name, text] of [...shared.map((f) => [f, sharedFixture(f)]), ...local.map((f) => [f, localFixture(f)])] as [string, string][]) {
    const rs = parseFile(name, text);
    assert.deepEqual(unknownNotices(rs), [], name);
    assert.equal(ruleCount(rs), EXPECTED[name], name);
    if (!NOT_KUBE_PROXY.has(name)) assert.ok(kp(rs).chains.has('services'), `${name}: ip kube-proxy services chain`);
  }
});

test('nft -j rules render exactly as `nft list ruleset` printed the same kernel state', () => {
  for (const [json, list] of [
    [sharedFixture('nft-json-TestOverallNFTablesRules.json'), sharedFixture('nft-list-TestOverallNFTablesRules.nft')],
    [localFixture('nft-json-netpath-numgen.json'), localFixture('nft-list-netpath-numgen.nft')],
    [localFixture('nft-json-overall-inline-masq.json'), localFixture('nft-list-overall-inline-masq.nft')],
  ] as const) {
    const fromJson = parseNftJson(json);
    const fromText = parseNftText(list, 'list.nft');
    for (const t of fromJson.tables) {
      const other = findTable(fromText, t.family, t.name)!;
      for (const c of t.chains.values()) {
        // text rules keep their source line verbatim, so this compares the renderer with nft itself
        assert.deepEqual(c.rules.map((r) => r.text), other.chains.get(c.name)!.rules.map((r) => r.text), `${t.family} ${t.name} ${c.name}`);
        assert.deepEqual(c.rules.map((r) => renderRule(r)), other.chains.get(c.name)!.rules.map((r) => renderRule(r)));
      }
    }
  }
});

test('kube-proxy input syntax renders in the kernel spelling', () => {
  const rs = parseNftText(sharedFixture('nftables-TestOverallNFTablesRules.nft'), 'x.nft');
  const texts = (chain: string) => kp(rs).chains.get(chain)!.rules.map((r) => renderRule(r));
  // Source lines 40-43: `mark set mark or 0x4000`, `mark and 0x4000 == 0 return`, `mark set mark xor 0x4000`.
  assert.deepEqual(texts('mark-for-masquerade'), ['meta mark set meta mark | 0x00004000']);
  assert.deepEqual(texts('masquerading'), ['meta mark & 0x00004000 == 0x00000000 return', 'meta mark set meta mark ^ 0x00004000', 'masquerade fully-random']);
  assert.deepEqual(texts('cluster-ips-check'), [
    'ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
    'ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"',
  ]);
  // The source text stays what the file says, with its line.
  const masq = kp(rs).chains.get('masquerading')!.rules[0]!;
  assert.equal(masq.text, 'mark and 0x4000 == 0 return');
  assert.equal(masq.line, 41);
});

test('base chains: priorities as numbers from JSON and from named text priorities', () => {
  const json = kp(parseNftJson(sharedFixture('nft-json-TestOverallNFTablesRules.json')));
  const list = kp(parseNftText(sharedFixture('nft-list-TestOverallNFTablesRules.nft'), 'l.nft'));
  const k3s = kp(parseNftText(sharedFixture('nftables-real-k3s-nft-list-table.nft'), 'k.nft'));
  for (const t of [json, list]) {
    assert.deepEqual(t.chains.get('filter-prerouting-pre-dnat')!.base, { type: 'filter', hook: 'prerouting', priority: -110, policy: 'accept', device: null });
    assert.deepEqual(t.chains.get('filter-forward')!.base?.priority, 0); // `priority filter`
    assert.deepEqual(t.chains.get('nat-postrouting')!.base?.priority, 100); // `priority srcnat`
    assert.deepEqual(t.chains.get('nat-prerouting')!.base?.priority, -100); // `priority dstnat`
    assert.equal(t.chains.get('services')!.base, null);
  }
  // k3s: `dstnat - 10` = -100 - 10; filter-output-post-dnat at -90.
  assert.equal(k3s.chains.get('filter-prerouting')!.base?.priority, -110);
  assert.equal(k3s.chains.get('filter-output-post-dnat')!.base?.priority, -90);
  assert.equal(k3s.comment, 'rules for kube-proxy');
});

test('sets and maps: concatenated key types, verdict data, flags, timeouts, element comments', () => {
  for (const rs of [parseNftJson(sharedFixture('nft-json-TestOverallNFTablesRules.json')), parseNftText(sharedFixture('nft-list-TestOverallNFTablesRules.nft'), 'l.nft')]) {
    const t = kp(rs);
    const noEp = t.sets.get('no-endpoint-services')!;
    assert.equal(noEp.kind, 'map');
    assert.deepEqual(noEp.keyType, ['ipv4_addr', 'inet_proto', 'inet_service']);
    assert.equal(noEp.dataType, 'verdict');
    assert.equal(noEp.elements.length, 3);
    const svc6 = noEp.elements[2]!;
    assert.deepEqual(svc6.key, { kind: 'concat', items: [{ kind: 'value', value: '172.30.0.46' }, { kind: 'value', value: 'tcp' }, { kind: 'value', value: 80 }] });
    assert.equal(svc6.comment, 'ns6/svc6:p80');
    assert.deepEqual(svc6.data, { kind: 'verdict', verdict: 'goto', target: 'reject-chain' });
    const aff = t.sets.get('affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80')!;
    assert.equal(aff.timeout, 10800); // JSON 10800; text `timeout 3h` = 3 x 3600
    assert.ok(aff.flags.includes('timeout'));
    assert.deepEqual(t.sets.get('cluster-ips')!.elements.map((e) => e.key), ['41', '42', '43', '44', '45', '46'].map((x) => ({ kind: 'value', value: `172.30.0.${x}` })));
  }
  // nft 1.0.6 prints `flags dynamic,timeout` in text but only "timeout" in JSON.
  assert.deepEqual(kp(parseNftText(sharedFixture('nft-list-TestOverallNFTablesRules.nft'), 'l.nft')).sets.get('affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80')!.flags, ['dynamic', 'timeout']);
  // nft -f syntax: elements with a comment before the verdict.
  const input = kp(parseNftText(sharedFixture('nftables-TestOverallNFTablesRules.nft'), 'i.nft'));
  const np = input.sets.get('no-endpoint-nodeports')!.elements;
  assert.equal(np.length, 1);
  assert.equal(np[0]!.comment, 'ns2/svc2:p80');
  assert.deepEqual(np[0]!.data, { kind: 'verdict', verdict: 'drop', target: null });
  assert.equal(np[0]!.line, 85); // line 85 of the file
});

test('expressions: numgen vmaps with index ranges, prefixes, flag lists, anonymous sets', () => {
  const rs = parseNftJson(localFixture('nft-json-netpath-numgen.json'));
  const svc8 = kp(rs).chains.get('service-QAZH6GIY-ns8/svc8/tcp/p80')!.rules[1]!.statements[0]!;
  assert.equal(svc8.kind, 'vmap');
  if (svc8.kind !== 'vmap') return;
  assert.deepEqual(svc8.key, { kind: 'numgen', mode: 'random', mod: 4, offset: 0 });
  assert.equal(svc8.data.kind, 'set');
  if (svc8.data.kind !== 'set') return;
  assert.deepEqual(svc8.data.elements[0]!.key, { kind: 'range', from: { kind: 'value', value: 0 }, to: { kind: 'value', value: 2 } });
  const user = findTable(rs, 'inet', 'netpath-user')!;
  assert.deepEqual(user.chains.get('forward')!.rules[0]!.statements[0], {
    kind: 'match',
    op: 'in',
    left: { kind: 'ct', key: 'state', dir: null },
    right: { kind: 'list', items: [{ kind: 'value', value: 'established' }, { kind: 'value', value: 'related' }] },
  });
  const text = kp(parseNftText(sharedFixture('nftables-TestOverallNFTablesRules.nft'), 'i.nft'));
  assert.deepEqual(text.chains.get('firewall-HVFWP5L3-ns5/svc5/tcp/p80')!.rules[0]!.statements[0], {
    kind: 'match',
    op: '!=',
    left: { kind: 'payload', protocol: 'ip', field: 'saddr' },
    right: { kind: 'set', elements: [{ key: { kind: 'prefix', addr: '203.0.113.0', len: 25 }, data: null, comment: null, timeout: null, expires: null, line: 138 }] },
  });
});

test('an unknown expression is kept verbatim and reported, in JSON and in text', () => {
  const json = parseNftJson(localFixture('nft-json-netpath-unknown.json'));
  assert.deepEqual(unknownNotices(json).map((n) => n.message), [
    'unknown expression in inet netpath-unknown chain input handle 2: {"limit":{"rate":10,"burst":5,"per":"second","inv":true}}',
  ]);
  const rule = findTable(json, 'inet', 'netpath-unknown')!.chains.get('input')!.rules[0]!;
  assert.deepEqual(rule.statements.map((s) => s.kind), ['match', 'unknown', 'verdict']);
  const text = parseNftText(localFixture('nft-list-netpath-unknown.nft'), 'u.nft');
  assert.deepEqual(unknownNotices(text).map((n) => [n.line, n.message]), [[4, 'unknown expression in inet netpath-unknown chain input: limit rate over 10/second drop']]);
});
