import type { V1Service } from '@kubernetes/client-node';
import { planNodeReads } from '../analyzers/node-plan.ts';
import type { NodePlan } from '../analyzers/node-plan.ts';
import type { ResolvedTrace } from '../analyzers/resolve-trace.ts';
import type { ExtraPods, NodeQuery, StateQuery } from '../cluster/source.ts';
import type { ClusterState } from '../model/cluster.ts';
import type { Question } from '../model/question.ts';

/**
 * What each question needs read: pure functions from the question (and the API objects already
 * read) to the source's queries, so that what a run reads is decided in one place.
 */

/**
 * explain-svc reads the nodes whose answer can differ (all with --all-nodes, see planNodeReads),
 * with the service's health-check port; the plan also says why each node was read or not.
 */
export function explainNodeReads(state: ClusterState, service: V1Service, allNodes: boolean): { plan: NodePlan; query: NodeQuery } {
  const hc = service.spec?.healthCheckNodePort;
  const plan = planNodeReads(state, service, allNodes);
  return { plan, query: { nodes: plan.read.map((r) => r.node), healthCheckPorts: hc ? [hc] : [] } };
}

/** trace reads the target service (or every service, for an address) and the source pod. */
export function traceStateRead(question: Question, namespace: string): StateQuery {
  const { target, source } = question;
  // The source pod is read too (a live source reads only the service's own pods otherwise).
  const extraPods: ExtraPods =
    source.kind === 'pod'
      ? { byName: [{ namespace: source.namespace ?? namespace, name: source.name }] }
      : source.kind === 'ip'
        ? { byIP: [source.ip] }
        : {};
  return target.kind === 'service'
    ? { kind: 'service', namespace: target.namespace ?? namespace, name: target.name, extraPods }
    : { kind: 'all-services', extraPods };
}

/** Only the entry node's rules decide the packet's fate; endpoints' nodes forward it unchanged. */
export function traceNodeReads(resolved: ResolvedTrace): NodeQuery {
  const hc = (resolved.service ?? resolved.healthCheck)?.spec?.healthCheckNodePort;
  return { nodes: [resolved.packet.entryNode], healthCheckPorts: hc ? [hc] : [] };
}
