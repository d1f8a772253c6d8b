import type { V1Service } from '@kubernetes/client-node';
import type { Evidence, Finding, Severity } from '../../model/finding.ts';
import type { Outcome, Step } from '../../model/outcome.ts';
import type { LoadBalancerShare, NodeReport, PathReport, ServiceSummary } from '../../model/results.ts';
import type { AddressHome } from '../address-homes.ts';
import type { LoadBalancerReport } from '../load-balancer/index.ts';
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
  /**
   * The load balancer detected in front (implementation, entry, its health check, its shares);
   * null for services that are not type LoadBalancer. `loadBalancerShares` and
   * `imbalanceFactor` above are the assumed even-over-healthy-nodes model.
   */
  loadBalancer: LoadBalancerReport | null;
  endpoints: EndpointFact[];
  placements: EndpointPlacement[];
  drifts: Drift[];
}

/** What a rule reports, as an ESLint rule's `meta` says it: the one id it emits and where it is documented. */
export interface FindingRuleMeta {
  /** The id of every finding it emits; its file is named after it. */
  id: string;
  /** The severities it can emit, most severe first (some depend on how much of the service is hit). */
  severities: readonly Severity[];
  /** One line: what it reports. */
  description: string;
  /** Where a user reads what it means and what to do: docs/findings.md#<id>. */
  docs: string;
}

/** One check, like a lint rule: it looks at the context and returns zero or more findings of its id. */
export interface FindingRule {
  meta: FindingRuleMeta;
  check: (ctx: FindingContext) => Finding[];
}

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

/** An endpoint as evidence: its slice, address and the conditions kube-proxy reads. */
export const endpointEvidence = (s: ServiceSummary, e: EndpointFact): Evidence => ({
  kind: 'endpointslice',
  namespace: s.namespace,
  name: e.slice,
  endpoint: `${e.ip}:${e.port}`,
  detail: `${e.pod ?? 'no pod reference'} on ${e.node ?? 'unknown node'}: ready=${e.ready} serving=${e.serving} terminating=${e.terminating}`,
});

/** The nodes of each kube-proxy mode the views know, in view order. */
export function nodesByMode(views: readonly NodeView[]): Map<string, string[]> {
  const modes = new Map<string, string[]>();
  for (const v of views) if (v.mode) modes.set(v.mode, [...(modes.get(v.mode) ?? []), v.node]);
  return modes;
}

/** Said when the implementation is unknown: the message holds for the model netpath assumes (even over nodes passing the health check). */
export const ASSUMED_LB = ' (load-balancer model assumed: implementation unknown)';

/**
 * Does the load balancer stop sending to a node whose kube-proxy answers 503? Only when it probes
 * healthCheckNodePort (cloud LBs under Local:
 * https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip).
 * MetalLB and kube-vip probe nothing (https://metallb.universe.tf/concepts/layer2/,
 * https://metallb.universe.tf/concepts/bgp/, https://kube-vip.io/docs/modes/arp/); ip targets are
 * probed per pod (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/).
 */
export const probesHealthCheckNodePort = (lb: LoadBalancerReport, service: ServiceSummary): boolean =>
  lb.healthCheck?.target === 'node' && lb.healthCheck.port !== null && lb.healthCheck.port === service.healthCheckNodePort;

/** The nodes the load balancer sends traffic to, with their share (the LB model's nodeShares). */
export const entryShares = (lb: LoadBalancerReport): Map<string, number> => new Map(lb.nodeShares.filter((s) => s.share > 0).map((s) => [s.node, s.share]));

/** How traffic enters the cluster, in words, for a message. */
export function entryWords(lb: LoadBalancerReport): string {
  const nodes = lb.nodeShares.filter((s) => s.share > 0).map((s) => s.node).join(', ') || 'no node';
  switch (lb.entry) {
    case 'single-node':
      return `${lb.implementation} delivers all of it to one node (${nodes})`;
    case 'ecmp':
      return `${lb.implementation} advertises the address from ${nodes} and the router spreads flows evenly over them (ECMP)`;
    case 'pods':
      return `${lb.implementation} sends to the pods' IPs directly (ip targets)`;
    case 'all-healthy-nodes':
      return `${lb.implementation} spreads it over ${nodes}`;
  }
}
