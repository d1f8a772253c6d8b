// Child process for the SIGINT test: reads node-a through a debug pod as jane and waits (there
// is no kubelet, so the pod never runs) until the parent interrupts it.
//   node read-nodes-child.ts KUBECONFIG
import { LiveSource } from '../../src/cluster/live/live-source.ts';
import { nodeAccessOf } from '../../src/cluster/live/node-access-options.ts';
import { NetpathError } from '../../src/errors.ts';
import { DEBUG_NS } from './fixtures.ts';

const kubeconfig = process.argv[2] ?? '';
const source = LiveSource.open(
  { kubeconfig, context: 'jane', verbose: true },
  nodeAccessOf({ debugNamespace: DEBUG_NS, podRunningTimeout: '2m' }),
);
try {
  await source.readState({ kind: 'service', namespace: 'shop', name: 'web' });
  await source.readNodes({ nodes: ['node-a'], healthCheckPorts: [] });
  process.exitCode = 0;
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = e instanceof NetpathError ? e.exitCode : 1;
} finally {
  await source.close();
}
