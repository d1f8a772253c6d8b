import { DumpParseError } from '../errors.ts';
import { cidrContains, parseCidr, parseIP, sameIP } from '../../net/ip.ts';
import { ipKey } from '../../net/ip.ts';
import type { Protocol } from '../../model/packet.ts';

/** One dimension of a set type: `hash:ip,port,net` has dimensions ip, port, net. */
export type IpsetDimension = 'ip' | 'port' | 'net' | 'mac' | 'iface' | 'mark';

export interface IpsetMember {
  /** The element as listed, e.g. `10.96.0.10,udp:53`. */
  element: string;
  comment: string | null;
  /** Seconds left at dump time (sets created with `timeout`). */
  timeout: number | null;
  /** `nomatch` entries of hash:*net* sets exclude their range. */
  nomatch: boolean;
  line: number;
}

export interface IpsetSet {
  /** As listed: the kernel keeps at most 31 characters (`KUBE-6-LOAD-BALANCER-SOURCE-CID`). */
  name: string;
  type: string;
  dimensions: IpsetDimension[];
  /** From the header: `family inet6` -> 6; bitmap:port has no family. */
  family: 4 | 6 | null;
  header: string;
  members: IpsetMember[];
  line: number;
}

/** The kernel's set name limit (IPSET_MAXNAMELEN 32 including the NUL). */
export const IPSET_MAX_NAME = 31;

/** `ipset list` output. Lookups accept the full kube-proxy name of a truncated set. */
export class IpsetList {
  readonly sets: ReadonlyMap<string, IpsetSet>;
  readonly file: string;
  constructor(file: string, sets: Map<string, IpsetSet>) {
    this.file = file;
    this.sets = sets;
  }

  get(name: string): IpsetSet | null {
    return this.sets.get(name) ?? this.sets.get(name.slice(0, IPSET_MAX_NAME)) ?? null;
  }
}

const HEADER_FIELDS = ['Type', 'Revision', 'Header', 'Size in memory', 'References', 'Number of entries'] as const;

export function parseIpsetList(text: string, file = 'ipset.txt'): IpsetList {
  const sets = new Map<string, IpsetSet>();
  const lines = text.split(/\r?\n/);
  let current: IpsetSet | null = null;
  let inMembers = false;
  const fail: Fail = (line, message) => {
    throw new DumpParseError(file, line, message);
  };
  /** The header's "Number of entries", and whether "Members:" was seen, of the set listed last. */
  let entries: number | null = null;
  let sawMembers = false;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i]!.trim();
    if (line === '') {
      inMembers = false;
      continue;
    }
    const name = /^Name: (\S+)$/.exec(line);
    if (name) {
      const setName = name[1]!;
      if (sets.has(setName)) fail(n, `set ${setName} listed twice`);
      current = { name: setName, type: '', dimensions: [], family: null, header: '', members: [], line: n };
      entries = null;
      sawMembers = false;
      sets.set(setName, current);
      inMembers = false;
      continue;
    }
    if (!current) return fail(n, `expected "Name: SET" before: ${line}`);
    if (inMembers) {
      current.members.push(parseMember(current, line, n, fail));
      continue;
    }
    if (line === 'Members:') {
      if (!current.type) fail(n, `set ${current.name} has no Type line`);
      inMembers = true;
      sawMembers = true;
      continue;
    }
    const field = /^([A-Za-z ]+): ?(.*)$/.exec(line);
    if (!field || !(HEADER_FIELDS as readonly string[]).includes(field[1]!)) return fail(n, `unexpected line in ipset list: ${line}`);
    const key = field[1]!;
    const value = field[2]!;
    if (key === 'Type') {
      current.type = value;
      current.dimensions = dimensionsOf(value, n, fail);
    } else if (key === 'Number of entries') {
      entries = /^\d+$/.test(value) ? Number(value) : null;
    } else if (key === 'Header') {
      current.header = value;
      const fam = /\bfamily (inet6?)\b/.exec(value);
      if (fam) current.family = fam[1] === 'inet6' ? 6 : 4;
    }
  }
  // A listing cut short stops in its last set: before its members, or short of the count its header gives.
  const last = lines.length - (lines.at(-1)?.trim() === '' ? 1 : 0);
  if (current && !sawMembers) fail(last, `set ${current.name} (line ${current.line}) ends before its "Members:" line: the listing looks cut`);
  if (current && entries !== null && current.members.length < entries) {
    fail(last, `set ${current.name} (line ${current.line}) lists ${current.members.length} of the ${entries} members its header counts: the listing looks cut`);
  }
  return new IpsetList(file, sets);
}

type Fail = (line: number, message: string) => never;

function dimensionsOf(type: string, n: number, fail: Fail): IpsetDimension[] {
  const m = /^(hash|bitmap|list):(.+)$/.exec(type);
  if (!m) return fail(n, `unknown set type ${type}`);
  if (m[1] === 'list') return [];
  const dims = m[2]!.split(',');
  for (const d of dims) if (!['ip', 'port', 'net', 'mac', 'iface', 'mark'].includes(d)) fail(n, `unknown set dimension ${d} in ${type}`);
  return dims as IpsetDimension[];
}

function parseMember(set: IpsetSet, line: string, n: number, fail: Fail): IpsetMember {
  // Element first, then options: comment "...", timeout N, packets N bytes N, nomatch, skb*.
  // `s`: a stray CR inside the line is text, not an end of line (without it the match fails).
  const m = /^(\S+)(.*)$/s.exec(line)!;
  const member: IpsetMember = { element: m[1]!, comment: null, timeout: null, nomatch: false, line: n };
  let rest = m[2]!.trim();
  while (rest) {
    let o: RegExpExecArray | null;
    if ((o = /^comment "((?:[^"\\]|\\.)*)"\s*/.exec(rest))) member.comment = o[1]!;
    else if ((o = /^timeout (\d+)\s*/.exec(rest))) member.timeout = Number(o[1]);
    else if ((o = /^nomatch\s*/.exec(rest))) member.nomatch = true;
    else if ((o = /^(packets|bytes|skbmark|skbprio|skbqueue) \S+\s*/.exec(rest))) {
      // counters and skbinfo do not change membership
    } else fail(n, `unknown option in member of ${set.name}: ${rest}`);
    rest = rest.slice(o[0].length);
  }
  if (set.dimensions.length && member.element.split(',').length !== set.dimensions.length) {
    fail(n, `member ${member.element} does not fit ${set.type}`);
  }
  return member;
}

/** The packet fields a `-m set --match-set NAME FLAGS` match can look at. */
export interface SetPacket {
  src: string;
  dst: string;
  /** Destination port. */
  port: number;
  /** Source port; null when unknown (then a `src` port dimension cannot be decided). */
  srcPort: number | null;
  protocol: Protocol;
}

/**
 * Whether the packet is in the set for the given direction flags (`dst,dst`, `dst,dst,src`).
 * null when it cannot be decided from the dump (unknown source port, dimensions the walker
 * does not model, flag count not matching the set).
 */
export function setContains(set: IpsetSet, flags: readonly ('src' | 'dst')[], pkt: SetPacket): boolean | null {
  if (flags.length !== set.dimensions.length) return null;
  // Where no member can make the answer null, only the members holding the packet's address
  // (or port) can match: kube-proxy's sets have a member per service port or endpoint.
  const decidable = set.dimensions.every((dim, d) => dim === 'ip' || dim === 'net' || (dim === 'port' && portOf(flags[d]!, pkt) !== null));
  return bestMatch(decidable ? candidates(set, flags, pkt) : set.members, set, flags, pkt);
}

const portOf = (dir: 'src' | 'dst', pkt: SetPacket): number | null => (dir === 'src' ? pkt.srcPort : pkt.port);

/** Tries members in listed order; null at the first one whose test needs what the packet does not say. */
function bestMatch(members: readonly IpsetMember[], set: IpsetSet, flags: readonly ('src' | 'dst')[], pkt: SetPacket): boolean | null {
  let best: { prefix: number; nomatch: boolean } | null = null;
  for (const member of members) {
    const parts = member.element.split(',');
    let ok = true;
    let prefix = 0;
    for (let d = 0; d < set.dimensions.length && ok; d++) {
      const dim = set.dimensions[d]!;
      const dir = flags[d]!;
      const part = parts[d]!;
      const addr = dir === 'src' ? pkt.src : pkt.dst;
      if (dim === 'ip') ok = ipMatches(part, addr);
      else if (dim === 'net') {
        const c = parseCidr(part);
        ok = !!c && cidrContains(c, addr);
        prefix = c?.prefix ?? 0;
      } else if (dim === 'port') {
        const port = portOf(dir, pkt);
        if (port === null) return null;
        ok = portMatches(part, port, pkt.protocol);
      } else return null;
    }
    // hash:*net* sets try the most specific prefix first; a nomatch hit there excludes.
    if (ok && (!best || prefix > best.prefix)) best = { prefix, nomatch: member.nomatch };
  }
  return best !== null && !best.nomatch;
}

/**
 * Members by the element of one dimension: the first ip dimension (key: the address), else the
 * first port dimension (key: the port). Positions in the member list, ascending.
 */
interface MemberIndex {
  dim: number | null;
  byKey: Map<string, number[]>;
  /** Members whose element there is a network or a port range: they are always tried. */
  others: number[];
}

const indexes = new WeakMap<IpsetSet, MemberIndex>();

/** The members that can match, in listed order (the first of equally specific matches wins). */
function candidates(set: IpsetSet, flags: readonly ('src' | 'dst')[], pkt: SetPacket): IpsetMember[] {
  const index = memberIndex(set);
  if (index.dim === null) return set.members;
  let key: string | null;
  if (set.dimensions[index.dim] === 'ip') {
    const ip = parseIP(flags[index.dim] === 'src' ? pkt.src : pkt.dst);
    key = ip && ipKey(ip);
  } else key = String(portOf(flags[index.dim]!, pkt));
  const hits = (key !== null && index.byKey.get(key)) || [];
  const { others } = index;
  const out: IpsetMember[] = [];
  for (let h = 0, o = 0; h < hits.length || o < others.length; ) {
    const next = o >= others.length || (h < hits.length && hits[h]! < others[o]!) ? hits[h++]! : others[o++]!;
    out.push(set.members[next]!);
  }
  return out;
}

function memberIndex(set: IpsetSet): MemberIndex {
  const cached = indexes.get(set);
  if (cached) return cached;
  const ipDim = set.dimensions.indexOf('ip');
  const portDim = set.dimensions.indexOf('port');
  const dim = ipDim !== -1 ? ipDim : portDim !== -1 ? portDim : null;
  const index: MemberIndex = { dim, byKey: new Map(), others: [] };
  if (dim !== null) {
    set.members.forEach((member, position) => {
      const key = elementKey(set.dimensions[dim]!, member.element.split(',')[dim]!);
      if (key === null) return;
      if (key === undefined) index.others.push(position);
      else {
        const list = index.byKey.get(key);
        if (list) list.push(position);
        else index.byKey.set(key, [position]);
      }
    });
  }
  indexes.set(set, index);
  return index;
}

/** An element's key: the address or the single port; undefined for a network or range; null when it matches nothing. */
function elementKey(dim: IpsetDimension, part: string): string | null | undefined {
  if (dim === 'ip') {
    if (part.includes('/')) return undefined;
    const ip = parseIP(part);
    return ip && ipKey(ip);
  }
  const m = PORT_ELEMENT.exec(part);
  if (!m) return null;
  return m[3] === undefined ? String(Number(m[2])) : undefined;
}

function ipMatches(element: string, addr: string): boolean {
  // hash:ip lists single addresses; a netmask option lists networks as CIDRs.
  return element.includes('/') ? cidrContains(element, addr) : parseIP(element) !== null && sameIP(element, addr);
}

const PORT_ELEMENT = /^(?:([a-z0-9]+):)?(\d+)(?:-(\d+))?$/;

function portMatches(element: string, port: number, protocol: Protocol): boolean {
  const m = PORT_ELEMENT.exec(element);
  if (!m) return false;
  // bitmap:port elements carry no protocol: the iptables rule's -p decides it.
  if (m[1] !== undefined && m[1] !== protocol.toLowerCase()) return false;
  const lo = Number(m[2]);
  const hi = m[3] === undefined ? lo : Number(m[3]);
  return port >= lo && port <= hi;
}
