import type { Protocol } from '../model/packet.ts';
import type { Verdict } from '../model/outcome.ts';
import type { ProxyMode } from '../model/proxy-mode.ts';

/** The packet as a dataplane sees it: no Kubernetes knowledge. */
export interface WalkPacket {
  src: string;
  dst: string;
  port: number;
  protocol: Protocol;
  /** prerouting: arrives on an interface (from outside or a local pod); output: sent by the host. */
  hook: 'prerouting' | 'output';
}

/** What the walker needs to know about the host the rules run on. */
export interface HostView {
  /** Addresses for which `addrtype --dst-type LOCAL` / `fib daddr type local` hold (node IPs, loopback, VIPs on kube-ipvs0). */
  localAddresses: readonly string[];
}

export interface WalkStep {
  table: string;
  chain: string;
  /** Rule text as in the dump (iptables-save line, or nft rule rendered as text). */
  rule: string;
  /** 1-based line in `file`, null when the format has no lines (nft JSON). */
  line: number | null;
  file: string;
  handle?: number;
}

/** One branch of the walk: a set of packets that share a fate, with its probability. */
export interface WalkOutcome {
  verdict: Verdict;
  probability: number;
  dnat: { ip: string; port: number } | null;
  /** The masquerade mark was set and a MASQUERADE rule in POSTROUTING fires: source IP lost. */
  masquerade: boolean;
  steps: WalkStep[];
  /** e.g. "new client (no affinity entry)", "returning client with affinity to 10.1.2.3:80". */
  conditions: string[];
  /** Share depends on run-time state (recent/affinity sets, least-connection schedulers, hashes). */
  dynamic: boolean;
}

/** A diagnostic about the dump itself, such as a match the parser does not know. */
export interface DumpNotice {
  file: string;
  line: number | null;
  message: string;
}

/** A parsed node dataplane that can walk packets. Each mode folder provides one. */
export interface Walker {
  readonly mode: ProxyMode;
  walk(packet: WalkPacket, host: HostView): WalkOutcome[];
  /** Unknown matches, odd layouts and other things worth telling the user. */
  notices(): DumpNotice[];
}

/** Raw files of one node directory, by file name (e.g. `iptables-save.txt`). */
export type NodeFiles = ReadonlyMap<string, string>;

/** A dataplane mode: which bundle files it reads and how to turn them into a Walker. */
export interface DataplaneModule {
  readonly mode: ProxyMode;
  /** Files that must exist for this mode; optional ones are read when present. */
  readonly requiredFiles: readonly string[];
  readonly optionalFiles: readonly string[];
  /** True when these files look like this mode's dump (used when proxy-mode is absent). */
  detect(files: NodeFiles): boolean;
  /** Parse; throws DumpParseError naming the file and line on malformed input. */
  load(files: NodeFiles): Walker;
}
