/** Protocols kube-proxy programs, spelled as in the Kubernetes API. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/**
 * How a packet reaches the entry node. `external` and `pod` both enter through nat PREROUTING
 * (they differ only by source address); `node` is generated on the node and enters nat OUTPUT.
 */
export type Origin = 'external' | 'pod' | 'node';

export interface Packet {
  src: string;
  dst: string;
  port: number;
  protocol: Protocol;
  entryNode: string;
  origin: Origin;
}
