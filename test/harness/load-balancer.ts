import { readFileSync } from 'node:fs';
import { ApiextensionsV1Api, KubernetesObjectApi, loadAllYaml } from '@kubernetes/client-node';
import type { KubernetesObject, V1CustomResourceDefinition } from '@kubernetes/client-node';
import type { Cluster } from './cluster.ts';
import { inNetns, inNetnsOk } from './netns.ts';

const CRD_DIR = new URL('./crds/', import.meta.url);

/**
 * Installs a CRD of test/harness/crds (file name = CRD name + .yaml) and waits until it is served.
 * Returns how to remove it again, or nothing when it was there already (someone else's).
 */
export async function installCrd(c: Cluster, name: string): Promise<() => Promise<void>> {
  const ext = c.kubeConfig.makeApiClient(ApiextensionsV1Api);
  const exists = await ext.readCustomResourceDefinition({ name }).then(() => true, () => false);
  if (exists) return async () => {};
  const [crd] = loadAllYaml(readFileSync(new URL(`${name}.yaml`, CRD_DIR), 'utf8')) as KubernetesObject[];
  await KubernetesObjectApi.makeApiClient(c.kubeConfig).create(crd!);
  for (let i = 0; ; i++) {
    const got: V1CustomResourceDefinition = await ext.readCustomResourceDefinition({ name });
    if (got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True')) break;
    if (i > 100) throw new Error(`CRD ${name} not established after 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return async () => {
    await ext.deleteCustomResourceDefinition({ name });
  };
}

const TABLE = 'npe_lb_ip_targets';

/**
 * Plays an "ip target" load balancer (AWS NLB/ALB in ip mode) on the router: connections to
 * `ip`:`port` are DNATed straight to the pods, evenly (iptables statistic: the k-th of n rules
 * takes 1/(n-k) of what reaches it), so they reach the pod through its node's routing without
 * meeting kube-proxy's rules for the service. The client's address is kept. Returns the undo.
 */
export async function dnatToPods(c: Cluster, ip: string, port: number, targets: { ip: string; port: number }[]): Promise<() => Promise<void>> {
  const netns = c.layout.router.netns;
  const ipt = (...args: string[]) => inNetnsOk(netns, ['iptables', '-w', '-t', 'nat', ...args]);
  await ipt('-N', TABLE);
  const undo = async () => {
    await inNetns(netns, ['iptables', '-w', '-t', 'nat', '-D', 'PREROUTING', '-j', TABLE]);
    await inNetns(netns, ['iptables', '-w', '-t', 'nat', '-F', TABLE]);
    await inNetns(netns, ['iptables', '-w', '-t', 'nat', '-X', TABLE]);
  };
  try {
    for (const [k, t] of targets.entries()) {
      const left = targets.length - k;
      const pick = left > 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', (1 / left).toFixed(10)] : [];
      await ipt('-A', TABLE, '-d', `${ip}/32`, '-p', 'tcp', '--dport', String(port), ...pick, '-j', 'DNAT', '--to-destination', `${t.ip}:${t.port}`);
    }
    await ipt('-A', 'PREROUTING', '-j', TABLE);
  } catch (e) {
    await undo();
    throw e;
  }
  return undo;
}
