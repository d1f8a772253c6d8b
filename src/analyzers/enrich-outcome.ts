import type { WalkOutcome } from '../dataplane/types.ts';
import type { Outcome } from '../model/outcome.ts';
import type { Packet } from '../model/packet.ts';
import type { EndpointIndex } from './endpoint-index.ts';
import { replyPath } from './return-path.ts';

/** Turns a dataplane walk result into an Outcome: who owns the DNAT target, which hop, SNAT or not, the reply. */
export function enrichOutcome(walk: WalkOutcome, packet: Packet, index: EndpointIndex): Outcome {
  return placeOutcome(
    {
      verdict: walk.verdict,
      probability: walk.probability,
      endpoint: walk.dnat ? { ip: walk.dnat.ip, port: walk.dnat.port, node: null, pod: null } : null,
      hop: null,
      sourceIPPreserved: walk.verdict === 'DNAT' ? !walk.masquerade : null,
      steps: walk.steps.map((s) => ({ node: packet.entryNode, ...s })),
      conditions: walk.conditions,
      dynamic: walk.dynamic,
    },
    packet,
    index,
  );
}

/**
 * The one place walkers' and the model's outcomes get where the packet really goes: the endpoint's
 * node is where its pod runs (the EndpointSlice's nodeName, which kube-proxy's rules follow, is
 * kept as `sliceNodeName` when it differs), the hop follows that, and so does the reply path.
 */
export function placeOutcome(o: Outcome, packet: Packet, index: EndpointIndex): Outcome {
  if (!o.endpoint) return o;
  const located = index.ref(o.endpoint.ip, o.endpoint.port);
  const endpoint = { ...located, pod: o.endpoint.pod ?? located.pod };
  // An endpoint whose node is unknown cannot be on this node as far as the API says.
  const placed: Outcome = { ...o, endpoint, hop: endpoint.node === packet.entryNode ? 'local' : 'remote' };
  const reply = replyPath(placed, packet, index.homes);
  if (!reply) return placed;
  return { ...placed, reply, conditions: reply.returns ? placed.conditions : [...placed.conditions, reply.reason] };
}
