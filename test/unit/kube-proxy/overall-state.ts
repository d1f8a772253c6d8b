/**
 * The six services of test/fixtures/iptables-TestOverallIPTablesRules.md (upstream
 * TestOverallIPTablesRules) as API objects: node test-node 192.168.0.2, pod CIDR 10.0.0.0/8.
 */
import type { ClusterState } from '../../../src/model/cluster.ts';
import { node, P80, slice, state, svc } from './builders.ts';

const p80 = (nodePort?: number) => [{ name: 'p80', port: 80, protocol: 'TCP', ...(nodePort ? { nodePort } : {}) }];

export function overallState(): ClusterState {
  return state({
    nodes: [node('test-node', '192.168.0.2')],
    config: { clusterCIDR: '10.0.0.0/8', source: 'kube-proxy ConfigMap (test)' },
    services: [
      svc('ns1', 'svc1', { type: 'ClusterIP', clusterIP: '172.30.0.41', clusterIPs: ['172.30.0.41'], ports: p80() }),
      svc(
        'ns2',
        'svc2',
        {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.42',
          clusterIPs: ['172.30.0.42'],
          ports: p80(3001),
          externalIPs: ['192.168.99.22'],
          externalTrafficPolicy: 'Local',
          healthCheckNodePort: 30000,
        },
        [{ ip: '1.2.3.4' }],
      ),
      svc('ns3', 'svc3', { type: 'NodePort', clusterIP: '172.30.0.43', clusterIPs: ['172.30.0.43'], ports: p80(3003) }),
      svc('ns4', 'svc4', {
        type: 'NodePort',
        clusterIP: '172.30.0.44',
        clusterIPs: ['172.30.0.44'],
        ports: p80(),
        externalIPs: ['192.168.99.33'],
      }),
      svc(
        'ns5',
        'svc5',
        {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.45',
          clusterIPs: ['172.30.0.45'],
          ports: p80(3002),
          externalTrafficPolicy: 'Cluster',
          healthCheckNodePort: 30000,
          loadBalancerSourceRanges: [' 203.0.113.0/25'],
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        },
        [{ ip: '5.6.7.8' }],
      ),
      svc('ns6', 'svc6', { type: 'ClusterIP', clusterIP: '172.30.0.46', clusterIPs: ['172.30.0.46'], ports: p80() }),
    ],
    slices: [
      slice('ns1', 'svc1', 'svc1-1', P80, [{ ip: '10.180.0.1' }]),
      slice('ns2', 'svc2', 'svc2-1', P80, [{ ip: '10.180.0.2' }]),
      slice('ns3', 'svc3', 'svc3-1', P80, [{ ip: '10.180.0.3' }]),
      slice('ns4', 'svc4', 'svc4-1', P80, [{ ip: '10.180.0.4' }, { ip: '10.180.0.5', node: 'test-node' }]),
      slice('ns5', 'svc5', 'svc5-1', P80, [{ ip: '10.180.0.3' }]),
    ],
  });
}
