import path from 'node:path';
import { execa } from 'execa';
import type { V1Pod, V1PodCondition } from '@kubernetes/client-node';
import type { Cluster } from './cluster.ts';
import { CLUSTER_SCRIPTS, nodeLayout } from './layout.ts';
import { inNetns } from './netns.ts';
import { recordedProcess, startRecorded, stopRecorded } from './processes.ts';
import { waitUntil } from './wait.ts';

/** A harness pod: a network namespace on a node running netpath-echo, and its Pod object. */
export interface HarnessPod {
  namespace: string;
  name: string;
  node: string;
  ip: string;
  netns: string;
  ports: number[];
  /** Runs in the node's network namespace with the node's IP (its server is a recorded process). */
  hostNetwork?: boolean;
}

export interface PodSpec {
  namespace: string;
  name: string;
  node: string;
  labels?: Record<string, string>;
  /** Served on TCP and UDP; container ports are named tcp-PORT and udp-PORT. Default [8080]. */
  ports?: number[];
  /** Ready condition written into the status. Default true. */
  ready?: boolean;
  /**
   * hostNetwork: the pod has the node's IP and its server runs in the node's netns (pick ports
   * nothing else there uses, e.g. 9100+). Default false.
   */
  hostNetwork?: boolean;
}

/** What the echo server answers with: the pod's namespace/name. */
export function podKey(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}

/**
 * Plumbs a pod netns (scripts/cluster/pod add), creates the Pod bound to the node and writes a
 * Running status with its IP and the Ready condition, as a kubelet would, so the real
 * EndpointSlice controller picks it up.
 */
export async function addPod(c: Cluster, spec: PodSpec): Promise<HarnessPod> {
  const ports = spec.ports ?? [8080];
  nodeLayout(c.layout, spec.node); // fail on an unknown node before plumbing anything
  if (spec.hostNetwork) return addHostNetworkPod(c, spec, ports);
  const key = podKey(spec);
  const res = await execa(path.join(CLUSTER_SCRIPTS, 'pod'), ['add', spec.node, key, ports.join(',')]);
  const [ip, netns] = res.stdout.trim().split(/\s+/);
  if (!ip || !netns) throw new Error(`scripts/cluster/pod add printed ${JSON.stringify(res.stdout)}`);
  const pod: HarnessPod = { namespace: spec.namespace, name: spec.name, node: spec.node, ip, netns, ports };
  try {
    await createPodObject(c, pod, spec.labels ?? {}, spec.ready ?? true);
  } catch (err) {
    await execa(path.join(CLUSTER_SCRIPTS, 'pod'), ['del', netns]);
    throw err;
  }
  return pod;
}

const hostServerLabel = (pod: { namespace: string; name: string; node: string }) => `echo-host-${pod.node}-${pod.namespace}-${pod.name}`;

async function addHostNetworkPod(c: Cluster, spec: PodSpec, ports: number[]): Promise<HarnessPod> {
  const node = nodeLayout(c.layout, spec.node);
  const pod: HarnessPod = { namespace: spec.namespace, name: spec.name, node: spec.node, ip: node.ip, netns: node.netns, ports, hostNetwork: true };
  const server = await startRecorded(c, hostServerLabel(pod), node.netns, [c.layout.echoBin, 'serve', '--name', podKey(spec), '--ports', ports.join(',')]);
  try {
    for (const p of ports) {
      await waitUntil(`echo server of ${podKey(spec)} on ${node.name}:${p}`, async () => {
        const res = await inNetns(node.netns, [c.layout.echoBin, 'probe', '--addr', `127.0.0.1:${p}`, '--count', '1', '--deadline', '1s']);
        return res.exitCode === 0 ? true : undefined;
      }, 10_000);
    }
    await createPodObject(c, pod, spec.labels ?? {}, spec.ready ?? true);
  } catch (err) {
    await stopRecorded(server);
    throw err;
  }
  return pod;
}

async function createPodObject(c: Cluster, pod: HarnessPod, labels: Record<string, string>, ready: boolean): Promise<void> {
  const node = nodeLayout(c.layout, pod.node);
  const { ports, ip } = pod;
  await c.core.createNamespacedPod({
    namespace: pod.namespace,
    body: {
      metadata: { name: pod.name, namespace: pod.namespace, labels },
      spec: {
        nodeName: pod.node,
        ...(pod.hostNetwork ? { hostNetwork: true } : {}),
        terminationGracePeriodSeconds: 30,
        containers: [
          {
            name: 'echo',
            image: 'netpath.local/netpath-echo:harness',
            ports: ports.flatMap((p) => [
              { name: `tcp-${p}`, containerPort: p, protocol: 'TCP' },
              { name: `udp-${p}`, containerPort: p, protocol: 'UDP' },
            ]),
          },
        ],
      },
    },
  });
  const now = new Date();
  await updatePodStatus(c, pod, (current) => ({
    ...current,
    phase: 'Running',
    hostIP: node.ip,
    hostIPs: [{ ip: node.ip }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: now,
    conditions: conditions(ready, now),
  }));
}

function conditions(ready: boolean, now: Date): V1PodCondition[] {
  const status = ready ? 'True' : 'False';
  return [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
    { type: 'Initialized', status: 'True', lastTransitionTime: now },
    { type: 'ContainersReady', status, lastTransitionTime: now },
    { type: 'Ready', status, lastTransitionTime: now },
  ];
}

async function updatePodStatus(
  c: Cluster,
  pod: HarnessPod,
  change: (status: NonNullable<V1Pod['status']>) => NonNullable<V1Pod['status']>,
): Promise<void> {
  const current = await c.core.readNamespacedPod({ namespace: pod.namespace, name: pod.name });
  current.status = change(current.status ?? {});
  await c.core.replaceNamespacedPodStatus({ namespace: pod.namespace, name: pod.name, body: current });
}

/** Flips the Ready (and ContainersReady) condition through the status subresource. */
export async function setPodReady(c: Cluster, pod: HarnessPod, ready: boolean): Promise<void> {
  const now = new Date();
  await updatePodStatus(c, pod, (status) => ({
    ...status,
    conditions: (status.conditions ?? []).map((cond) =>
      cond.type === 'Ready' || cond.type === 'ContainersReady'
        ? { ...cond, status: ready ? 'True' : 'False', lastTransitionTime: now }
        : cond,
    ),
  }));
}

/**
 * Starts a graceful delete: the Pod gets a deletionTimestamp and, with no kubelet to finish the
 * job, stays Terminating (its server keeps answering) until removePod.
 */
export async function terminatePod(c: Cluster, pod: HarnessPod, gracePeriodSeconds = 3600): Promise<void> {
  await c.core.deleteNamespacedPod({ namespace: pod.namespace, name: pod.name, gracePeriodSeconds });
}

/** Force-deletes the Pod object and removes its network namespace (a hostNetwork pod: stops its server). */
export async function removePod(c: Cluster, pod: HarnessPod): Promise<void> {
  try {
    await c.core.deleteNamespacedPod({ namespace: pod.namespace, name: pod.name, gracePeriodSeconds: 0 });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
  if (pod.hostNetwork) {
    await stopRecorded(await recordedProcess(c, hostServerLabel(pod)));
    return;
  }
  await execa(path.join(CLUSTER_SCRIPTS, 'pod'), ['del', pod.netns]);
  // The next pod on this node gets the same address with a new MAC: the node must not keep
  // sending its frames to the old one until the neighbour entry goes stale.
  await inNetns(nodeLayout(c.layout, pod.node).netns, ['ip', 'neigh', 'del', pod.ip, 'dev', 'cbr0']);
}
