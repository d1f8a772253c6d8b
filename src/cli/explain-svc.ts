import type { Command } from 'commander';
import { addNodeAccessOptions } from '../cluster/live/node-access-options.ts';
import { globalsOf } from '../commands/global-options.ts';
import { outputOption } from '../render/index.ts';
import { addExamples } from './examples.ts';

export function register(program: Command): void {
  const cmd = program
    .command('explain-svc')
    .argument('<service>', 'the service, [NS/]NAME')
    .description('explain every way into a service: who receives the traffic on each node, with what share, and why')
    .addOption(outputOption())
    .option('--all-nodes', 'read the dataplane of every node, not only the nodes this service needs')
    .option('--compare-modes', 'also show what the service would look like under iptables, nftables and IPVS (from the API objects)')
    .option('--compare-exposure', 'also compare, for this service\'s pods, ClusterIP, NodePort, LoadBalancer (instance targets under Cluster and Local, ip targets) and headless: hops, SNAT, balancing, shares, health checks');
  addNodeAccessOptions(cmd);
  addExamples(cmd, [
    'kubectl netpath explain-svc ns2/svc2 --snapshot examples/overall',
    'kubectl netpath explain-svc web -n shop --snapshot examples/real-local-lb -o wide',
    'kubectl netpath explain-svc ns1/svc1 --snapshot examples/mixed-modes --compare-modes',
    'kubectl netpath explain-svc shop/web --snapshot examples/real-local-lb --compare-exposure',
    'kubectl netpath explain-svc shop/web -o json            # live cluster, current context',
  ]);
  cmd.action(async (ref: string, _opts: unknown, self: Command) => {
    const { runExplain } = await import('../commands/explain-svc.ts');
    await runExplain(ref, globalsOf(self) as Parameters<typeof runExplain>[1]);
  });
}
