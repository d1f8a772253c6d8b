/**
 * Addresses parsed once. A walk compares the same packet with thousands of rules of a big chain
 * (KUBE-SERVICES has a rule per service port): parsing the rule's `-d` and the packet's address
 * again at every rule was most of the walk's time.
 */
import { parseCidr, parseIP, prefixMask } from '../../net/ip.ts';
import { isLocalIP as isLocal } from '../../net/local-address.ts';
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
  return { family: c.family, base: c.base, mask: prefixMask(c.family, c.prefix) };
}

export const inNetwork = (n: Network, ip: ParsedIP | null): boolean => ip !== null && ip.family === n.family && (ip.value & n.mask) === n.base;

/** A rule's `-s`/`-d`, parsed the first time a walk reaches the rule (most rules never are), again if its text changed. */
const networks = new WeakMap<Negatable<string>, { text: string; network: Network | null }>();

export function ruleNetwork(param: Negatable<string>): Network | null {
  let n = networks.get(param);
  if (n === undefined || n.text !== param.value) networks.set(param, (n = { text: param.value, network: parseNetwork(param.value) }));
  return n.network;
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

export function isLocalIP(ip: ParsedIP | null, host: HostView): boolean {
  return isLocal(ip, host.localAddresses);
}

export function isLocalAddress(ip: string, host: HostView): boolean {
  return isLocal(parseIP(ip), host.localAddresses);
}
