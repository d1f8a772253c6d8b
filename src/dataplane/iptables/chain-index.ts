/**
 * A chain's rules by the one address or port a packet must carry to match them. KUBE-SERVICES
 * has a `-d ClusterIP/32` rule per service port and KUBE-NODEPORTS a `-p tcp --dport N` rule
 * per NodePort: checked one by one, one service's walk grew with the cluster. A packet visits,
 * in rule order, the rules without such a key and those whose key is its own; a rule whose key
 * differs fails on that test, and a failed rule adds no step, condition or notice (evaluateRule
 * returns nothing but `probability: 0`), so skipping it changes nothing but the work.
 */
import { ipKey } from '../../net/ip.ts';
import { packetAddresses, ruleNetwork } from './addresses.ts';
import { PROTOCOL_NAMES } from './match-modules.ts';
import { eachRule } from './dump-chain.ts';
import type { Chain, Rule } from './model.ts';
import type { PacketState } from './state.ts';

const FULL_PREFIX = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n } as const;

/** `-d A.B.C.D/32` (or /128), not negated: only a packet to that address can match. */
function destinationKey(rule: Rule): string | null {
  if (!rule.destination || rule.destination.negated) return null;
  const n = ruleNetwork(rule.destination);
  return n && n.mask === FULL_PREFIX[n.family] ? ipKey({ family: n.family, value: n.base }) : null;
}

const portKey = (protocol: string, port: number) => `${protocol}/${port}`;

/** `-p tcp ... -m tcp --dport N`, neither negated: only a packet of that protocol to port N can match. */
function destinationPortKey(rule: Rule): string | null {
  if (!rule.protocol || rule.protocol.negated) return null;
  const name = rule.protocol.value.toLowerCase();
  const protocol = PROTOCOL_NAMES[name] ?? name;
  for (const m of rule.matches) {
    if (!m.known || m.module !== protocol) continue;
    for (const o of m.options) {
      const spec = o.values[0]?.value;
      if ((o.name === '--dport' || o.name === '--destination-port') && !o.negated && spec !== undefined && /^\d+$/.test(spec)) {
        return portKey(protocol, Number(spec));
      }
    }
  }
  return null;
}

/** Set lookups run even past a failed test (they report sets the dump does not list): such rules are always visited. */
const hasSetLookup = (rule: Rule) => rule.matches.some((m) => m.known && m.module === 'set');

/** Two rule positions lists in rule order, as one. */
function mergeOrdered(a: readonly number[], b: readonly number[]): readonly number[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]! < b[j]!) ? a[i++]! : b[j++]!);
  return out;
}

const push = (map: Map<string, number[]>, key: string, position: number) => {
  const list = map.get(key);
  if (list) list.push(position);
  else map.set(key, [position]);
};

export class ChainIndex {
  /** Positions of the rules every packet visits. */
  readonly #free: number[] = [];
  readonly #byDestination = new Map<string, number[]>();
  readonly #byPort = new Map<string, number[]>();

  constructor(chain: Chain) {
    eachRule(chain, (rule, i) => {
      const keyed = !hasSetLookup(rule);
      const dst = keyed ? destinationKey(rule) : null;
      const port = keyed && dst === null ? destinationPortKey(rule) : null;
      if (dst !== null) push(this.#byDestination, dst, i);
      else if (port !== null) push(this.#byPort, port, i);
      else this.#free.push(i);
    });
  }

  /** The positions, in rule order, of the rules `packet` can match; null: every rule. */
  positions(packet: PacketState): readonly number[] | null {
    if (this.#byDestination.size === 0 && this.#byPort.size === 0) return null;
    // A port the walk does not know makes `--dport` undecidable, not false: visit everything.
    if (!Number.isInteger(packet.port)) return null;
    const dst = packetAddresses(packet).dst;
    const byDestination = dst ? (this.#byDestination.get(ipKey(dst)) ?? []) : [];
    const byPort = this.#byPort.get(portKey(packet.protocol.toLowerCase(), packet.port)) ?? [];
    return mergeOrdered(mergeOrdered(this.#free, byDestination), byPort);
  }
}

