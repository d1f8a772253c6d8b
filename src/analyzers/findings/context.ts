import type { V1Service } from '@kubernetes/client-node';
import type { Evidence, Finding } from '../../model/finding.ts';
import type { Outcome, Step } from '../../model/outcome.ts';
import type { LoadBalancerShare, NodeReport, PathReport, ServiceSummary } from '../../model/results.ts';
import type { AddressHome } from '../address-homes.ts';
import type { NodeView } from '../inputs.ts';

/** An endpoint as the EndpointSlices state it, for findings about readiness. */
export interface EndpointFact {
  ip: string;
  port: number;
  portName: string;
  node: string | null;
  pod: string | null;
  slice: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** EndpointSlice hints written for topology-aware routing. */
  zoneHints: string[];
  nodeHints: string[];
}

/** One slice's copy of an endpoint address (before kube-proxy merges slices) and where the address lives. */
export interface EndpointPlacement {
  ip: string;
  /** The slice's nodeName: what kube-proxy's rules follow. */
  sliceNode: string | null;
  slice: string;
  ready: boolean;
  terminating: boolean;
  /** Where the address really is (pod, Node address or podCIDR), when anything says: where packets go. */
  home: AddressHome | null;
}

/** A path whose dataplane answer differs from what kube-proxy should have programmed. */
export interface Drift {
  path: PathReport;
  expected: Outcome[];
  onlyInDataplane: string[];
  onlyInModel: string[];
}

export interface FindingContext {
  service: ServiceSummary;
  serviceObject: V1Service;
  nodes: NodeReport[];
  nodeViews: NodeView[];
  paths: PathReport[];
  loadBalancerShares: LoadBalancerShare[];
  imbalanceFactor: number | null;
  endpoints: EndpointFact[];
  placements: EndpointPlacement[];
  drifts: Drift[];
}

/** One check, like a lint rule: it looks at the context and returns zero or more findings. */
export type FindingRule = (ctx: FindingContext) => Finding[];

export const svcName = (s: ServiceSummary) => `${s.namespace}/${s.name}`;

export const serviceEvidence = (s: ServiceSummary, detail: string): Evidence => ({
  kind: 'service',
  namespace: s.namespace,
  name: s.name,
  detail,
});

/** A step as evidence: a dump rule when it was read from a file, else the model's reasoning on a node. */
export function stepEvidence(step: Step): Evidence {
  if (step.file) {
    return {
      kind: 'rule',
      node: step.node,
      file: step.file,
      line: step.line,
      table: step.table,
      chain: step.chain,
      rule: step.rule,
      ...(step.handle === undefined ? {} : { handle: step.handle }),
    };
  }
  return { kind: 'node', node: step.node, detail: `kube-proxy semantics: ${step.rule}` };
}

/** The step that decided an outcome (the last one taken). */
export const decisiveStep = (o: Outcome): Step | undefined => o.steps[o.steps.length - 1];

export const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
