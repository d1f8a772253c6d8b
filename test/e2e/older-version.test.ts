// End-to-end on the older pinned Kubernetes version (second line of scripts/k8s/versions): the
// 3-endpoint ClusterIP scenario in each kube-proxy mode. NETPATH_E2E_MODES picks the modes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { useCluster } from '../harness/cluster.ts';
import { REPO_ROOT } from '../harness/layout.ts';
import type { ProxyMode } from '../harness/layout.ts';
import { clusterIPThreeEndpoints } from './scenarios/clusterip.ts';

const MODES = (process.env.NETPATH_E2E_MODES ?? 'iptables,nftables').split(',') as ProxyMode[];
const pinned = readFileSync(path.join(REPO_ROOT, 'scripts', 'k8s', 'versions'), 'utf8').split('\n').filter((l) => l.startsWith('v'));
const version = pinned[1];
const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : !version ? 'only one pinned version' : false;

for (const mode of MODES) {
  describe(`netpath against the kernel on Kubernetes ${version}, kube-proxy ${mode}`, { skip }, () => {
    const cluster = useCluster({ mode, ...(version ? { version } : {}) });
    test('ClusterIP with 3 endpoints: from a pod (TCP, UDP), from a node, hairpin', () => clusterIPThreeEndpoints(cluster()));
  });
}
