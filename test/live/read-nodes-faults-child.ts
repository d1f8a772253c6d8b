// Child process for the fault tests: reads NODES through debug pods as jane, through KUBECONFIG
// (the fault proxy's), until the parent signals it. Progress lines go to stderr (verbose).
//   node read-nodes-faults-child.ts KUBECONFIG NODES CONCURRENCY REQUEST_TIMEOUT
import { LiveSource } from '../../src/cluster/live/live-source.ts';
import { nodeAccessOf } from '../../src/cluster/live/node-access-options.ts';
import { NetpathError } from '../../src/errors.ts';
import { DEBUG_NS } from './fixtures.ts';

const [kubeconfig = '', nodes = 'node-a', concurrency = '1', requestTimeout = '0'] = process.argv.slice(2);
const source = LiveSource.open(
  { kubeconfig, context: 'jane', verbose: true, requestTimeout },
  nodeAccessOf({ debugNamespace: DEBUG_NS, podRunningTimeout: '2m', concurrency }),
);
try {
  await source.readState({ kind: 'service', namespace: 'shop', name: 'web' });
  await source.readNodes({ nodes: nodes.split(','), healthCheckPorts: [] });
  process.exitCode = 0;
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = e instanceof NetpathError ? e.exitCode : 1;
} finally {
  await source.close();
}
