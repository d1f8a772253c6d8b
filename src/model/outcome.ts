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
  /** Where the endpoint runs, so where the packet goes: the pod's node, else the node whose address or podCIDR holds the IP, else the EndpointSlice's nodeName. */
  node: string | null;
  pod: string | null;
  /**
   * Present only when the EndpointSlice's nodeName differs from `node`: kube-proxy's rules (local
   * or remote, health checks) follow this one, the packet follows `node`.
   */
  sliceNodeName?: string | null;
}

/** Whether the reply to a DNATed connection comes back through the node that translated it. */
export interface ReplyPath {
  /** false: the reply bypasses the translating node, the client drops it and the connection times out. */
  returns: boolean;
  reason: string;
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
  /** DNAT outcomes: can the reply come back (see return-path.ts). Absent for other verdicts. */
  reply?: ReplyPath;
}
