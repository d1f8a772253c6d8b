import { NetpathError } from '../../errors.ts';
import type { NodeDump } from '../source.ts';
import type { CollectLog, NodeTarget } from './dump-commands.ts';

/** One way of reaching nodes: debug pods through the API, or this host / its network namespaces. */
export interface NodeReader {
  /** Reads one node; rejects with a NetpathError naming the node. */
  readNode(target: NodeTarget, log: CollectLog): Promise<NodeDump>;
  /**
   * Releases what reading created (debug pods) once no create is in flight; safe to call twice,
   * and while reads are running.
   */
  close(): Promise<void>;
  /** Debug pods created and commands run in them so far (exec streams go through the API server); absent for local reads. */
  usage?(): { debugPods: number; execs: number };
  /** Ctrl-C / SIGTERM: reads not yet started never start (they reject as interrupted), then close(). */
  abort(): Promise<void>;
}

/** A failure that would repeat on every node (admission, RBAC, a missing namespace): stop reading the rest. */
export class EveryNodeError extends NetpathError {}
