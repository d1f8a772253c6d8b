import type { Verdict } from '../../model/outcome.ts';
import { parseIP } from '../../net/ip.ts';
import { isLocalAddress } from '../../net/local-address.ts';
import { SERVICE_PROTOCOL_NUMBER } from '../../net/protocols.ts';
import type { HostView, WalkOutcome, WalkPacket, Walker } from '../types.ts';
import type { NftChain, NftElement, NftNotice, NftRuleset, NftTable } from './model.ts';
import { tableLabel } from './model.ts';
import { runChain } from './walk-rules.ts';
import { WalkBudget } from '../walk-budget.ts';
import type { WalkContext, WalkState } from './walk-state.ts';
import { clone, policyStep } from './walk-state.ts';

export interface NftWalker extends Walker {
  /** Parse notices (unknown expressions) and layout notices (other tables walked, stale chains). */
  notices(): NftNotice[];
  /** walk() with a caller's budget, whose step count tests read. */
  walkWithBudget(packet: WalkPacket, host: HostView, budget: WalkBudget): WalkOutcome[];
}

/**
 * Walks a packet through every base chain of the ip/ip6/inet tables at the hooks it passes,
 * in priority order: prerouting, then input or forward by the (post-DNAT) destination, then
 * postrouting; or output, postrouting, and for local destinations the loopback re-entry.
 * The walk follows the first packet of a new connection.
 */
export function createNftWalker(rs: NftRuleset): NftWalker {
  const layout = layoutNotices(rs);
  const hooks = { 4: hookIndex(rs, 4), 6: hookIndex(rs, 6) };
  return {
    mode: 'nftables',
    notices: () => [...rs.notices, ...layout],
    walk: (packet, host) => walk(rs, hooks, packet, host),
    walkWithBudget: (packet, host, budget) => walk(rs, hooks, packet, host, budget),
  };
}

const WALKED_HOOKS = new Set(['prerouting', 'input', 'forward', 'output', 'postrouting']);
const KUBE_PROXY = 'kube-proxy';

type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
type Continue = (s: WalkState) => void;
type BaseChain = { table: NftTable; chain: NftChain };
/** Per IP family: the base chains at each hook, in the order a packet passes them. */
type HookIndex = Record<4 | 6, ReadonlyMap<string, readonly BaseChain[]>>;

function walk(rs: NftRuleset, hooks: HookIndex, packet: WalkPacket, host: HostView, budget?: WalkBudget): WalkOutcome[] {
  const src = parseIP(packet.src);
  const dst = parseIP(packet.dst);
  if (!src || !dst || src.family !== dst.family) throw new Error(`nftables walk: addresses ${packet.src} -> ${packet.dst} are not one IP family`);
  const ctx: WalkContext = {
    rs,
    family: dst.family,
    protocol: SERVICE_PROTOCOL_NUMBER[packet.protocol],
    isLocal: (ip) => isLocalAddress(ip, host.localAddresses),
    budget: budget ?? new WalkBudget(),
    memo: new Map(),
  };
  const conditions: string[] = [];
  const kpFamily = dst.family === 4 ? 'ip' : 'ip6';
  if (!rs.tables.some((t) => t.family === kpFamily && t.name === KUBE_PROXY)) conditions.push(`the dump has no ${kpFamily} ${KUBE_PROXY} table`);
  const start: WalkState = {
    prob: 1,
    saddr: packet.src,
    daddr: packet.dst,
    dport: packet.port,
    mark: 0n,
    dnat: null,
    masquerade: false,
    natDone: new Set(),
    accepted: false,
    steps: [],
    conditions,
    dynamic: false,
  };
  const out: WalkOutcome[] = [];
  const sink = (s: WalkState, verdict: Verdict | null) => out.push(outcome(s, verdict));
  const finish: Continue = (s) => sink(s, null);
  const hook = (name: Hook, s: WalkState, next: Continue, skipNat = false) =>
    runHook(ctx, hooks[dst.family].get(name) ?? [], name, s, skipNat, next, sink);
  if (packet.hook === 'prerouting') {
    hook('prerouting', start, (s) => {
      if (ctx.isLocal(s.daddr)) hook('input', s, finish);
      else hook('forward', s, (s2) => hook('postrouting', s2, finish));
    });
  } else {
    hook('output', start, (s) =>
      hook('postrouting', s, (s2) => {
        // Locally generated and locally destined: looped back through prerouting and input;
        // the connection's NAT is already decided, so nat chains do not run again.
        if (ctx.isLocal(s2.daddr)) hook('prerouting', s2, (s3) => hook('input', s3, finish, true), true);
        else finish(s2);
      }),
    );
  }
  return out;
}

function runHook(
  ctx: WalkContext,
  chains: readonly BaseChain[],
  hook: Hook,
  s: WalkState,
  skipNat: boolean,
  next: Continue,
  sink: (s: WalkState, v: Verdict) => void,
): void {
  const manip = hook === 'prerouting' || hook === 'output' ? 'dst' : 'src';
  const step = (i: number, st: WalkState): void => {
    const entry = chains[i];
    if (!entry) return next(st);
    const { table, chain } = entry;
    const base = chain.base as NonNullable<NftChain['base']>;
    if (base.type === 'nat' && (skipNat || st.natDone.has(manip))) return step(i + 1, st);
    for (const f of runChain(ctx, table, chain, st, 0)) {
      if (f.end === 'drop' || f.end === 'reject') sink(f.s, f.end === 'drop' ? 'DROP' : 'REJECT');
      else if (f.end === 'return' && base.policy === 'drop') {
        const s2 = clone(f.s);
        s2.steps.push(policyStep(ctx, table, chain));
        sink(s2, 'DROP');
      } else if (f.end === 'nat') {
        const s2 = clone(f.s);
        s2.natDone = new Set([...f.s.natDone, manip]);
        step(i + 1, s2);
      } else step(i + 1, f.s);
    }
  };
  step(0, s);
}

/**
 * Base chains by hook for one IP family, each hook's lowest priority first (stable for equal
 * priorities: tables, then chains, in dump order). Built once: a kube-proxy table has a chain per
 * service and endpoint, and only a handful are base chains.
 */
function hookIndex(rs: NftRuleset, family: 4 | 6): Map<string, BaseChain[]> {
  const fam = family === 4 ? 'ip' : 'ip6';
  const byHook = new Map<string, BaseChain[]>();
  for (const table of rs.tables) {
    if (table.family !== fam && table.family !== 'inet') continue;
    for (const chain of table.chains.values()) {
      if (!chain.base) continue;
      const list = byHook.get(chain.base.hook);
      if (list) list.push({ table, chain });
      else byHook.set(chain.base.hook, [{ table, chain }]);
    }
  }
  for (const list of byHook.values()) list.sort((a, b) => (a.chain.base?.priority ?? 0) - (b.chain.base?.priority ?? 0));
  return byHook;
}

function outcome(s: WalkState, verdict: Verdict | null): WalkOutcome {
  return {
    verdict: verdict ?? (s.dnat ? 'DNAT' : s.accepted ? 'ACCEPT' : 'NO-MATCH'),
    probability: s.prob,
    dnat: s.dnat,
    masquerade: s.masquerade,
    steps: s.steps,
    conditions: s.conditions,
    dynamic: s.dynamic,
  };
}


function layoutNotices(rs: NftRuleset): NftNotice[] {
  const out: NftNotice[] = [];
  const note = (message: string, line: number | null = null) => out.push({ kind: 'layout', file: rs.file, line, message });
  const kubeProxy = rs.tables.filter((t) => t.name === KUBE_PROXY && (t.family === 'ip' || t.family === 'ip6'));
  if (!kubeProxy.length) note(`no ip/ip6 ${KUBE_PROXY} table: kube-proxy's nftables rules are not in this dump`);
  for (const t of rs.tables) {
    const bases = [...t.chains.values()].filter((c) => c.base);
    if (t.name === KUBE_PROXY && kubeProxy.includes(t) && !bases.length) note(`${tableLabel(t)} has no base chains: nothing hooks its rules`);
    for (const c of bases) {
      const b = c.base as NonNullable<NftChain['base']>;
      const desc = `${tableLabel(t)} chain ${c.name} (${b.type} hook ${b.hook} priority ${b.priority}, policy ${b.policy})`;
      const walked = WALKED_HOOKS.has(b.hook) && ['ip', 'ip6', 'inet'].includes(t.family);
      if (!walked) note(`not evaluated: ${desc}`, c.line);
      else if (t.name !== KUBE_PROXY) note(`walked as well: ${desc}`, c.line);
    }
    if (t.name === KUBE_PROXY) {
      const stale = staleChains(t);
      if (stale.length) note(`${tableLabel(t)}: ${stale.length} empty chain(s) nothing refers to (stale, kube-proxy deletes them after a delay): ${stale.join(', ')}`);
    }
  }
  return out;
}

function staleChains(t: NftTable): string[] {
  return [...t.chains.values()].filter((c) => !c.base && !c.ruleCount && !c.jumpedTo).map((c) => c.name);
}
