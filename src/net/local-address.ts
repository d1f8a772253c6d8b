/**
 * "Is this address local to the host": the kernel's answer (`addrtype --dst-type LOCAL`,
 * `fib daddr type local`, IPVS's local delivery), one rule for every walker. The kernel's local
 * routing table (`ip route show table local`) holds a route per address of every interface, and
 * `local 127.0.0.0/8 dev lo`: all of 127.0.0.0/8 is local, not only 127.0.0.1; in IPv6 only ::1.
 */
import { isLoopbackIP, parseIP } from './ip.ts';
import type { Family, ParsedIP } from './ip.ts';

/** Addresses by family and value. */
export type AddressSet = Readonly<Record<Family, ReadonlySet<bigint>>>;

/** One set per address list: a host's list is read-only and serves every walk of its node. */
const sets = new WeakMap<readonly string[], AddressSet>();

export function addressSet(addresses: readonly string[]): AddressSet {
  let set = sets.get(addresses);
  if (set === undefined) {
    const byFamily = { 4: new Set<bigint>(), 6: new Set<bigint>() };
    for (const a of addresses) {
      const ip = parseIP(a);
      if (ip) byFamily[ip.family].add(ip.value);
    }
    sets.set(addresses, (set = byFamily));
  }
  return set;
}

/** True when a packet to `ip` is delivered to the host that owns `hostAddresses` (its own addresses, loopback). */
export function isLocalIP(ip: ParsedIP | null, hostAddresses: readonly string[]): boolean {
  return ip !== null && (isLoopbackIP(ip) || addressSet(hostAddresses)[ip.family].has(ip.value));
}

export function isLocalAddress(ip: string, hostAddresses: readonly string[]): boolean {
  return isLocalIP(parseIP(ip), hostAddresses);
}
