/**
 * Detection reads the dump's text up to the kube-proxy table instead of parsing all of it: the
 * cases where text and structure disagree. Each expected value is what the JSON says: a
 * top-level item {"table": {..., "name": "kube-proxy"}} of the "nftables" array, or for text
 * that is not JSON (damaged), any table object naming kube-proxy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubeProxyTable } from '../../../src/dataplane/nftables/detect.ts';
import { sharedFixture } from './helpers.ts';

const META = '{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}';
const dump = (...items: string[]) => `{"nftables": [${[META, ...items].join(', ')}]}`;
const KP = '{"table": {"family": "ip", "name": "kube-proxy", "handle": 1}}';
const OTHER = '{"table": {"family": "inet", "name": "filter", "handle": 2}}';

test('the kube-proxy table among the items, first or after other tables and their rules', () => {
  assert.equal(hasKubeProxyTable(dump(KP)), true);
  const rule = '{"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 3, "expr": [{"accept": null}]}}';
  assert.equal(hasKubeProxyTable(dump(OTHER, rule, KP)), true);
  assert.equal(hasKubeProxyTable(sharedFixture('nft-json-TestOverallNFTablesRules.json')), true);
});

test('kube-proxy named elsewhere than as a table item: not kube-proxy nftables mode', () => {
  // Rules of a table called kube-proxy name it as a string, not as a table object.
  assert.equal(hasKubeProxyTable(dump(OTHER, '{"rule": {"family": "inet", "table": "kube-proxy", "chain": "c", "expr": []}}')), false);
  // Inside a comment string.
  assert.equal(hasKubeProxyTable(dump('{"table": {"family": "ip", "name": "x", "comment": "was \\"table\\": {\\"name\\": \\"kube-proxy\\"}"}}')), false);
  // A key that ends in `"table` inside a string.
  assert.equal(hasKubeProxyTable(dump('{"say \\"table": {"name": "kube-proxy"}}')), false);
  // Nested deeper than a top-level item (an `nft -j -f` command, not a listing).
  assert.equal(hasKubeProxyTable(dump(`{"add": ${KP}}`)), false);
  // Under another top-level key.
  assert.equal(hasKubeProxyTable(`{"other": [${KP}]}`), false);
  assert.equal(hasKubeProxyTable(dump(OTHER)), false);
});

test('damaged dumps that name the table are detected, so that load() reports the damage', () => {
  const full = dump(KP, '{"chain": {"family": "ip", "table": "kube-proxy", "name": "services", "handle": 2}}');
  assert.equal(hasKubeProxyTable(full.slice(0, full.length - 40)), true, 'cut after the table');
  assert.equal(hasKubeProxyTable(`garbage ${full}`), true, 'not JSON from the first character');
  assert.equal(hasKubeProxyTable(dump(OTHER).replace(']}', `, ${KP}]}}}`)), true, 'unbalanced after the table');
  // Damaged, and no table object names kube-proxy.
  assert.equal(hasKubeProxyTable(dump(OTHER).slice(0, 60)), false);
});
