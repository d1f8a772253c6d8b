/**
 * What happens to a packet. DNAT: rewritten to an endpoint. DROP/REJECT: a kube-proxy rule
 * discards it. ACCEPT: a kube-proxy rule accepts it for the node itself (health-check node
 * port). NO-MATCH: no kube-proxy rule applies, the packet continues unchanged.
 */
export type Verdict = 'DNAT' | 'DROP' | 'REJECT' | 'ACCEPT' | 'NO-MATCH';

export type Hop = 'local' | 'remote';

/** One rule (or model decision) taken on the way, with where it was read. */
export interface Step {
  node: string;
  table: string;
  chain: string;
  /** The rule text as printed in the dump, or a sentence for model decisions. */
  rule: string;
  /** 1-based line in the node's dump file; null for model steps and JSON dumps without lines. */
  line: number | null;
  /** Dump file name inside the node directory (iptables-save.txt, nft.json, ...). */
  file?: string;
  /** nftables rule handle. */
  handle?: number;
}

export interface EndpointRef {
  ip: string;
  port: number;
  node: string | null;
  pod: string | null;
}

export interface Outcome {
  verdict: Verdict;
  probability: number;
  endpoint: EndpointRef | null;
  hop: Hop | null;
  sourceIPPreserved: boolean | null;
  steps: Step[];
  /** Conditions this branch depends on, e.g. "new client (no affinity entry)". */
  conditions: string[];
  /** True when the share depends on run-time state (affinity, least-connection schedulers). */
  dynamic: boolean;
}
