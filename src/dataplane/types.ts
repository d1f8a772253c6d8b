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
  /** prerouting: sent by a pod rather than from outside (kube-proxy's interface-based pod-traffic detectors tell them apart). */
  fromPod?: boolean;
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
  /** The dump file; absent for the expected walker's steps, which are kube-proxy's decisions, not rules read. */
  file?: string;
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

/** One file of a node directory (contract 1) and the node command whose output it holds. */
export interface DumpFile {
  readonly name: string;
  /** The command on the node, as argv; errors about the file name it. */
  readonly command: readonly string[];
  /** capture and live reads run the command and keep its output (false: a form users paste, e.g. nft.txt). */
  readonly captured: boolean;
  /** A required file this one can replace when that one is absent (nft.txt for nft.json). */
  readonly insteadOf?: string;
  /** Throws DumpParseError naming the file and line; every file present is parsed, walked or not. */
  parse(text: string, file: string): unknown;
}

/** Facts about a mode that the analyzers need beyond its walker. */
export interface DataplaneFacts {
  /** Which kube-proxy semantics answer a node of this mode without readable rules (userspace: iptables'). */
  readonly semantics: 'iptables' | 'nftables' | 'ipvs';
}

/** A dataplane mode: which bundle files it reads, how they are captured, and how to turn them into a Walker. */
export interface DataplaneModule {
  readonly mode: ProxyMode;
  /** Files that must exist for this mode (or a file standing in for one); optional ones are read when present. */
  readonly requiredFiles: readonly string[];
  readonly optionalFiles: readonly string[];
  /** Every file of requiredFiles and optionalFiles, with its capture command and parser, in capture order. */
  readonly dumps: readonly DumpFile[];
  /** Node tools the capture commands need (names as on the node's PATH). */
  readonly tools: readonly string[];
  readonly facts: DataplaneFacts;
  /** detect() accepts what other modes' nodes hold too (kube-proxy's iptables chains): tried after every other module. */
  readonly fallback?: boolean;
  /** True when these files look like this mode's dump (used when proxy-mode is absent). */
  detect(files: NodeFiles): boolean;
  /** Parse; throws DumpParseError naming the file and line on malformed input. */
  load(files: NodeFiles): Walker;
}
