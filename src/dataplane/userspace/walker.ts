import type { DumpNotice, HostView, WalkOutcome, WalkPacket, Walker } from '../types.ts';
import type { Ruleset } from '../iptables/ruleset.ts';
import { isIPv6, sameIP } from '../../net/ip.ts';
import { findPortal } from './portals.ts';

/** Why a userspace portal is not the end of the path; every DNAT outcome carries these. */
const PROXY_CONDITIONS = [
  'kube-proxy userspace mode: the packet goes to the proxy process on this node, which terminates the connection and opens a new one to an endpoint',
  'the proxy picks endpoints round robin (or by ClientIP affinity) from what it learned from the API; the endpoint is not in the rules',
  'source IP always lost: endpoints see the node as the client',
  'every byte is copied through user space: extra latency and CPU on the node',
];

const UPGRADE =
  'kube-proxy runs in the userspace mode (removed in Kubernetes 1.26): its rules only redirect to the proxy process; upgrade kube-proxy to the iptables or nftables mode';

export class UserspaceWalker implements Walker {
  readonly mode = 'userspace' as const;
  readonly #ruleset: Ruleset;
  readonly #notices = new Map<string, DumpNotice>();

  constructor(ruleset: Ruleset, file: string, dumpNotices: readonly DumpNotice[] = []) {
    this.#ruleset = ruleset;
    this.#notices.set('upgrade', { file, line: null, message: UPGRADE });
    for (const n of dumpNotices) this.#notices.set(`${n.file}:${n.line}:${n.message}`, n);
  }

  walk(packet: WalkPacket, host: HostView): WalkOutcome[] {
    const found: DumpNotice[] = [];
    const hit = findPortal(this.#ruleset, packet, host, found);
    for (const n of found) this.#notices.set(`${n.file}:${n.line}:${n.message}`, n);
    if (!hit) {
      return [{ verdict: 'NO-MATCH', probability: 1, dnat: null, masquerade: false, steps: [], conditions: ['no userspace portal rule matches this destination'], dynamic: false }];
    }
    const ip = hit.ip ?? redirectAddress(packet, host);
    const conditions = [
      hit.target === 'REDIRECT'
        ? packet.hook === 'output'
          ? `REDIRECT to port ${hit.port} on the loopback address`
          : `REDIRECT to port ${hit.port} on the address of the interface the packet arrived on`
        : `DNAT to the proxy at ${ip}:${hit.port}`,
      ...(hit.service ? [`proxy port for ${hit.service}`] : []),
      ...PROXY_CONDITIONS,
    ];
    // masquerade: the proxy re-originates the connection, so the source IP is lost as with SNAT.
    return [{ verdict: 'DNAT', probability: 1, dnat: { ip, port: hit.port }, masquerade: true, steps: hit.steps, conditions, dynamic: false }];
  }

  notices(): DumpNotice[] {
    return [...this.#notices.values()];
  }
}

/**
 * REDIRECT rewrites the destination to the primary address of the receiving interface
 * (PREROUTING) or to loopback (OUTPUT). The interface is not known, so a non-loopback local
 * address of the packet's family stands in; the unspecified address when there is none.
 */
function redirectAddress(packet: WalkPacket, host: HostView): string {
  const v6 = isIPv6(packet.dst);
  if (packet.hook === 'output') return v6 ? '::1' : '127.0.0.1';
  const local = host.localAddresses.find((a) => isIPv6(a) === v6 && !sameIP(a, v6 ? '::1' : '127.0.0.1') && !a.startsWith('127.'));
  return local ?? (v6 ? '::' : '0.0.0.0');
}
