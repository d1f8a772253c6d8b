/**
 * Addresses parsed once. A walk compares the same packet with thousands of rules of a big chain
 * (KUBE-SERVICES has a rule per service port): parsing the rule's `-d` and the packet's address
 * again at every rule was most of the walk's time.
 */
import { parseCidr, parseIP } from '../../net/ip.ts';
import type { Family, ParsedIP } from '../../net/ip.ts';
import type { HostView } from '../types.ts';
import type { Negatable } from './model.ts';
import type { PacketState } from './state.ts';

export interface Network {
  family: Family;
  base: bigint;
  mask: bigint;
}

export function parseNetwork(text: string): Network | null {
  const c = parseCidr(text);
  if (!c) return null;
  const bits = c.family === 4 ? 32 : 128;
  const mask = c.prefix === 0 ? 0n : ((1n << BigInt(c.prefix)) - 1n) << BigInt(bits - c.prefix);
  return { family: c.family, base: c.base, mask };
}

export const inNetwork = (n: Network, ip: ParsedIP | null): boolean => ip !== null && ip.family === n.family && (ip.value & n.mask) === n.base;

/** A rule's `-s`/`-d`, parsed the first time a walk reaches the rule (most rules never are). */
const networks = new WeakMap<Negatable<string>, Network | null>();

export function ruleNetwork(param: Negatable<string>): Network | null {
  let n = networks.get(param);
  if (n === undefined) networks.set(param, (n = parseNetwork(param.value)));
  return n;
}

interface PacketAddresses {
  src: ParsedIP | null;
  dst: ParsedIP | null;
  /** The texts they were parsed from: a packet changed in place is parsed again. */
  srcText: string;
  dstText: string;
}

/** A packet's addresses, parsed once per packet state (a target that rewrites the packet makes a new one). */
const packets = new WeakMap<PacketState, PacketAddresses>();

export function packetAddresses(pkt: PacketState): PacketAddresses {
  let a = packets.get(pkt);
  if (a === undefined || a.srcText !== pkt.src || a.dstText !== pkt.dst) {
    a = { src: parseIP(pkt.src), dst: parseIP(pkt.dst), srcText: pkt.src, dstText: pkt.dst };
    packets.set(pkt, a);
  }
  return a;
}

/** Same key for every spelling of an address (`::1`, `0::1`). */
export const ipKey = (ip: ParsedIP): string => `${ip.family}/${ip.value}`;

/** The host's addresses as a set, per address list: HostView lists are read-only, and one serves every walk of a node. */
const localSets = new WeakMap<readonly string[], ReadonlySet<string>>();

export function localAddressSet(addresses: readonly string[]): ReadonlySet<string> {
  let set = localSets.get(addresses);
  if (set === undefined) {
    set = new Set(addresses.flatMap((a) => {
      const ip = parseIP(a);
      return ip ? [ipKey(ip)] : [];
    }));
    localSets.set(addresses, set);
  }
  return set;
}

export function isLocalAddress(ip: string, host: HostView): boolean {
  const parsed = parseIP(ip);
  return parsed !== null && localAddressSet(host.localAddresses).has(ipKey(parsed));
}
