/**
 * The legacy userspace proxy's iptables layout (kube-proxy before 1.26, `--proxy-mode=userspace`):
 * nat PREROUTING jumps to KUBE-PORTALS-CONTAINER and, for local destinations, to
 * KUBE-NODEPORT-CONTAINER, whose rules `REDIRECT --to-ports P` to the proxy's local port; nat
 * OUTPUT does the same through KUBE-PORTALS-HOST / KUBE-NODEPORT-HOST with `DNAT
 * --to-destination NODEIP:P`. Only the matches these rules use are evaluated.
 */
import { cidrContains } from '../../net/ip.ts';
import { isLocalAddress } from '../../net/local-address.ts';
import type { Rule } from '../iptables/model.ts';
import type { Ruleset } from '../iptables/ruleset.ts';
import type { DumpNotice, HostView, WalkPacket, WalkStep } from '../types.ts';

export const USERSPACE_CHAINS = ['KUBE-PORTALS-CONTAINER', 'KUBE-PORTALS-HOST', 'KUBE-NODEPORT-CONTAINER', 'KUBE-NODEPORT-HOST'] as const;

/** Where the portal rules sent the packet. */
export interface PortalHit {
  /** `ns/svc:port` from the rule's comment, when it has one. */
  service: string | null;
  target: 'REDIRECT' | 'DNAT';
  /** DNAT's address; null for REDIRECT (the receiving interface's address, or loopback from OUTPUT). */
  ip: string | null;
  port: number;
  steps: WalkStep[];
}

export function findPortal(ruleset: Ruleset, packet: WalkPacket, host: HostView, notices: DumpNotice[]): PortalHit | null {
  const base = packet.hook === 'prerouting' ? 'PREROUTING' : 'OUTPUT';
  for (const jump of ruleset.chain('nat', base)?.rules ?? []) {
    const into = jump.target?.name;
    if (!into || !(USERSPACE_CHAINS as readonly string[]).includes(into)) continue;
    if (!matches(jump, packet, host, notices)) continue;
    for (const rule of ruleset.chain('nat', into)?.rules ?? []) {
      if (!matches(rule, packet, host, notices)) continue;
      const hit = portalTarget(rule, notices);
      if (hit) return { ...hit, steps: [step(jump), step(rule)] };
    }
  }
  return null;
}

function step(rule: Rule): WalkStep {
  return { table: 'nat', chain: rule.chain, rule: rule.text, line: rule.line, file: rule.file };
}

const optionValue = (rule: Rule, module: string, name: string): { value: string; negated: boolean } | null => {
  for (const m of rule.matches) {
    if (m.module !== module) continue;
    const o = m.options.find((x) => x.name === name);
    if (o) return { value: o.values[0]?.value ?? '', negated: o.negated };
  }
  return null;
};

function matches(rule: Rule, packet: WalkPacket, host: HostView, notices: DumpNotice[]): boolean {
  if (rule.protocol && (rule.protocol.value.toLowerCase() === packet.protocol.toLowerCase()) === rule.protocol.negated) return false;
  if (rule.destination && cidrContains(rule.destination.value, packet.dst) === rule.destination.negated) return false;
  if (rule.source && cidrContains(rule.source.value, packet.src) === rule.source.negated) return false;
  for (const m of rule.matches) {
    if (m.module === 'comment') continue;
    if (['tcp', 'udp', 'sctp'].includes(m.module)) {
      const dport = m.options.find((o) => o.name === '--dport' || o.name === '--destination-port');
      if (m.options.some((o) => o !== dport)) return unknown(rule, m.module, notices);
      if (dport && (Number(dport.values[0]?.value) === packet.port) === dport.negated) return false;
      continue;
    }
    if (m.module === 'addrtype') {
      const dst = m.options.find((o) => o.name === '--dst-type');
      if (!dst || m.options.length !== 1 || dst.values[0]?.value !== 'LOCAL') return unknown(rule, m.module, notices);
      const local = isLocalAddress(packet.dst, host.localAddresses);
      if (local === dst.negated) return false;
      continue;
    }
    return unknown(rule, m.module, notices);
  }
  return true;
}

function unknown(rule: Rule, module: string, notices: DumpNotice[]): false {
  notices.push({ file: rule.file, line: rule.line, message: `match ${module} is not evaluated in userspace mode; rule treated as not matching` });
  return false;
}

function portalTarget(rule: Rule, notices: DumpNotice[]): Omit<PortalHit, 'steps'> | null {
  const service = optionValue(rule, 'comment', '--comment')?.value ?? null;
  const t = rule.target;
  const arg = (name: string) => t?.options.find((o) => o.name === name)?.values[0]?.value;
  if (t?.name === 'REDIRECT') {
    const port = Number(arg('--to-ports'));
    if (Number.isInteger(port) && port > 0) return { service, target: 'REDIRECT', ip: null, port };
  } else if (t?.name === 'DNAT') {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(arg('--to-destination') ?? '');
    if (m) return { service, target: 'DNAT', ip: m[1]!, port: Number(m[2]) };
  }
  notices.push({ file: rule.file, line: rule.line, message: `portal rule without a REDIRECT --to-ports or DNAT --to-destination IP:PORT target` });
  return null;
}
