/**
 * A LoadBalancer web/shop whose three pods sit 2/1/0 on nodes node-a/node-b/node-c
 * (pods a1, a2 on node-a; b1 on node-b), in the policy asked for.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../../../src/model/cluster.ts';
import { node, slice, state, svc } from './builders.ts';

export const NODES = () => [
  node('node-a', '192.168.0.11', { podCIDR: '10.244.0.0/24', zone: 'z1' }),
  node('node-b', '192.168.0.12', { podCIDR: '10.244.1.0/24', zone: 'z1' }),
  node('node-c', '192.168.0.13', { podCIDR: '10.244.2.0/24', zone: 'z2' }),
];

export function shop(policy: 'Local' | 'Cluster', extraPorts = false): V1Service {
  return svc(
    'web',
    'shop',
    {
      type: 'LoadBalancer',
      clusterIP: '10.96.0.20',
      clusterIPs: ['10.96.0.20'],
      externalTrafficPolicy: policy,
      ...(policy === 'Local' ? { healthCheckNodePort: 32000 } : {}),
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 },
        ...(extraPorts ? [{ name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090, nodePort: 30090 }] : []),
      ],
    },
    [{ ip: '198.51.100.20' }],
  );
}

export function shopState(policy: 'Local' | 'Cluster', opts: { extraPorts?: boolean; nodes?: ReturnType<typeof NODES> } = {}): { st: ClusterState; service: V1Service } {
  const service = shop(policy, opts.extraPorts);
  const ports = [{ name: 'http', port: 8080 }, ...(opts.extraPorts ? [{ name: 'metrics', port: 9090 }] : [])];
  return {
    service,
    st: state({
      services: [service],
      nodes: opts.nodes ?? NODES(),
      slices: [
        slice('web', 'shop', 'shop-x1', ports, [
          { ip: '10.244.0.10', node: 'node-a', pod: 'a1' },
          { ip: '10.244.0.11', node: 'node-a', pod: 'a2' },
          { ip: '10.244.1.10', node: 'node-b', pod: 'b1' },
        ]),
      ],
      config: { clusterCIDR: '10.244.0.0/16', source: 'test' },
    }),
  };
}
