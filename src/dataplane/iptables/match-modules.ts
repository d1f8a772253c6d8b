/** Per-extension evaluation of `-m` matches against the walked packet. */
import { SERVICE_PROTOCOL_NUMBER } from '../../net/protocols.ts';
import { cidrContains, parseCidr, sameIP } from '../../net/ip.ts';
import type { HostView } from '../types.ts';
import type { ParsedIP } from '../../net/ip.ts';
import { isLocalIP, packetAddresses } from './addresses.ts';
import { all, bool, flip, no, unknown, yes, type Decision } from './decision.ts';
import { formatMatch } from './format.ts';
import { markMatches } from './mark.ts';
import type { Match, RuleOption } from './model.ts';
import type { PacketState, SetMatcher } from './state.ts';

export interface MatchContext {
  host: HostView;
  sets?: SetMatcher;
}

/** `-p 6` means `-p tcp`: a Service protocol's name by its number. */
export const PROTOCOL_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SERVICE_PROTOCOL_NUMBER).map(([name, n]) => [String(n), name.toLowerCase()]),
);

/** `80`, `1024:65535`, `:1024`, `1024:`. */
function inPortRange(spec: string, port: number): boolean | null {
  const m = /^(\d*)(?::(\d*))?$/.exec(spec);
  if (!m || (m[1] === '' && m[2] === undefined)) return null;
  const lo = m[1] === '' ? 0 : Number(m[1]);
  const hi = m[2] === undefined ? lo : m[2] === '' ? 65535 : Number(m[2]);
  return port >= lo && port <= hi;
}

function inPortList(list: string, port: number): boolean | null {
  const hits = list.split(',').map((s) => inPortRange(s, port));
  return hits.includes(null) ? null : hits.includes(true);
}

function portOption(o: RuleOption, port: number | undefined, list: boolean): Decision {
  const spec = o.values[0]?.value;
  if (spec === undefined || port === undefined) return unknown;
  const hit = list ? inPortList(spec, port) : inPortRange(spec, port);
  return hit === null ? unknown : bool(hit, o.negated);
}

const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'];

/** The walked packet opens a connection: a TCP SYN. */
function tcpFlags(mask: string, comp: string, negated: boolean): Decision {
  const set = (s: string): string[] | null => {
    if (s === 'ALL') return TCP_FLAGS;
    if (s === 'NONE') return [];
    const names = s.split(',');
    return names.every((n) => TCP_FLAGS.includes(n)) ? names : null;
  };
  const m = set(mask);
  const c = set(comp);
  if (!m || !c) return unknown;
  return bool(m.every((f) => (f === 'SYN') === c.includes(f)), negated);
}

function protocolMatch(match: Match, pkt: PacketState): Decision {
  if (match.module !== pkt.protocol.toLowerCase()) return no;
  return all(
    match.options.map((o) => {
      switch (o.name) {
        case '--dport':
        case '--destination-port':
          return portOption(o, pkt.port, false);
        case '--sport':
        case '--source-port':
          return portOption(o, pkt.sport, false);
        case '--syn':
          return tcpFlags('FIN,SYN,RST,ACK', 'SYN', o.negated);
        case '--tcp-flags':
          return tcpFlags(o.values[0]!.value, o.values[1]!.value, o.negated);
        default:
          return unknown;
      }
    }),
  );
}

function multiport(match: Match, pkt: PacketState): Decision {
  return all(
    match.options.map((o) => {
      switch (o.name) {
        case '--dports':
        case '--destination-ports':
          return portOption(o, pkt.port, true);
        case '--sports':
        case '--source-ports':
          return portOption(o, pkt.sport, true);
        case '--ports': {
          const d = portOption({ ...o, negated: false }, pkt.port, true);
          const s = portOption({ ...o, negated: false }, pkt.sport, true);
          const either = d.kind === 'yes' || s.kind === 'yes' ? yes : d.kind === 'unknown' || s.kind === 'unknown' ? unknown : no;
          return flip(either, o.negated);
        }
        default:
          return unknown;
      }
    }),
  );
}

const MULTICAST = ['224.0.0.0/4', 'ff00::/8'];

/** Kernel address types netpath can tell from the host's address list alone. */
function addressType(ip: string, parsed: ParsedIP | null, type: string, host: HostView): boolean | null {
  switch (type) {
    case 'LOCAL':
      return isLocalIP(parsed, host);
    case 'MULTICAST':
      return MULTICAST.some((c) => cidrContains(c, ip));
    case 'BROADCAST':
      return sameIP(ip, '255.255.255.255');
    default:
      return null;
  }
}

function addrtype(match: Match, pkt: PacketState, host: HostView): Decision {
  const limited = match.options.find((o) => o.name === '--limit-iface-in' || o.name === '--limit-iface-out');
  const decisions = match.options.flatMap((o): Decision[] => {
    if (o.name !== '--src-type' && o.name !== '--dst-type') return [];
    const src = o.name === '--src-type';
    const parsed = src ? packetAddresses(pkt).src : packetAddresses(pkt).dst;
    const hits = o.values[0]!.value.split(',').map((t) => addressType(src ? pkt.src : pkt.dst, parsed, t, host));
    const any = hits.includes(true) ? yes : hits.includes(null) ? unknown : no;
    return [flip(any, o.negated)];
  });
  const d = all(decisions);
  if (!limited || d.kind !== 'yes') return d;
  return { kind: 'yes', condition: `assumed the address is on the interface the packet uses (${limited.name})` };
}

function conntrack(match: Match, pkt: PacketState): Decision {
  return all(
    match.options.map((o) =>
      o.name === '--ctstate' ? bool(o.values[0]!.value.split(',').some((s) => pkt.ctstate.includes(s)), o.negated) : unknown,
    ),
  );
}

function statistic(match: Match): Decision {
  const opt = (name: string) => match.options.find((o) => o.name === name);
  const mode = opt('--mode')?.values[0]?.value;
  if (mode === 'random') {
    const p = opt('--probability');
    const value = Number(p?.values[0]?.value);
    if (!p || !Number.isFinite(value) || value < 0 || value > 1) return unknown;
    return { kind: 'chance', probability: p.negated ? 1 - value : value };
  }
  if (mode === 'nth') {
    // Each rule counts the packets that reach it: over time exactly 1 in `every` fires.
    const every = opt('--every');
    const n = Number(every?.values[0]?.value);
    if (!every || !Number.isInteger(n) || n < 1) return unknown;
    return { kind: 'chance', probability: every.negated ? 1 - 1 / n : 1 / n };
  }
  return unknown;
}

/** Walks are for a new client: no recent-list entry exists yet. */
function recent(match: Match): Decision {
  const opt = (name: string) => match.options.find((o) => o.name === name);
  const name = opt('--name')?.values[0]?.value ?? 'DEFAULT';
  const command = match.options.find((o) => ['--set', '--rcheck', '--update', '--remove'].includes(o.name));
  if (!command) return unknown;
  if (command.name === '--set') return bool(true, command.negated);
  const seconds = opt('--seconds')?.values[0]?.value;
  const condition =
    command.name === '--remove'
      ? `new client: no entry in recent list ${name} to remove`
      : `new client: no affinity entry in ${name} (a returning client${seconds ? ` within ${seconds}s` : ''} goes back to its endpoint)`;
  return { kind: command.negated ? 'yes' : 'no', condition, dynamic: true };
}

function setMatch(match: Match, pkt: PacketState, sets: SetMatcher | undefined): Decision {
  const o = match.options.find((x) => x.name === '--match-set');
  if (!o || match.options.length !== 1) return unknown;
  const name = o.values[0]!.value;
  const flags = o.values[1]!.value.split(',');
  if (!flags.every((f) => f === 'src' || f === 'dst')) return unknown;
  const has = sets?.has(name, flags as ('src' | 'dst')[], pkt) ?? null;
  if (has === null) return { kind: 'unknown', note: `the contents of ipset ${name} are unknown` };
  return bool(has, o.negated);
}

/** The walked packet is routed, never bridged: every physdev test is false before negation. */
function physdev(match: Match): Decision {
  const d = all(match.options.map((o) => bool(false, o.negated)));
  return d.kind === 'yes' || d.kind === 'no'
    ? { ...d, condition: `assumed the packet is routed, not bridged (${formatMatch(match)})` }
    : d;
}

const PROTO_NAMES: Readonly<Record<string, string>> = { ...PROTOCOL_NAMES, tcp: 'tcp', udp: 'udp', sctp: 'sctp' };

/** xt_ipvs: options other than --ipvs never match a packet IPVS did not handle. */
function ipvs(match: Match, pkt: PacketState): Decision {
  const only = match.options.length === 1 && match.options[0]!.name === '--ipvs';
  if (!pkt.ipvs) return only ? bool(false, match.options[0]!.negated) : no;
  const v = pkt.ipvs;
  return all(
    match.options.map((o) => {
      const arg = o.values[0]?.value ?? '';
      switch (o.name) {
        case '--ipvs':
          return bool(true, o.negated);
        case '--vaddr':
          return parseCidr(arg) ? bool(cidrContains(arg, v.vaddr), o.negated) : unknown;
        case '--vport':
          return bool(Number(arg) === v.vport, o.negated);
        case '--vproto':
          return bool(PROTO_NAMES[arg.toLowerCase()] === v.vproto.toLowerCase(), o.negated);
        case '--vdir':
          return bool(arg === 'ORIGINAL', o.negated);
        case '--vmethod':
          return bool(arg === v.method, o.negated);
        default:
          return unknown;
      }
    }),
  );
}

export function evaluateMatch(match: Match, pkt: PacketState, ctx: MatchContext): Decision {
  if (!match.known) return unknown;
  switch (match.module) {
    case 'tcp':
    case 'udp':
    case 'sctp':
      return protocolMatch(match, pkt);
    case 'multiport':
      return multiport(match, pkt);
    case 'comment':
    case 'nfacct':
      return yes;
    case 'addrtype':
      return addrtype(match, pkt, ctx.host);
    case 'mark': {
      const o = match.options[0];
      const hit = o ? markMatches(pkt.mark, o.values[0]!.value) : null;
      return hit === null ? unknown : bool(hit, o!.negated);
    }
    case 'conntrack':
      return conntrack(match, pkt);
    case 'statistic':
      return statistic(match);
    case 'recent':
      return recent(match);
    case 'set':
      return setMatch(match, pkt, ctx.sets);
    case 'physdev':
      return physdev(match);
    case 'ipvs':
      return ipvs(match, pkt);
    default:
      return unknown;
  }
}

