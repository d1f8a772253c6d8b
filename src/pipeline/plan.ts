import type { V1Service } from '@kubernetes/client-node';
import { nodesForService } from '../analyzers/node-scope.ts';
import type { ResolvedTrace } from '../analyzers/resolve-trace.ts';
import type { ExtraPods, NodeQuery, StateQuery } from '../cluster/source.ts';
import type { ClusterState } from '../model/cluster.ts';
import type { Question } from '../model/question.ts';

/**
 * What each question needs read: pure functions from the question (and the API objects already
 * read) to the source's queries, so that what a run reads is decided in one place.
 */

/** explain-svc reads the service's nodes (all with --all-nodes), with its health-check port. */
export function explainNodeReads(state: ClusterState, service: V1Service, allNodes: boolean): NodeQuery {
  const hc = service.spec?.healthCheckNodePort;
  return { nodes: nodesForService(state, service, allNodes), healthCheckPorts: hc ? [hc] : [] };
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
