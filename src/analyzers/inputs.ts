import type { V1Service } from '@kubernetes/client-node';
import type { DumpNotice, Walker } from '../dataplane/types.ts';
import type { ClusterState } from '../model/cluster.ts';
import type { ProxyMode } from '../model/proxy-mode.ts';
import type { Basis } from '../model/results.ts';
import type { RunFacts } from './run-facts.ts';

/** A live or captured health-check answer. */
export interface ObservedHealth {
  status: number | null;
  localEndpoints: number | null;
  source: string;
}

/** What is known about one node's dataplane: a walker when its rules were read, else nothing. */
export interface NodeView {
  node: string;
  mode: ProxyMode | null;
  modeSource: 'proxy-mode' | 'dump' | 'config' | 'default' | null;
  /** kube-proxy's own /proxyMode answer, when read. */
  reportedMode: string | null;
  /** dataplane: the node's dump was read and parsed; model: kube-proxy's semantics answer for it. */
  basis: Basis;
  /**
   * The node's dump, walked (the observed walker); null when none was read, and once explain-svc
   * has walked the node and let its parsed dump go (basis stays dataplane).
   */
  walker: Walker | null;
  /** What the dump's walker could not evaluate, kept after the walker is let go. */
  notices: readonly DumpNotice[];
  /** What kube-proxy should have programmed on this node, for its mode and addresses (expectedWalkerOf). */
  expected: Walker;
  /** Where the dump was read (bundle path or `live`), for evidence. */
  location: string | null;
  /** Disagreements between the reported mode and the dump. */
  problems: string[];
  /** Well-formed dump files holding no kube-proxy rules of any mode (Cilium, Calico eBPF, another mode...). */
  withoutKubeProxyRules?: readonly string[];
  healthz: ReadonlyMap<number, ObservedHealth>;
  /** The node's own addresses (`ip -j addr`, bundle file ip-addr.json); null/absent: only the Node object's are known. */
  hostAddresses?: readonly string[] | null;
}

export interface ExplainInput {
  state: ClusterState;
  service: V1Service;
  nodes: NodeView[];
  /** The run's facts when the pipeline built them; else they are built for this explanation. */
  facts?: RunFacts;
}
