import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { CLUSTER_DIR, CLUSTER_FILES, NODES_DIR, NODE_FILES } from '../../src/cluster/bundle-layout.ts';
import type { Cluster } from './cluster.ts';
import { curlHealthz } from './healthz.ts';
import { inNetns, inNetnsOk } from './netns.ts';

async function kubectlJson(c: Cluster, args: string[]): Promise<string> {
  const res = await execa(path.join(c.layout.bin, 'kubectl'), ['--kubeconfig', c.layout.kubeconfig, ...args, '-o', 'json']);
  return res.stdout;
}

function healthCheckNodePorts(servicesJson: string): number[] {
  const list = JSON.parse(servicesJson) as { items: { spec?: { healthCheckNodePort?: number } }[] };
  const ports = list.items.map((s) => s.spec?.healthCheckNodePort).filter((p): p is number => typeof p === 'number');
  return [...new Set(ports)].sort((a, b) => a - b);
}

/**
 * Writes a snapshot bundle (contract 1, shared/design.md) of the harness cluster into `dir`:
 * cluster/*.json with the pinned kubectl, and per node the proxy mode, the dump of that mode
 * (iptables-save or nft -j list ruleset), its own addresses (ip -j addr) and the healthz answer of
 * every healthCheckNodePort.
 * Returns `dir`, ready for `--snapshot`. Refuses a dir that already holds a bundle: stale files
 * of another proxy mode would be read as this capture's.
 */
export async function captureBundle(c: Cluster, dir: string): Promise<string> {
  for (const sub of [CLUSTER_DIR, NODES_DIR]) {
    const exists = await access(path.join(dir, sub)).then(() => true, () => false);
    if (exists) throw new Error(`captureBundle: ${dir} already holds a bundle (${sub}/)`);
  }
  const clusterDir = path.join(dir, CLUSTER_DIR);
  await mkdir(clusterDir, { recursive: true });
  const services = await kubectlJson(c, ['get', 'services', '-A']);
  const files: [string, string][] = [
    [CLUSTER_FILES.services, services],
    [CLUSTER_FILES.endpointSlices, await kubectlJson(c, ['get', 'endpointslices.discovery.k8s.io', '-A'])],
    [CLUSTER_FILES.nodes, await kubectlJson(c, ['get', 'nodes'])],
    [CLUSTER_FILES.pods, await kubectlJson(c, ['get', 'pods', '-A'])],
    [CLUSTER_FILES.kubeProxyConfig, await kubectlJson(c, ['-n', 'kube-system', 'get', 'configmap', 'kube-proxy'])],
  ];
  for (const [name, body] of files) await writeFile(path.join(clusterDir, name), `${body}\n`);
  // The optional load-balancer objects (issue 9), as capture writes them: a kind the cluster does
  // not serve (no CRD installed) gives no file.
  const optional: [string, string[]][] = [
    [CLUSTER_FILES.ingresses, ['get', 'ingresses.networking.k8s.io', '-A']],
    [CLUSTER_FILES.ingressClasses, ['get', 'ingressclasses.networking.k8s.io']],
    [CLUSTER_FILES.targetGroupBindings, ['get', 'targetgroupbindings.elbv2.k8s.aws', '-A']],
    [CLUSTER_FILES.serviceL2Statuses, ['get', 'servicel2statuses.metallb.io', '-A']],
    [CLUSTER_FILES.serviceBGPStatuses, ['get', 'servicebgpstatuses.metallb.io', '-A']],
  ];
  for (const [name, args] of optional) {
    const body = await kubectlJson(c, args).catch((e: Error) => {
      if (/the server doesn't have a resource type/.test(e.message)) return null;
      throw e;
    });
    if (body !== null) await writeFile(path.join(clusterDir, name), `${body}\n`);
  }

  const ports = healthCheckNodePorts(services);
  for (const node of c.layout.nodes) {
    const nodeDir = path.join(dir, NODES_DIR, node.name);
    await mkdir(path.join(nodeDir, NODE_FILES.healthzDir), { recursive: true });
    // A stopped kube-proxy does not answer: then no proxy-mode file (contract 1 lets the reader
    // infer the mode from the dump) and the dump of the mode the cluster was started in.
    const answer = await inNetns(node.netns, ['curl', '-sf', '-m', '2', 'http://127.0.0.1:10249/proxyMode']);
    const mode = answer.exitCode === 0 ? answer.stdout.trim() : c.layout.proxyMode;
    if (answer.exitCode === 0) await writeFile(path.join(nodeDir, NODE_FILES.proxyMode), `${mode}\n`);
    if (mode === 'nftables') {
      await writeFile(path.join(nodeDir, NODE_FILES.nftJson), await inNetnsOk(node.netns, ['nft', '-j', 'list', 'ruleset']));
    } else {
      await writeFile(path.join(nodeDir, NODE_FILES.iptablesSave), await inNetnsOk(node.netns, ['iptables-save']));
    }
    await writeFile(path.join(nodeDir, NODE_FILES.ipAddr), await inNetnsOk(node.netns, ['ip', '-j', 'addr']));
    for (const port of ports) {
      const answer = await curlHealthz(node.netns, node.ip, port);
      // No answer, no file: the bundle reader then knows nothing about that port on this node.
      if (answer.status !== null) await writeFile(path.join(nodeDir, NODE_FILES.healthzDir, `${port}.json`), answer.body);
    }
  }
  return dir;
}
