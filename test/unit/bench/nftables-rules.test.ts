/**
 * The bench's nftables generator loads a node's table in two `nft -f` transactions (see
 * bench/generate/nftables-rules.ts): the second holds the rules that bind an anonymous set. Loading
 * them after the rest keeps every chain's rule order only if each is the last rule kube-proxy
 * writes in its chain: `numgen random mod N vmap { ... }` ends service- and local- chains
 * (proxier.go writeServiceToEndpointRules), `ip saddr != { ... } drop` is a firewall- chain's only rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterSpec } from '../../../bench/generate/cluster-spec.ts';
import { nftInput } from '../../../bench/generate/nftables-rules.ts';

const RULE = /^add rule ip kube-proxy (\S+) (.*)$/;

/** chain -> rule bodies, in input order. */
function rulesByChain(input: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of input.split('\n')) {
    const m = RULE.exec(line);
    if (!m) continue;
    const list = out.get(m[1]!) ?? [];
    list.push(m[2]!);
    out.set(m[1]!, list);
  }
  return out;
}

test('the second transaction holds one rule per chain, of the kinds kube-proxy writes last', () => {
  const spec = clusterSpec(100, 10);
  const inputs = nftInput(spec, spec.nodes[0]!);
  assert.equal(inputs.length, 2);
  const [first, second] = inputs.map(rulesByChain) as [Map<string, string[]>, Map<string, string[]>];
  assert.ok(second.size > 0);
  for (const [chain, rules] of second) {
    assert.equal(rules.length, 1, chain);
    const rule = rules[0]!;
    if (chain.startsWith('firewall-')) {
      assert.match(rule, /^ip saddr != \{ .* \} drop$/);
      assert.equal(first.get(chain), undefined, `${chain} has no other rule`);
    } else {
      assert.match(chain, /^(service|local)-/);
      assert.match(rule, /^numgen random mod \d+ vmap \{ .* \}$/);
      // No rule of the first transaction binds an anonymous set in this chain.
      for (const r of first.get(chain) ?? []) assert.doesNotMatch(r, /\{/, `${chain}: ${r}`);
    }
  }
  // The first transaction keeps no numgen map: all of them moved.
  for (const [chain, rules] of first) for (const r of rules) assert.doesNotMatch(r, /numgen/, chain);
});
