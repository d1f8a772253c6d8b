/**
 * kube-proxy IPVS mode, first packet of a new connection, in netfilter hook order:
 * - from outside or a pod: nat PREROUTING (KUBE-SERVICES marks for masquerade), then for a local
 *   destination filter INPUT (KUBE-PROXY-FIREWALL, KUBE-IPVS-FILTER), then IPVS at LOCAL_IN
 *   (after filter: priority NF_IP_PRI_NAT_SRC - 2), then nat POSTROUTING (KUBE-POSTROUTING);
 * - from the node: nat OUTPUT, IPVS at LOCAL_OUT (NF_IP_PRI_NAT_DST + 1, before filter), filter
 *   OUTPUT (KUBE-IPVS-OUT-FILTER sees the IPVS connection), nat POSTROUTING.
 * ClusterIP, external and LB addresses are local because kube-proxy binds them to kube-ipvs0
 * (listed in KUBE-IPVS-IPS); NodePort virtual services exist per node address.
 */
import { evaluateChain, initialState, isLocalAddress, outcome } from '../iptables/index.ts';
import type { ChainBranch, ChainContext, IpvsState, Ruleset, SetMatcher, WalkState } from '../iptables/index.ts';
import type { DumpNotice, HostView, WalkOutcome, WalkPacket, WalkStep, Walker } from '../types.ts';
import { parseIP, type ParsedIP } from '../../net/ip.ts';
import { ipKey } from '../../net/ip.ts';
import { addressSet } from '../../net/local-address.ts';
import { setContains, type IpsetList } from './ipset.ts';
import type { ForwardMethod, IpvsTable, RealServer, VirtualService } from './model.ts';
import { schedulerShares } from './schedulers.ts';

export interface IpvsWalkerInput {
  table: IpvsTable;
  /** `ipset list`; null when the bundle has no ipset.txt (set matches are then unknown). */
  ipsets: IpsetList | null;
  /** nat and filter rules; null when the bundle has no iptables-save.txt. */
  iptables: Ruleset | null;
  /** Notices the parsers already found. */
  notices: readonly DumpNotice[];
}

const NO_IPTABLES = 'iptables-save.txt not in the bundle: masquerade and the kube-proxy firewall rules were not evaluated';
const IPVS_IPS = ['KUBE-IPVS-IPS', 'KUBE-6-IPVS-IPS'];
const METHOD: Record<ForwardMethod, IpvsState['method']> = { Masq: 'MASQ', Route: 'GATE', Local: 'GATE', Tunnel: 'IPIP' };

export class IpvsWalker implements Walker {
  readonly mode = 'ipvs' as const;
  readonly #in: IpvsWalkerInput;
  readonly #notices = new Map<string, DumpNotice>();
  readonly #sets: SetMatcher | undefined;
  /** The caller's host view plus the addresses on kube-ipvs0, per caller's address list. */
  readonly #views = new WeakMap<readonly string[], HostView>();
  /** Virtual services by protocol, port and address: the first listed wins, as a scan would find. */
  #services: Map<string, VirtualService> | null = null;

  constructor(input: IpvsWalkerInput) {
    this.#in = input;
    for (const n of input.notices) this.#notice(n);
    const fwm = input.table.services.find((vs) => vs.fwmark !== null);
    if (fwm) {
      this.#notice({
        file: input.table.file,
        line: fwm.line,
        message: 'firewall-mark virtual services are not walked (kube-proxy does not create them; a mangle rule must set the mark)',
      });
    }
    const ipsets = input.ipsets;
    this.#sets = ipsets
      ? {
          has: (name, flags, p) => {
            const set = ipsets.get(name);
            if (!set) {
              this.#notice({ file: ipsets.file, line: null, message: `ipset ${name} is used by a rule but not in the ipset list` });
              return null;
            }
            return setContains(set, flags, { src: p.src, dst: p.dst, port: p.port, srcPort: p.sport ?? null, protocol: p.protocol });
          },
        }
      : undefined;
  }

  notices(): DumpNotice[] {
    return [...this.#notices.values()];
  }

  #notice(n: DumpNotice): void {
    this.#notices.set(`${n.file}\u0000${n.line}\u0000${n.message}`, n);
  }

  walk(packet: WalkPacket, host: HostView): WalkOutcome[] {
    const view = this.#view(host);
    const ctx: ChainContext | null = this.#in.iptables
      ? { ruleset: this.#in.iptables, host: view, notice: (n) => this.#notice(n), ...(this.#sets ? { sets: this.#sets } : {}) }
      : null;
    const start = initialState(packet);
    const chain = (table: string, name: string, state: WalkState): ChainBranch[] =>
      ctx ? evaluateChain(ctx, table, name, state) : [{ ...state, verdict: null }];

    const first = ctx ? start : { ...start, conditions: [NO_IPTABLES] };
    return chain('nat', packet.hook === 'output' ? 'OUTPUT' : 'PREROUTING', first).flatMap((nat) => {
      if (stops(nat)) return [outcome(nat, nat.verdict)];
      const local = isLocalAddress(nat.packet.dst, view);
      if (packet.hook === 'output') return this.#ipvs(nat, false, chain, 'output', view);
      if (!local) {
        // Forwarded, not delivered: IPVS only sees packets for local addresses.
        const fwd = withCondition(nat, 'destination is not a local address of this node: forwarded without IPVS');
        return chain('filter', 'FORWARD', fwd).flatMap((f) =>
          stops(f) ? [outcome(f, f.verdict)] : postrouting(f, f.verdict === 'ACCEPT', chain),
        );
      }
      return chain('filter', 'INPUT', nat).flatMap((f) =>
        stops(f) ? [outcome(f, f.verdict)] : this.#ipvs(f, f.verdict === 'ACCEPT', chain, 'prerouting', view),
      );
    });
  }

  /** Addresses on kube-ipvs0 are local even when the caller did not know them (thousands: built once per host). */
  #view(host: HostView): HostView {
    let view = this.#views.get(host.localAddresses);
    if (!view) {
      const known = addressSet(host.localAddresses);
      const ipvsIps = IPVS_IPS.flatMap((name) => this.#in.ipsets?.get(name)?.members.map((m) => m.element) ?? []);
      const added = ipvsIps.filter((ip) => {
        const parsed = parseIP(ip);
        return parsed === null || !known[parsed.family].has(parsed.value);
      });
      view = { localAddresses: [...host.localAddresses, ...added] };
      this.#views.set(host.localAddresses, view);
    }
    return view;
  }

  /** IPVS lookup and scheduling, then what follows it for the hook. */
  #ipvs(state: WalkState, accepted: boolean, chain: ChainFn, hook: 'prerouting' | 'output', view: HostView): WalkOutcome[] {
    const vs = this.#lookup(state);
    // Sent by the node to one of its own addresses: after POSTROUTING it loops back through
    // filter INPUT, where KUBE-NODE-PORT accepts the health-check node ports.
    const input = (s: WalkState): WalkOutcome[] =>
      chain('filter', 'INPUT', s).map((b) => (stops(b) ? outcome(b, b.verdict) : finish(b, b.verdict === 'ACCEPT')));
    const after = (s: WalkState, acc: boolean): WalkOutcome[] =>
      hook === 'output'
        ? chain('filter', 'OUTPUT', s).flatMap((f) =>
            stops(f)
              ? [outcome(f, f.verdict)]
              : chain('nat', 'POSTROUTING', f).flatMap((p) =>
                  stops(p) ? [outcome(p, p.verdict)] : isLocalAddress(p.packet.dst, view) ? input(p) : [finish(p, acc || f.verdict === 'ACCEPT')],
                ),
          )
        : postrouting(s, acc, chain);
    if (!vs) {
      // Not a virtual service: delivered to the node itself (or, from the node, sent as is).
      return hook === 'output' ? after(state, accepted) : [finish(state, accepted)];
    }
    const file = this.#in.table.file;
    const vsStep: WalkStep = { table: 'ipvs', chain: vs.key, rule: vs.text, line: vs.line, file };
    const sched = schedulerShares(vs);
    const base: WalkState = {
      ...state,
      dynamic: state.dynamic || sched.dynamic,
      conditions: [...state.conditions, ...sched.conditions.filter((c) => !state.conditions.includes(c))],
    };
    const out: WalkOutcome[] = [];
    for (const share of sched.shares) {
      const rs = share.server;
      const s: WalkState = {
        ...base,
        probability: base.probability * share.share,
        steps: [...base.steps, vsStep, { table: 'ipvs', chain: vs.key, rule: rs.text, line: rs.line, file }],
        conditions: [...base.conditions, ...share.conditions, ...forwardNote(rs)],
        packet: { ...base.packet, dst: rs.address, port: rs.port, ipvs: ipvsState(vs, rs) },
        dnat: { ip: rs.address, port: rs.port },
      };
      out.push(...after(s, accepted));
    }
    if (sched.noDestination > 0) {
      const reason =
        vs.realServers.length === 0
          ? 'the virtual service has no real servers'
          : 'no real server can take the connection (weight 0, or a hash bucket of a weight-0 server)';
      out.push(
        outcome(
          {
            ...base,
            probability: base.probability * sched.noDestination,
            steps: [...base.steps, vsStep],
            conditions: [...base.conditions, `${reason}: IPVS drops the packet and answers ICMP port unreachable (ip_vs_leave)`],
          },
          'REJECT',
        ),
      );
    }
    return out;
  }

  #lookup(state: WalkState): VirtualService | null {
    const p = state.packet;
    const dst = parseIP(p.dst);
    if (!dst) return null;
    if (!this.#services) {
      this.#services = new Map();
      for (const vs of this.#in.table.services) {
        const address = vs.address === null ? null : parseIP(vs.address);
        if (!address) continue;
        const key = serviceKey(vs.protocol, vs.port, address);
        if (!this.#services.has(key)) this.#services.set(key, vs);
      }
    }
    return this.#services.get(serviceKey(p.protocol, p.port, dst)) ?? null;
  }
}

const serviceKey = (protocol: string | null, port: number | null, address: ParsedIP) => `${protocol} ${port} ${ipKey(address)}`;

type ChainFn = (table: string, name: string, state: WalkState) => ChainBranch[];

function ipvsState(vs: VirtualService, rs: RealServer): IpvsState {
  return { vaddr: vs.address!, vport: vs.port!, vproto: vs.protocol!, method: METHOD[rs.forward ?? 'Masq'] };
}

function forwardNote(rs: RealServer): string[] {
  if (rs.forward === null || rs.forward === 'Masq') return [];
  return [`forwarding ${rs.forward}: the packet reaches the real server with its destination address unchanged (not NAT)`];
}

function postrouting(state: WalkState, accepted: boolean, chain: ChainFn): WalkOutcome[] {
  return chain('nat', 'POSTROUTING', state).map((b) => (stops(b) ? outcome(b, b.verdict) : finish(b, accepted)));
}

/** DROP and REJECT end the walk; other chain verdicts only end that table's traversal. */
const stops = (b: ChainBranch): b is ChainBranch & { verdict: 'DROP' | 'REJECT' } => b.verdict === 'DROP' || b.verdict === 'REJECT';

const withCondition = <T extends WalkState>(s: T, c: string): T => (s.conditions.includes(c) ? s : { ...s, conditions: [...s.conditions, c] });

function finish(state: WalkState, accepted: boolean): WalkOutcome {
  return outcome(state, state.dnat ? 'DNAT' : accepted ? 'ACCEPT' : 'NO-MATCH');
}

