import { randomBytes } from 'node:crypto';
import type { V1Service } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { allNodeNames, nodesForService } from '../analyzers/node-scope.ts';
import { NetpathError, usageError } from '../errors.ts';
import type { ClusterState } from '../model/cluster.ts';
import { redactBundle } from '../cluster/bundle-redact.ts';
import { writeBundle } from '../cluster/bundle-writer.ts';
import { LiveSource } from '../cluster/live/live-source.ts';
import { addNodeAccessOptions, nodeAccessOf } from '../cluster/live/node-access-options.ts';
import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import type { NodeQuery, StateQuery } from '../cluster/source.ts';
import { globalsOf } from './global-options.ts';
import { parseServiceRef } from './target-syntax.ts';

interface CaptureFlags extends NodeAccessFlags {
  output?: string;
  allServices?: boolean;
  allNodes?: boolean;
  redact?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('capture')
    .argument('[service]', 'service to capture, [NS/]NAME')
    .description('write a snapshot bundle (contract 1) of a live cluster: API objects and node dumps')
    .requiredOption('-o, --output <dir|file.tar.gz>', 'where to write the bundle: a new directory, or a .tar.gz / .tgz file')
    .option('--all-services', 'capture every service in every namespace (and every node)')
    .option('--all-nodes', 'read every node, not only those the service needs')
    .option('--redact', 'leave out annotations, owner labels, pod details and foreign rule comments; pod names become pseudonyms (SECURITY.md)');
  addNodeAccessOptions(cmd);
  cmd.action(async (service: string | undefined, _opts: CaptureFlags, self: Command) => {
    await runCapture(service, self);
  });
}

async function runCapture(service: string | undefined, cmd: Command): Promise<void> {
  const opts = globalsOf(cmd) as ReturnType<typeof globalsOf> & CaptureFlags;
  if (opts.snapshot) throw usageError('capture reads a live cluster; --snapshot does not apply');
  if (!!service === !!opts.allServices) throw usageError('capture: name one service ([NS/]NAME) or pass --all-services');
  const access = nodeAccessOf(opts);
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
    const dest = opts.output ?? '';
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
  const nodes = service && !everyNode ? nodesForService(state, service, false) : allNodeNames(state);
  return { nodes, healthCheckPorts };
}
