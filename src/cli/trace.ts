import type { Command } from 'commander';
import { addNodeAccessOptions } from '../cluster/live/node-access-options.ts';
import { globalsOf } from '../commands/global-options.ts';
import { outputOption } from '../render/index.ts';
import { addExamples } from './examples.ts';

export function register(program: Command): void {
  const cmd = program
    .command('trace')
    .argument('<target>', 'svc/NS/NAME, NS/NAME (its ClusterIP) or IP:PORT (ClusterIP, LB IP, external IP, node IP with a NodePort)')
    .description("walk one packet through the entry node's kube-proxy rules, step by step")
    .option('--from <source>', 'external[:IP], pod/[NS/]NAME, node/NAME or an IP', 'external')
    .option('--node <node>', 'node where the packet enters (implied by a pod or node source, or a NodePort target)')
    .option('--port <port>', 'service port (number or name) when TARGET is a service; default: its first port')
    .option('--protocol <protocol>', "TCP, UDP or SCTP; default: the service port's protocol, else TCP")
    .addOption(outputOption());
  addNodeAccessOptions(cmd);
  addExamples(cmd, [
    'kubectl netpath trace svc/shop/web --from pod/shop/client-c --snapshot examples/real-local-lb',
    'kubectl netpath trace 10.251.9.9:80 --from external:203.0.113.2 --node node-c --snapshot examples/real-local-lb',
    'kubectl netpath trace 10.240.0.11:31106 --snapshot examples/real-local-lb -o wide   # NodePort on node-a',
    'kubectl netpath trace svc/shop/web --from node/node-b        # live cluster, current context',
  ]);
  cmd.action(async (target: string, _opts: unknown, self: Command) => {
    const { runTrace } = await import('../commands/trace.ts');
    await runTrace(target, globalsOf(self) as Parameters<typeof runTrace>[1]);
  });
}
