import type { Protocol } from './packet.ts';

/** `[NS/]NAME` as typed; a null namespace is the source's default (the context's, or -n). */
export interface ServiceRef {
  namespace: string | null;
  name: string;
}

/** What `trace` was asked to reach. */
export type Target = ({ kind: 'service' } & ServiceRef) | { kind: 'address'; ip: string; port: number };

/** Where the packet comes from. */
export type Source =
  | { kind: 'external'; ip: string | null }
  | ({ kind: 'pod' } & ServiceRef)
  | { kind: 'node'; name: string }
  | { kind: 'ip'; ip: string };

/**
 * The one question trace answers, as the command line gave it: the pipeline resolves it into a
 * Packet (model/packet.ts), whose walk gives Outcomes. Nothing in between reshapes it.
 */
export interface Question {
  target: Target;
  source: Source;
  protocol: Protocol | null;
  /** A service port's name or number; only with a service target. */
  port: string | null;
  node: string | null;
}
