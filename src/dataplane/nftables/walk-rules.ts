import type { WalkStep } from '../types.ts';
import { evalExpr, literalInt, literalMatches, numgenCount } from './eval-expr.ts';
import type { PacketValue } from './eval-expr.ts';
import { isRuntimeSet, lookup, numgenShares } from './lookup.ts';
import type { NftChain, NftElement, NftExpr, NftRule, NftSet, NftStatement, NftTable, NftVerdict } from './model.ts';
import { tableLabel } from './model.ts';
import { formatDuration, renderElement, renderExpr } from './render.ts';
import type { Flow, WalkContext, WalkState } from './walk-state.ts';
import { clone, elementStep, fateKey, mergeFlows, packetView, ruleStep, withCondition } from './walk-state.ts';

/** Rule-by-rule evaluation of one chain, with jump/goto/vmap and probability splits. */

/** NFT_JUMP_STACK_SIZE: the kernel refuses deeper jump chains. */
const MAX_DEPTH = 16;

/** Runs `chain` for one branch. Ends: return (fell off or `return`), accept, drop, reject, nat. */
export function runChain(ctx: WalkContext, table: NftTable, chain: NftChain, s: WalkState, depth: number): Flow[] {
  if (depth > MAX_DEPTH) return [{ s: withCondition(s, `jumps deeper than ${MAX_DEPTH} at chain ${chain.name}: not followed`), end: 'return' }];
  let pending = [s];
  let out: Flow[] = [];
  for (const rule of chain.rules) {
    const next: Flow[] = [];
    for (const st of pending) {
      ctx.budget.step(ctx.rs.file, rule.line);
      for (const f of runStatements({ ctx, table, rule, depth }, 0, st, { pushed: false, hits: [] })) {
        if (f.end === 'next') next.push(f);
        else out.push(f);
      }
    }
    pending = mergeFlows(next).map((f) => f.s);
    out = mergeFlows(out);
    ctx.budget.branches(pending.length + out.length, ctx.rs.file, rule.line);
    if (!pending.length) break;
  }
  for (const st of pending) out.push({ s: st, end: 'return' });
  return mergeFlows(out);
}

/**
 * A chain's exits depend only on the branch's fate and the jump depth, so they are computed
 * once from a fresh branch and grafted onto each caller's history: a chain reached through many
 * routes (numgen maps that fan out and rejoin) is walked once, not once per route.
 */
function enter(ctx: WalkContext, table: NftTable, chain: NftChain, s: WalkState, depth: number): Flow[] {
  const key = `${table.family} ${table.name}\0${chain.name}\0${depth}\0${fateKey(s)}`;
  let flows = ctx.memo.get(key);
  if (!flows) {
    flows = runChain(ctx, table, chain, { ...s, prob: 1, steps: [], conditions: [] }, depth);
    ctx.memo.set(key, flows);
  }
  return flows.map((f) => {
    const conditions = [...s.conditions, ...f.s.conditions.filter((c) => !s.conditions.includes(c))];
    return { s: { ...f.s, prob: s.prob * f.s.prob, steps: [...s.steps, ...f.s.steps], conditions }, end: f.end };
  });
}

interface At {
  ctx: WalkContext;
  table: NftTable;
  rule: NftRule;
  depth: number;
}

/** Whether this rule's step is already recorded on the branch, and set elements it matched. */
interface Progress {
  pushed: boolean;
  hits: WalkStep[];
}

function runStatements(at: At, i: number, s: WalkState, pr: Progress): Flow[] {
  const st = at.rule.statements[i];
  if (!st) return [{ s, end: 'next' }];
  const go = (s2: WalkState, pr2: Progress = pr) => runStatements(at, i + 1, s2, pr2);
  const acted = { pushed: true, hits: [] };
  switch (st.kind) {
    case 'match':
      return match(at, st, s, pr, go);
    case 'counter':
    case 'log':
      return go(s);
    case 'mangle': {
      if (st.key.kind !== 'meta' || st.key.key !== 'mark') return notEvaluated(at, s, `sets ${renderExpr(st.key)}`);
      const literal = literalInt(st.value);
      const r = literal === null ? evalExpr(st.value, packetView(s, at.ctx)) : null;
      const v = literal ?? (r?.kind === 'value' && r.value.t === 'int' ? r.value.v : null);
      if (v === null) return notEvaluated(at, s, `mark value ${renderExpr(st.value)}`);
      const s2 = act(at, s, pr);
      s2.mark = v & 0xffffffffn;
      return go(s2, acted);
    }
    case 'setop':
      return go(act(at, s, pr), acted);
    case 'verdict':
      return verdict(at, st, s, pr);
    case 'vmap':
      return vmap(at, st, s, pr);
    case 'reject':
      return [{ s: act(at, s, pr), end: 'reject' }];
    case 'nat': {
      if (st.type === 'snat') {
        const s2 = act(at, s, pr);
        s2.masquerade = true;
        s2.conditions.push(`source NATed to ${st.addr ? renderExpr(st.addr) : '?'} by ${tableLabel(at.table)} ${at.rule.chain}`);
        return [{ s: s2, end: 'nat' }];
      }
      if (st.addr?.kind === 'map') return natMap(at, st, st.addr, s, pr);
      const ip = st.addr?.kind === 'value' && typeof st.addr.value === 'string' ? st.addr.value : null;
      const port = st.port === null ? BigInt(s.dport) : literalInt(st.port);
      if (ip === null || port === null) return notEvaluated(at, s, 'DNAT target is not a literal address and port');
      const s2 = act(at, s, pr);
      s2.dnat = { ip, port: Number(port) };
      s2.daddr = ip;
      s2.dport = Number(port);
      return [{ s: s2, end: 'nat' }];
    }
    case 'masquerade': {
      const s2 = act(at, s, pr);
      s2.masquerade = true;
      return [{ s: s2, end: 'nat' }];
    }
    case 'unknown':
      return notEvaluated(at, s, 'unknown expression');
  }
}

/** A copy of the branch with this rule (and the set elements it matched) recorded as a step. */
function act(at: At, s: WalkState, pr: Progress): WalkState {
  const c = clone(s);
  if (!pr.pushed) c.steps.push(ruleStep(at.ctx, at.table, at.rule));
  c.steps.push(...pr.hits);
  return c;
}

function notEvaluated(at: At, s: WalkState, why: string): Flow[] {
  const r = at.rule;
  const where = `${tableLabel(at.table)} ${r.chain}${r.handle === null ? '' : ` handle ${r.handle}`}${r.line === null ? '' : ` line ${r.line}`}`;
  return [{ s: withCondition(s, `not evaluated (${why}), assumed not to match: ${where}: ${r.text}`), end: 'next' }];
}

function match(at: At, st: Extract<NftStatement, { kind: 'match' }>, s: WalkState, pr: Progress, go: (s: WalkState, pr?: Progress) => Flow[]): Flow[] {
  const next: Flow[] = [{ s, end: 'next' }];
  const lhs = evalExpr(st.left, packetView(s, at.ctx));
  if (lhs.kind === 'absent') return next;
  if (st.right.kind === 'setref') {
    const set = at.table.sets.get(st.right.name) as NftSet;
    if (isRuntimeSet(set)) {
      const s2 = runtimeCondition(at, set, lhs.kind === 'value' ? lhs.value : null, s);
      return st.op === '!=' ? go(s2) : [{ s: s2, end: 'next' }];
    }
    if (lhs.kind === 'numgen') return numgenMatch(at, st, lhs, { kind: 'set', elements: set.elements }, s, go);
    if (lhs.kind === 'unknown') return notEvaluated(at, s, lhs.reason);
    const r = lookup(set.elements, lhs.value);
    if (r.kind === 'unknown') return notEvaluated(at, s, `${r.reason} (@${set.name})`);
    const member = r.kind === 'hit';
    if (st.op === '!=') return member ? next : go(s);
    if (st.op !== '==' && st.op !== 'in') return notEvaluated(at, s, `operator ${st.op} with a set`);
    return member ? go(s, { pushed: pr.pushed, hits: [...pr.hits, elementStep(at.ctx, at.table, set, r.element, st.left)] }) : next;
  }
  if (lhs.kind === 'numgen') return numgenMatch(at, st, lhs, st.right, s, go);
  if (lhs.kind === 'unknown') return notEvaluated(at, s, lhs.reason);
  const m = compare(st.op, st.right, lhs.value);
  if (m === null) return notEvaluated(at, s, `cannot compare with ${renderExpr(st.right, st.left)}`);
  return m ? go(s) : next;
}

function compare(op: string, lit: NftExpr, pv: PacketValue): boolean | null {
  if (op === '==' || op === 'in') return literalMatches(lit, pv);
  if (op === '!=') {
    const m = literalMatches(lit, pv);
    return m === null ? null : !m;
  }
  const v = pv.t === 'int' ? pv.v : pv.t === 'proto' ? BigInt(pv.v) : null;
  const n = literalInt(lit);
  if (v === null || n === null) return null;
  return op === '<' ? v < n : op === '>' ? v > n : op === '<=' ? v <= n : v >= n;
}

function numgenMatch(
  at: At,
  st: Extract<NftStatement, { kind: 'match' }>,
  gen: { mode: string; mod: number; offset: number },
  lit: NftExpr,
  s: WalkState,
  go: (s: WalkState) => Flow[],
): Flow[] {
  const count = st.op === '==' || st.op === '!=' || st.op === 'in' ? numgenCount(lit, gen.mod, gen.offset) : null;
  if (count === null) return notEvaluated(at, s, 'numgen compared with a non-numeric value');
  const hit = st.op === '!=' ? (gen.mod - count) / gen.mod : count / gen.mod;
  const base = numgenState(at, gen.mode, s);
  const out: Flow[] = [];
  if (hit > 0) out.push(...go(scaled(base, hit)));
  if (hit < 1) out.push({ s: scaled(base, 1 - hit), end: 'next' });
  return out;
}

/** `numgen inc` is a round-robin counter: its shares hold over time, not per connection. */
function numgenState(at: At, mode: string, s: WalkState): WalkState {
  if (mode === 'random') return s;
  const s2 = withCondition(s, `numgen ${mode} in ${at.rule.chain}: a counter, shares are long-run averages`);
  s2.dynamic = true;
  return s2;
}

function scaled(s: WalkState, f: number): WalkState {
  const c = clone(s);
  c.prob *= f;
  return c;
}

function runtimeCondition(at: At, set: NftSet, key: PacketValue | null, s: WalkState): WalkState {
  let s2 = withCondition(s, `new client: ${s.saddr} has no entry in @${set.name} yet (session affinity is run-time state)`);
  const listed = key ? lookup(set.elements, key) : null;
  if (listed?.kind === 'hit') {
    const exp = listed.element.expires;
    s2 = withCondition(s2, `the dump lists ${s.saddr} in @${set.name}${exp === null ? '' : ` (expires in ${formatDuration(exp)})`}: until then this client follows ${at.rule.chain}: ${at.rule.text}`);
  }
  if (!s2.dynamic) {
    s2 = s2 === s ? clone(s2) : s2;
    s2.dynamic = true;
  }
  return s2;
}

function verdict(at: At, v: NftVerdict, s: WalkState, pr: Progress): Flow[] {
  switch (v.verdict) {
    case 'continue':
      return [{ s, end: 'next' }];
    case 'return':
      return [{ s, end: 'return' }];
    case 'accept': {
      const s2 = act(at, s, pr);
      if (at.table.name === 'kube-proxy') s2.accepted = true;
      return [{ s: s2, end: 'accept' }];
    }
    case 'drop':
      return [{ s: act(at, s, pr), end: 'drop' }];
    case 'jump':
    case 'goto':
      return call(at, v.verdict, v.target as string, s, pr);
  }
}

/**
 * jump: the callee's return resumes with the next rule; goto: it returns from this chain too.
 * A jump whose callee did nothing (no step) is dropped from the evidence.
 */
function call(at: At, how: 'jump' | 'goto', target: string, s: WalkState, pr: Progress): Flow[] {
  const before = s.steps.length;
  const s1 = act(at, s, pr);
  const after = s1.steps.length;
  const chain = at.table.chains.get(target) as NftChain;
  return enter(at.ctx, at.table, chain, s1, at.depth + 1).map((f) => {
    if (f.end !== 'return') return f;
    let s2 = f.s;
    if (!pr.pushed && s2.steps.length === after) {
      s2 = clone(s2);
      s2.steps.length = before;
    }
    return { s: s2, end: how === 'goto' ? 'return' : 'next' };
  });
}

/**
 * `dnat ip addr . port to numgen random mod N map { 0 : IP . PORT, ... }`: kube-proxy 1.36 picks
 * the endpoint and rewrites in one rule (earlier releases jumped to an endpoint chain per index).
 */
function natMap(
  at: At,
  st: Extract<NftStatement, { kind: 'nat' }>,
  map: Extract<NftExpr, { kind: 'map' }>,
  s: WalkState,
  pr: Progress,
): Flow[] {
  let elements: readonly NftElement[];
  if (map.data.kind === 'set') elements = map.data.elements;
  else if (map.data.kind === 'setref' && at.table.sets.get(map.data.name)) elements = (at.table.sets.get(map.data.name) as NftSet).elements;
  else return notEvaluated(at, s, 'DNAT map data is not a map');
  const target = (el: NftElement): { ip: string; port: number } | null => {
    const d = el.data;
    const parts = d?.kind === 'concat' ? d.items : d && d.kind !== 'verdict' ? [d] : [];
    const ip = parts[0]?.kind === 'value' && typeof parts[0].value === 'string' ? parts[0].value : null;
    const literalPort = parts[1] ? literalInt(parts[1]) : st.port === null ? BigInt(s.dport) : literalInt(st.port);
    return ip === null || literalPort === null ? null : { ip, port: Number(literalPort) };
  };
  const rewrite = (el: NftElement, branch: WalkState): Flow[] => {
    const to = target(el);
    if (to === null) return notEvaluated(at, branch, `DNAT map element is not an address and port: ${renderElement(el, null)}`);
    const s2 = act(at, branch, pr);
    s2.dnat = to;
    s2.daddr = to.ip;
    s2.dport = to.port;
    return [{ s: s2, end: 'nat' }];
  };
  return mapLookup(at, map.key, elements, s, rewrite);
}

/**
 * Looks the packet's key up in a map's elements and continues with `take` for the element found:
 * one branch per element with its numgen share when the key is `numgen`. A key with no element
 * (or a drawn number with none) makes the rule not apply.
 */
function mapLookup(
  at: At,
  keyExpr: NftExpr,
  elements: readonly NftElement[],
  s: WalkState,
  take: (el: NftElement, branch: WalkState) => Flow[],
): Flow[] {
  const key = evalExpr(keyExpr, packetView(s, at.ctx));
  if (key.kind === 'absent') return [{ s, end: 'next' }];
  if (key.kind === 'unknown') return notEvaluated(at, s, key.reason);
  if (key.kind === 'numgen') {
    const shares = numgenShares(elements, key.mod, key.offset);
    if (shares === null) return notEvaluated(at, s, 'numgen map keys are not numbers');
    const base = numgenState(at, key.mode, s);
    const out = shares.flatMap(({ element, share }) => take(element, scaled(base, share)));
    const rest = 1 - shares.reduce((a, x) => a + x.share, 0);
    if (rest > 1e-12) out.push({ s: scaled(base, rest), end: 'next' });
    return out;
  }
  const r = lookup(elements, key.value);
  if (r.kind === 'unknown') return notEvaluated(at, s, r.reason);
  return r.kind === 'hit' ? take(r.element, s) : [{ s, end: 'next' }];
}

function vmap(at: At, st: Extract<NftStatement, { kind: 'vmap' }>, s: WalkState, pr: Progress): Flow[] {
  let set: NftSet | null = null;
  let elements: readonly NftElement[];
  if (st.data.kind === 'setref') {
    set = at.table.sets.get(st.data.name) as NftSet;
    elements = set.elements;
    if (isRuntimeSet(set)) return [{ s: runtimeCondition(at, set, null, s), end: 'next' }];
  } else if (st.data.kind === 'set') elements = st.data.elements;
  else return notEvaluated(at, s, 'vmap data is not a map');
  return mapLookup(at, st.key, elements, s, (el, branch) => {
    if (el.data?.kind !== 'verdict') return notEvaluated(at, branch, 'map element without a verdict');
    const hits = set ? [...pr.hits, elementStep(at.ctx, at.table, set, el, st.key)] : pr.hits;
    const s1 = act(at, branch, { pushed: pr.pushed, hits });
    return verdict(at, el.data, s1, { pushed: true, hits: [] });
  });
}
