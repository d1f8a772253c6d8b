/**
 * The matches and targets netpath evaluates, with how many values each option takes. Anything
 * else is kept as written and reported, never guessed.
 */

/** Option name -> number of values. Long and short spellings iptables accepts are both listed. */
export type OptionSchema = Readonly<Record<string, number>>;

const PORTS: OptionSchema = {
  '--dport': 1,
  '--destination-port': 1,
  '--sport': 1,
  '--source-port': 1,
};

export const MATCHES: Readonly<Record<string, OptionSchema>> = {
  tcp: { ...PORTS, '--tcp-flags': 2, '--syn': 0 },
  udp: PORTS,
  sctp: PORTS,
  multiport: {
    '--dports': 1,
    '--destination-ports': 1,
    '--sports': 1,
    '--source-ports': 1,
    '--ports': 1,
  },
  comment: { '--comment': 1 },
  addrtype: { '--src-type': 1, '--dst-type': 1, '--limit-iface-in': 0, '--limit-iface-out': 0 },
  mark: { '--mark': 1 },
  conntrack: { '--ctstate': 1 },
  statistic: { '--mode': 1, '--probability': 1, '--every': 1, '--packet': 1 },
  recent: {
    '--set': 0,
    '--rcheck': 0,
    '--update': 0,
    '--remove': 0,
    '--seconds': 1,
    '--reap': 0,
    '--hitcount': 1,
    '--rttl': 0,
    '--name': 1,
    '--mask': 1,
    '--rsource': 0,
    '--rdest': 0,
  },
  set: { '--match-set': 2 },
  nfacct: { '--nfacct-name': 1 },
  physdev: {
    '--physdev-in': 1,
    '--physdev-out': 1,
    '--physdev-is-in': 0,
    '--physdev-is-out': 0,
    '--physdev-is-bridged': 0,
  },
  ipvs: {
    '--ipvs': 0,
    '--vproto': 1,
    '--vaddr': 1,
    '--vport': 1,
    '--vdir': 1,
    '--vmethod': 1,
  },
};

/** Matches iptables loads by itself after `-p NAME` when an option needs them. */
export const PROTOCOL_MATCHES: readonly string[] = ['tcp', 'udp', 'sctp'];

export const VERDICTS: readonly string[] = ['ACCEPT', 'DROP', 'RETURN'];

export const TARGETS: Readonly<Record<string, OptionSchema>> = {
  REJECT: { '--reject-with': 1 },
  DNAT: { '--to-destination': 1, '--random': 0, '--persistent': 0 },
  SNAT: { '--to-source': 1, '--random': 0, '--random-fully': 0, '--persistent': 0 },
  MASQUERADE: { '--to-ports': 1, '--random': 0, '--random-fully': 0 },
  MARK: { '--set-xmark': 1, '--set-mark': 1, '--or-mark': 1, '--xor-mark': 1, '--and-mark': 1 },
  LOG: {
    '--log-prefix': 1,
    '--log-level': 1,
    '--log-tcp-sequence': 0,
    '--log-tcp-options': 0,
    '--log-ip-options': 0,
    '--log-uid': 0,
    '--log-macdecode': 0,
  },
};

/** Built-in chains per table: only these carry a policy, and only they start a walk. */
export const BUILTIN_CHAINS: Readonly<Record<string, readonly string[]>> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

export function isBuiltinChain(table: string, chain: string): boolean {
  return BUILTIN_CHAINS[table]?.includes(chain) ?? false;
}
