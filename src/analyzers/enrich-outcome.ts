import type { WalkOutcome } from '../dataplane/types.ts';
import type { Outcome } from '../model/outcome.ts';
import type { EndpointIndex } from './endpoint-index.ts';

/** Turns a dataplane walk result into an Outcome: who owns the DNAT target, which hop, SNAT or not. */
export function enrichOutcome(walk: WalkOutcome, node: string, index: EndpointIndex): Outcome {
  const endpoint = walk.dnat ? index.ref(walk.dnat.ip, walk.dnat.port) : null;
  return {
    verdict: walk.verdict,
    probability: walk.probability,
    endpoint,
    // An endpoint whose node is unknown cannot be on this node as far as the API says.
    hop: endpoint ? (endpoint.node === node ? 'local' : 'remote') : null,
    sourceIPPreserved: walk.verdict === 'DNAT' ? !walk.masquerade : null,
    steps: walk.steps.map((s) => ({ node, ...s })),
    conditions: walk.conditions,
    dynamic: walk.dynamic,
  };
}
