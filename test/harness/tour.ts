// A tour of the harness against a cluster already up (scripts/cluster/up --mode MODE): the by-hand
// proof that real kube-proxy rules carry ClusterIP (TCP, UDP, hairpin), NodePort, LoadBalancer
// and health-check traffic, and follow readiness and termination. Prints each tally; asserts
// nothing (the e2e tests do). Run: ./node_modules/.bin/node test/harness/tour.ts [BUNDLE-DIR]
import { attachCluster } from './cluster.ts';
import { captureBundle } from './bundle.ts';
import { healthChecks } from './healthz.ts';
import { addPod, setPodReady, terminatePod } from './pods.ts';
import { countEndpoints, createService, endpointSlices, ensureNamespace, setLoadBalancerIngress, waitForEndpoints } from './services.ts';
import { nowSeconds, waitForProxySync } from './sync.ts';
import { probe } from './traffic.ts';

const c = await attachCluster();
const show = (label: string, value: unknown): void => console.log(`${label}: ${JSON.stringify(value)}`);
const ns = 'tour';
let since = nowSeconds();
await ensureNamespace(c, ns);
const web = [
  await addPod(c, { namespace: ns, name: 'web-0', node: 'node-a', labels: { app: 'web' } }),
  await addPod(c, { namespace: ns, name: 'web-1', node: 'node-a', labels: { app: 'web' } }),
  await addPod(c, { namespace: ns, name: 'web-2', node: 'node-b', labels: { app: 'web' } }),
];
const client = await addPod(c, { namespace: ns, name: 'client', node: 'node-c' });
const selector = { app: 'web' };
const cip = await createService(c, { metadata: { name: 'web', namespace: ns }, spec: { selector, ports: [
  { name: 'tcp', port: 80, targetPort: 8080, protocol: 'TCP' },
  { name: 'udp', port: 81, targetPort: 8080, protocol: 'UDP' },
] } });
const np = await createService(c, { metadata: { name: 'web-np', namespace: ns },
  spec: { type: 'NodePort', selector, ports: [{ port: 80, targetPort: 8080 }] } });
const lb = await createService(c, { metadata: { name: 'web-lb', namespace: ns },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector, ports: [{ port: 80, targetPort: 8080 }] } });
await waitForEndpoints(c, ns, 'web', (e) => e.ready === 3);
await waitForEndpoints(c, ns, 'web-lb', (e) => e.ready === 3);
await setLoadBalancerIngress(c, ns, 'web-lb', '10.251.0.10', ['node-a', 'node-b']);
await waitForProxySync(c, since);

const clusterIP = cip.spec?.clusterIP ?? '';
const nodePort = np.spec?.ports?.[0]?.nodePort ?? 0;
const localNodePort = lb.spec?.ports?.[0]?.nodePort ?? 0;
const healthPort = lb.spec?.healthCheckNodePort ?? 0;
const clientNs = c.layout.client.netns;
show(`pod -> ${clusterIP}:80/tcp`, await probe(c, { from: client.netns, address: clusterIP, port: 80, count: 300 }));
show(`pod -> ${clusterIP}:81/udp`, await probe(c, { from: client.netns, address: clusterIP, port: 81, protocol: 'udp', count: 300 }));
show('web-0 -> its own Service (hairpin)', await probe(c, { from: web[0]!.netns, address: clusterIP, port: 80, count: 300 }));
show('node-b itself -> ClusterIP', await probe(c, { from: 'npe-node-b', address: clusterIP, port: 80, count: 300 }));
for (const n of c.layout.nodes) {
  show(`client -> ${n.name}:${nodePort} (Cluster)`, await probe(c, { from: clientNs, address: n.ip, port: nodePort, count: 300 }));
  show(`client -> ${n.name}:${localNodePort} (Local)`, await probe(c, { from: clientNs, address: n.ip, port: localNodePort, count: 60, timeoutMs: 300 }));
}
show('client -> LB 10.251.0.10 (ECMP to node-a, node-b)', await probe(c, { from: clientNs, address: '10.251.0.10', port: 80, count: 600 }));
show(`health checks :${healthPort}`, (await healthChecks(c, healthPort)).map((h) => [h.node, h.status]));

since = nowSeconds();
await setPodReady(c, web[2]!, false);
await waitForEndpoints(c, ns, 'web', (e) => e.ready === 2);
await waitForProxySync(c, since);
show('web-2 unready: pod -> ClusterIP', await probe(c, { from: client.netns, address: clusterIP, port: 80, count: 300 }));
show('web-2 unready: health checks', (await healthChecks(c, healthPort)).map((h) => [h.node, h.status]));

since = nowSeconds();
await terminatePod(c, web[1]!);
await waitForEndpoints(c, ns, 'web', (e) => e.terminating === 1);
await waitForProxySync(c, since);
show('web-1 terminating: endpoints', countEndpoints(await endpointSlices(c, ns, 'web')));
show('web-1 terminating: pod -> ClusterIP', await probe(c, { from: client.netns, address: clusterIP, port: 80, count: 300 }));
if (process.argv[2]) show('bundle', await captureBundle(c, process.argv[2]));
