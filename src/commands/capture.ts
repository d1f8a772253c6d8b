import { randomBytes } from 'node:crypto';
import type { V1Service } from '@kubernetes/client-node';
import { allNodeNames } from '../analyzers/node-scope.ts';
import { planNodeReads } from '../analyzers/node-plan.ts';
import { NetpathError, usageError } from '../errors.ts';
import type { ClusterState } from '../model/cluster.ts';
import { nodeAccessOf } from '../cluster/live/node-access-options.ts';
import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import type { NodeQuery, StateQuery } from '../cluster/source.ts';
import type { GlobalOptions } from './global-options.ts';
import { parseServiceRef } from './target-syntax.ts';

export interface CaptureFlags extends GlobalOptions, NodeAccessFlags {
  outputDir?: string;
  file?: string;
  /** Old usage (`-o DIR`); -o is an output format everywhere now. */
  output?: string;
  allServices?: boolean;
  allNodes?: boolean;
  redact?: boolean;
}

/** Run: capture with its parsed flags. */
export async function runCapture(service: string | undefined, opts: CaptureFlags): Promise<void> {
  if (opts.output !== undefined) {
    throw usageError(`capture -o ${opts.output}: -o is an output format; write the bundle with --output-dir DIR or -f FILE.tar.gz`);
  }
  if (opts.snapshot) throw usageError('capture reads a live cluster; --snapshot does not apply');
  if (!!service === !!opts.allServices) throw usageError('capture: name one service ([NS/]NAME) or pass --all-services');
  const dest = bundleDestination(opts);
  const access = nodeAccessOf(opts);
  const { LiveSource } = await import('../cluster/live/live-source.ts');
  const { writeBundle } = await import('../cluster/bundle-writer.ts');
  const { redactBundle } = await import('../cluster/bundle-redact.ts');
  const source = LiveSource.open(opts, access);
  try {
    let query: StateQuery = { kind: 'all-services' };
    if (service) {
      const ref = parseServiceRef(service);
      query = { kind: 'service', namespace: ref.namespace ?? source.namespace, name: ref.name };
    }
    const { state, kubeProxyConfigMap } = await source.readCapture(query);
    const target = query.kind === 'service' ? (state.services[0] ?? null) : null;
    const dumps = await source.readNodes(nodesToRead(state, target, query.kind === 'all-services' || !!opts.allNodes));
    const contents = { state, kubeProxyConfigMap, dumps };
    // A fresh key per capture: pseudonyms agree within the bundle and cannot be matched across bundles.
    const written = await writeBundle(dest, opts.redact ? redactBundle(contents, randomBytes(32)) : contents);
    const read = [...dumps.keys()].sort();
    process.stdout.write(
      `wrote ${dest}: ${state.services.length} service(s), ${state.endpointSlices.length} endpointslice(s), ` +
        `${state.nodes.length} node(s), dumps of ${read.length ? read.join(', ') : 'no node'} (${written.length} files)\n`,
    );
    const missed = [...source.nodeErrors.entries()];
    if (missed.length > 0) {
      // The bundle is written and usable; the exit code still tells scripts it is incomplete.
      const [node, err] = missed[0] as [string, NetpathError];
      throw new NetpathError(
        err.exitCode,
        `bundle lacks ${missed.map(([n]) => n).join(', ')}: node ${node}: ${err.message}`,
      );
    }
  } finally {
    await source.close();
  }
}

/** --output-dir DIR or -f FILE.tar.gz: exactly one, and the file one must look like a tarball. */
function bundleDestination(opts: CaptureFlags): string {
  if (!!opts.outputDir === !!opts.file) throw usageError('capture: pass --output-dir DIR or -f FILE.tar.gz (one of them)');
  const tarball = /\.(tar\.gz|tgz)$/;
  if (opts.file && !tarball.test(opts.file)) throw usageError(`capture -f ${opts.file}: expected a .tar.gz or .tgz file name`);
  if (opts.outputDir && tarball.test(opts.outputDir)) throw usageError(`capture --output-dir ${opts.outputDir}: that is a tarball name; use -f for a .tar.gz`);
  return opts.outputDir ?? opts.file ?? '';
}

/**
 * Which nodes a capture reads: nodes hosting the service's endpoints, plus every node when the
 * service is reachable on node ports (NodePort, LoadBalancer), or every node when asked for.
 * Health-check ports are those of services with a healthCheckNodePort.
 */
/** The nodes a capture reads: those the service needs (as explain-svc reads them), or all. */
export function nodesToRead(state: ClusterState, service: V1Service | null, everyNode: boolean): NodeQuery {
  const healthCheckPorts = [
    ...new Set(state.services.map((s) => s.spec?.healthCheckNodePort).filter((p): p is number => typeof p === 'number' && p > 0)),
  ].sort((a, b) => a - b);
  const nodes = service && !everyNode ? planNodeReads(state, service, false).read.map((r) => r.node) : allNodeNames(state);
  return { nodes, healthCheckPorts };
}
