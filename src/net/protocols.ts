/** IP protocol numbers (IANA; /etc/protocols) by the names nft and iptables print. */
import type { Protocol } from '../model/packet.ts';

export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, icmpv6: 58, 'ipv6-icmp': 58, sctp: 132, udplite: 136,
};

/** The protocols a Service port can have, by number. */
export const SERVICE_PROTOCOL_NUMBER: Readonly<Record<Protocol, number>> = { TCP: 6, UDP: 17, SCTP: 132 };

/** A protocol's name or number as written in a rule (`tcp`, `6`), as its number; null when unknown. */
export function protocolNumber(name: string | number): number | null {
  if (typeof name === 'number') return name;
  if (/^\d+$/.test(name)) return Number(name);
  return Object.hasOwn(PROTOCOL_NUMBERS, name) ? (PROTOCOL_NUMBERS[name] as number) : null;
}
