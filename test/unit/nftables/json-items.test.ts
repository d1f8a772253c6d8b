/**
 * nft.json read item by item: the item boundaries, rules counted and checked up front but read
 * again only when a walk needs their chain, and layouts other than nft's own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DumpParseError } from '../../../src/dataplane/errors.ts';
import { parseNftJson } from '../../../src/dataplane/nftables/index.ts';
import { itemSpans } from '../../../src/dataplane/nftables/item-spans.ts';
import { findTable } from '../../../src/dataplane/nftables/model.ts';
import type { NftRuleset } from '../../../src/dataplane/nftables/model.ts';
import { sharedFixture } from './helpers.ts';

const OVERALL = sharedFixture('nft-json-TestOverallNFTablesRules.json');
const kp = (rs: NftRuleset) => findTable(rs, 'ip', 'kube-proxy')!;

test('item boundaries: braces, brackets, quotes and backslashes inside strings do not end an item', () => {
  // {"nftables": [  is 14 characters, so the first item starts at 14.
  // {"a": "}]\"{"}  is 14 characters (the string holds } ] \" {): 14..28; then ", " (2).
  // {"b": [1, "\\"]} is 16 characters (a string holding one escaped backslash): 30..46.
  const text = '{"nftables": [{"a": "}]\\"{"}, {"b": [1, "\\\\"]}]}';
  assert.deepEqual(itemSpans(text, 'x.json'), [14, 28, 30, 46]);
  assert.deepEqual(itemSpans('{"nftables": []}', 'x.json'), []);
  // nft -j piped through jq: whitespace and newlines around everything. "{\n  " (4) + '"nftables": [' (13) + "\n    " (5) = 22.
  assert.deepEqual(itemSpans('{\n  "nftables": [\n    {"t": 1}\n  ]\n}\n', 'x.json'), [22, 30]);
});

test('other layouts are not split: another top-level key, a scalar item, a cut document', () => {
  assert.equal(itemSpans('{"nftables": [{"t": 1}], "x": 1}', 'x.json'), null);
  assert.equal(itemSpans('{"x": 1, "nftables": [{"t": 1}]}', 'x.json'), null);
  assert.equal(itemSpans('{"nftables": [1]}', 'x.json'), null);
  assert.equal(itemSpans('{"nftables": [{"t": "}', 'x.json'), null);
  // Parsed whole instead, with the same result: 57 rules (parse.test.ts counts them independently).
  const doc = JSON.parse(OVERALL) as Record<string, unknown>;
  const rs = parseNftJson(JSON.stringify({ ...doc, note: 'added by hand' }));
  assert.equal([...kp(rs).chains.values()].reduce((n, c) => n + c.rules.length, 0), 57);
});

test('rules are counted without being read, and read with their text when used', () => {
  const rs = parseNftJson(OVERALL);
  const t = kp(rs);
  // python3 json on the fixture: 32 chains; 57 rules; chain "services" has 2 (handles 61 and 62),
  // "masquerading" 3.
  assert.equal(t.chains.size, 32);
  assert.equal([...t.chains.values()].reduce((n, c) => n + c.ruleCount, 0), 57);
  assert.equal(t.chains.get('masquerading')!.ruleCount, 3);
  const services = t.chains.get('services')!;
  assert.equal(services.ruleCount, 2);
  assert.deepEqual(
    services.rules.map((r) => [r.handle, r.text]),
    [
      [61, 'ip daddr . meta l4proto . th dport vmap @service-ips'],
      [62, 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports'],
    ],
  );
  // Read once: the same array on the next use.
  assert.equal(services.rules, services.rules);
});

test('the same dump pretty-printed reads the same, item by item', () => {
  const pretty = JSON.stringify(JSON.parse(OVERALL), null, 2);
  assert.notEqual(itemSpans(pretty, 'nft.json'), null);
  const texts = (rs: NftRuleset) => [...kp(rs).chains.values()].map((c) => [c.name, c.rules.map((r) => r.text)]);
  assert.deepEqual(texts(parseNftJson(pretty)), texts(parseNftJson(OVERALL)));
});

/** A table, chains a and b, and rules; `bad` replaces the rule in b, a chain no walk reaches. */
const small = (bad: string) =>
  `{"nftables": [{"table": {"family": "ip", "name": "t", "handle": 1}}, ` +
  `{"chain": {"family": "ip", "table": "t", "name": "a", "handle": 2, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}, ` +
  `{"chain": {"family": "ip", "table": "t", "name": "b", "handle": 3}}, ` +
  `{"rule": {"family": "ip", "table": "t", "chain": "a", "handle": 4, "expr": [{"accept": null}]}}, ${bad}]}`;

test('a rule no walk reaches is still checked when the file is parsed', () => {
  const ok = parseNftJson(small('{"rule": {"family": "ip", "table": "t", "chain": "b", "handle": 5, "comment": "x \\" } ]", "expr": [{"drop": null}]}}'));
  assert.deepEqual(findTable(ok, 'ip', 't')!.chains.get('b')!.rules.map((r) => [r.handle, r.comment]), [[5, 'x " } ]']]);
  const fails = (bad: string, message: RegExp) =>
    assert.throws(
      () => parseNftJson(small(bad)),
      (e: unknown) => e instanceof DumpParseError && message.test(e.message),
    );
  // The fifth item, nftables[4].
  fails('{"rule": {"family": "ip", "table": "t", "chain": "b", "expr": 5}}', /nft\.json: nftables\[4\]: rule in b without an "expr" array/);
  fails('{"rule": {"family": "ip", "table": "t", "chain": "b", "expr": [{"goto": {"target": "nowhere"}}]}}', /jumps to chain "nowhere", which ip t does not declare/);
  fails('{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": []}}', /is in chain "c", which ip t does not declare/);
  // Not JSON inside the item: placed in the whole text. The "}" after "expr": [ is the bad character.
  const bad = '{"rule": {"family": "ip", "table": "t", "chain": "b", "expr": [}]}}';
  const at = small(bad).length - bad.length - 2 + bad.indexOf('[}') + 1;
  fails(bad, new RegExp(`invalid JSON at column ${at + 1} \\(position ${at}\\)`));
});
