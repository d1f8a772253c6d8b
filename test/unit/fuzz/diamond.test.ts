/**
 * "Diamonds": 30 random splits whose branches rejoin. Walked branch by branch this is 2^30
 * paths (minutes, then out of memory); merged where they rejoin it is one path, and the step
 * counter shows the walk grew linearly. Steps are counted by hand in each test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIptablesWalker, parseIptablesDump } from '../../../src/dataplane/iptables/index.ts';
import { walkIptables } from '../../../src/dataplane/iptables/walk.ts';
import { buildRuleset } from '../../../src/dataplane/iptables/ruleset.ts';
import { createNftWalker, parseNftText } from '../../../src/dataplane/nftables/index.ts';
import { WalkBudget, WalkTooComplexError } from '../../../src/dataplane/walk-budget.ts';
import type { WalkPacket } from '../../../src/dataplane/types.ts';

const LEVELS = 30;
const packet: WalkPacket = { src: '10.1.0.5', dst: '10.0.0.1', port: 80, protocol: 'TCP', hook: 'prerouting' };

function iptablesDiamond(levels: number): string {
  const lines = ['*nat', ':PREROUTING ACCEPT [0:0]'];
  for (let i = 0; i <= levels; i++) lines.push(`:D${i} - [0:0]`, `:A${i} - [0:0]`);
  lines.push('-A PREROUTING -j D0');
  for (let i = 0; i < levels; i++) {
    lines.push(`-A D${i} -m statistic --mode random --probability 0.50000000000 -j A${i}`, `-A D${i} -j D${i + 1}`);
  }
  lines.push(`-A D${levels} -p tcp -j DNAT --to-destination 10.0.0.9:8080`, 'COMMIT', '');
  return lines.join('\n');
}

test('iptables: 30 statistic splits that rejoin are one DNAT branch of probability 1, in 62 rule evaluations', () => {
  const ruleset = buildRuleset(parseIptablesDump(iptablesDiamond(LEVELS), 'iptables-save.txt'));
  const budget = new WalkBudget();
  const out = walkIptables(ruleset, packet, { localAddresses: [] }, { budget });
  assert.equal(out.length, 1);
  assert.equal(out[0]!.verdict, 'DNAT');
  assert.deepEqual(out[0]!.dnat, { ip: '10.0.0.9', port: 8080 });
  assert.ok(Math.abs(out[0]!.probability - 1) < 1e-9);
  // PREROUTING 1 + D0..D29 two rules each (60) + D30 one rule = 62; filter FORWARD and nat
  // POSTROUTING are absent from the dump (no rules evaluated).
  assert.equal(budget.steps, 62);
});

test('iptables: a chain called from many routes is walked once per packet state (memo)', () => {
  // Each level calls the next from both branches: without the memo that is 2^30 calls.
  const lines = ['*nat', ':PREROUTING ACCEPT [0:0]'];
  for (let i = 0; i <= LEVELS; i++) lines.push(`:F${i} - [0:0]`);
  lines.push('-A PREROUTING -j F0');
  for (let i = 0; i < LEVELS; i++) {
    lines.push(`-A F${i} -m statistic --mode random --probability 0.25000000000 -j F${i + 1}`, `-A F${i} -j F${i + 1}`, `-A F${i} -j RETURN`);
  }
  lines.push(`-A F${LEVELS} -p tcp -j DNAT --to-destination 10.0.0.9:8080`, 'COMMIT', '');
  const budget = new WalkBudget();
  const out = walkIptables(buildRuleset(parseIptablesDump(lines.join('\n'), 'iptables-save.txt')), packet, { localAddresses: [] }, { budget });
  // F30 DNATs everything that reaches it, so every route ends in that one DNAT.
  assert.deepEqual(out.map((o) => [o.verdict, o.dnat?.port]), [['DNAT', 8080]]);
  assert.ok(Math.abs(out[0]!.probability - 1) < 1e-9);
  // PREROUTING 1 + per level F_i: rule 1 (1) and, for the 0.75 not taken, rule 2 (1) = 2 each,
  // F30's callee result is reused: 1 + 2*30 + 1 = 62.
  assert.equal(budget.steps, 62);
});

test('iptables: past the budget the walk stops with a typed "walk too complex" error naming the rule', () => {
  const ruleset = buildRuleset(parseIptablesDump(iptablesDiamond(LEVELS), 'iptables-save.txt'));
  assert.throws(
    () => walkIptables(ruleset, packet, { localAddresses: [] }, { budget: new WalkBudget({ steps: 20 }) }),
    (e: unknown) => e instanceof WalkTooComplexError && /iptables-save\.txt:\d+: walk too complex: more than 20 rule evaluations/.test(e.message),
  );
  // 2,000 chains each jumping to the next (a crash with a stack overflow before).
  const deep = ['*nat', ':PREROUTING ACCEPT [0:0]', ...Array.from({ length: 2000 }, (_, i) => `:C${i} - [0:0]`), '-A PREROUTING -j C0'];
  for (let i = 0; i < 1999; i++) deep.push(`-A C${i} -j C${i + 1}`);
  const walker = createIptablesWalker(parseIptablesDump([...deep, 'COMMIT', ''].join('\n'), 'iptables-save.txt'));
  assert.throws(() => walker.walk(packet, { localAddresses: [] }), /jumps nested more than 100 chains deep/);
});

test('nftables: 30 numgen maps fanning out to two chains each, rejoining: one branch, 91 rule evaluations', () => {
  const lines = ['add table ip t', 'add chain ip t pre { type nat hook prerouting priority -100 ; policy accept ; }'];
  for (let i = 0; i < LEVELS; i++) lines.push(`add chain ip t a${i}`, `add chain ip t b${i}`, `add rule ip t a${i} counter`, `add rule ip t b${i} counter`);
  for (let i = 0; i < LEVELS; i++) lines.push(`add rule ip t pre numgen random mod 2 vmap { 0 : jump a${i}, 1 : jump b${i} }`);
  lines.push('add rule ip t pre meta l4proto tcp dnat to 10.0.0.9:8080', '');
  const walker = createNftWalker(parseNftText(lines.join('\n'), 'ruleset.nft'));
  const budget = new WalkBudget();
  const out = walker.walkWithBudget(packet, { localAddresses: [] }, budget);
  assert.deepEqual(out.map((o) => [o.verdict, o.dnat?.ip, o.dnat?.port]), [['DNAT', '10.0.0.9', 8080]]);
  assert.ok(Math.abs(out[0]!.probability - 1) < 1e-9);
  // pre: 30 vmap rules on one merged branch (30) + a_i and b_i one rule each (60) + dnat (1) = 91.
  assert.equal(budget.steps, 91);
});
