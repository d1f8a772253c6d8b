import type { ClusterState } from '../model/cluster.ts';

/** A live answer of kube-proxy's health-check server (or its snapshot file). */
export interface HealthzReading {
  status: number | null;
  localEndpoints: number | null;
  /** Where it came from: a bundle path or `live NODE-IP:PORT`. */
  source: string;
}

/** Everything read from one node: its dump files by bundle file name, and what kube-proxy said. */
export interface NodeDump {
  node: string;
  /** Bundle directory of this node, or `live` for a debug pod / local read; used in evidence. */
  location: string;
  /** Body of 127.0.0.1:10249/proxyMode, trimmed; null when not read. */
  proxyMode: string | null;
  files: Map<string, string>;
  healthz: Map<number, HealthzReading>;
}

/** Pods a question names beyond the service's own (trace's source), by name or by address. */
export interface ExtraPods {
  byName?: { namespace: string; name: string }[];
  byIP?: string[];
}

/** What a command wants to know; live sources read only what the question needs. */
export type StateQuery =
  | { kind: 'service'; namespace: string; name: string; extraPods?: ExtraPods }
  | { kind: 'all-services'; extraPods?: ExtraPods };

export interface NodeQuery {
  nodes: string[];
  /** healthCheckNodePorts to probe on each node (Local services). */
  healthCheckPorts: number[];
}

export interface SourceUsage {
  apiCalls: number;
  debugPods: number;
}

/** A place to read cluster facts from: a snapshot bundle or a live cluster. */
export interface ClusterSource {
  readonly description: string;
  readState(query: StateQuery): Promise<ClusterState>;
  /** Dumps of the nodes asked for; nodes that cannot be read are absent (the model answers for them). */
  readNodes(query: NodeQuery): Promise<Map<string, NodeDump>>;
  /**
   * How many nodes one readNodes call should carry when a run takes nodes one batch at a time
   * (explain-svc: memory bounded by the batch, not the cluster). A bundle reads one node directory
   * at a time; a live source, absent here, reads every planned node at once (its debug pods run
   * concurrently).
   */
  readonly nodesPerRead?: number;
  /** What reading has cost so far, for a live source: API requests (exec streams included) and debug pods created. */
  usage?(): SourceUsage;
  /** Releases what the source created (debug pods). Safe to call twice. */
  close(): Promise<void>;
}
