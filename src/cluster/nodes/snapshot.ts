import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { ClusterState, KubeProxyConfig } from '../../model/cluster.ts';
import { badInput } from '../../errors.ts';
import { DumpParseError } from '../../dataplane/errors.ts';
import { parseJsonText } from '../../dataplane/json-text.ts';
import { CLUSTER_DIR, CLUSTER_FILES, NODE_FILES, NODES_DIR } from '../bundle-layout.ts';
import { kubeProxyConfigFromConfigMap } from '../kube-proxy-config.ts';
import { parseHealthzBody, parseProxyModeAnswer } from './node-answers.ts';
import type { ClusterSource, HealthzReading, NodeDump, NodeQuery } from '../source.ts';

const KUBECTL_HINT: Record<string, string> = {
  [CLUSTER_FILES.services]: 'kubectl get services -A -o json',
  [CLUSTER_FILES.endpointSlices]: 'kubectl get endpointslices.discovery.k8s.io -A -o json',
  [CLUSTER_FILES.nodes]: 'kubectl get nodes -o json',
  [CLUSTER_FILES.pods]: 'kubectl get pods -A -o json',
};

const exists = (p: string) => stat(p).then(() => true, () => false);

/** Reads contract 1 from a directory or a .tar.gz; every error names the file (and line). */
export class SnapshotSource implements ClusterSource {
  readonly description: string;
  private readonly root: string;
  /** Temporary extraction directory of a .tar.gz, removed by close(). */
  private readonly cleanupDir: string | null;

  private constructor(root: string, cleanupDir: string | null, shownAs: string) {
    this.root = root;
    this.cleanupDir = cleanupDir;
    this.description = `snapshot ${shownAs}`;
  }

  static async open(path: string): Promise<SnapshotSource> {
    const info = await stat(path).catch(() => null);
    if (!info) throw badInput(`snapshot ${path}: no such file or directory`);
    if (info.isDirectory()) return new SnapshotSource(await bundleRoot(path), null, path);
    if (!/\.(tar\.gz|tgz)$/.test(path)) throw badInput(`snapshot ${path}: expected a directory or a .tar.gz bundle`);
    const dir = await mkdtemp(join(tmpdir(), 'netpath-snapshot-'));
    try {
      // tar is loaded only for a .tar.gz bundle.
      const { extract } = await import('tar');
      await extract({ file: path, cwd: dir, strict: true });
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw badInput(`snapshot ${path}: not a readable .tar.gz (${(e as Error).message})`);
    }
    return new SnapshotSource(await bundleRoot(dir), dir, path);
  }

  async readState(): Promise<ClusterState> {
    const [services, endpointSlices, nodes] = await Promise.all([
      this.readList<V1Service>(CLUSTER_FILES.services, true),
      this.readList<V1EndpointSlice>(CLUSTER_FILES.endpointSlices, true),
      this.readList<V1Node>(CLUSTER_FILES.nodes, true),
    ]);
    const pods = await this.readList<V1Pod>(CLUSTER_FILES.pods, false);
    return {
      services: services ?? [],
      endpointSlices: endpointSlices ?? [],
      nodes: nodes ?? [],
      pods,
      kubeProxyConfig: await this.readKubeProxyConfig(),
    };
  }

  async readNodes(query: NodeQuery): Promise<Map<string, NodeDump>> {
    const dir = join(this.root, NODES_DIR);
    const present = new Set(await readdir(dir).catch(() => [] as string[]));
    const dumps = new Map<string, NodeDump>();
    for (const node of query.nodes) {
      if (!present.has(node)) continue;
      dumps.set(node, await this.readNodeDir(node, join(dir, node)));
    }
    return dumps;
  }

  async close(): Promise<void> {
    if (this.cleanupDir) await rm(this.cleanupDir, { recursive: true, force: true });
  }

  private async readList<T>(file: string, required: boolean): Promise<T[] | null> {
    const rel = join(CLUSTER_DIR, file);
    const path = join(this.root, rel);
    if (!(await exists(path))) {
      if (!required) return null;
      throw badInput(`snapshot: missing ${rel} (create it with: ${KUBECTL_HINT[file]} > ${rel})`);
    }
    const doc = parseJson(await readFile(path, 'utf8'), rel);
    const items = (doc as { items?: unknown }).items;
    if (!Array.isArray(items)) throw badInput(`${rel}: expected a List with "items" (as ${KUBECTL_HINT[file]} prints)`);
    return items as T[];
  }

  private async readKubeProxyConfig(): Promise<KubeProxyConfig | null> {
    const rel = join(CLUSTER_DIR, CLUSTER_FILES.kubeProxyConfig);
    const path = join(this.root, rel);
    if (!(await exists(path))) return null;
    const doc = parseJson(await readFile(path, 'utf8'), rel);
    try {
      // Named as the object it is, as a live read names it, so both runs say the same.
      return kubeProxyConfigFromConfigMap(doc, 'configmap kube-system/kube-proxy');
    } catch (e) {
      throw badInput(`${rel}: ${(e as Error).message}`);
    }
  }

  private async readNodeDir(node: string, dir: string): Promise<NodeDump> {
    const entries = await readdir(dir, { withFileTypes: true });
    const files = new Map<string, string>();
    let proxyMode: string | null = null;
    const healthz = new Map<number, HealthzReading>();
    for (const entry of entries) {
      const rel = join(NODES_DIR, node, entry.name);
      if (entry.isDirectory() && entry.name === NODE_FILES.healthzDir) {
        for (const f of await readdir(join(dir, entry.name))) {
          const m = /^(\d+)\.json$/.exec(f);
          if (!m) continue;
          const frel = join(rel, f);
          healthz.set(Number(m[1]), healthzReading(await readFile(join(dir, entry.name, f), 'utf8'), frel));
        }
      } else if (entry.isFile()) {
        const text = await readFile(join(dir, entry.name), 'utf8');
        if (entry.name === NODE_FILES.proxyMode) proxyMode = bundleFile(() => parseProxyModeAnswer(text, rel));
        else files.set(entry.name, text);
      }
    }
    return { node, location: join(NODES_DIR, node), proxyMode, files, healthz };
  }
}

/** A tarball may wrap the bundle in one top directory; accept both shapes. */
async function bundleRoot(dir: string): Promise<string> {
  if (await exists(join(dir, CLUSTER_DIR))) return dir;
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory());
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only && (await exists(join(dir, only.name, CLUSTER_DIR)))) return join(dir, only.name);
  throw badInput(`snapshot ${basename(dir)}: no ${CLUSTER_DIR}/ directory (see README: snapshot bundle layout)`);
}

function parseJson(text: string, rel: string): unknown {
  return bundleFile(() => parseJsonText(text, rel));
}

/** The body kube-proxy's health server returns; the status follows from it (200 iff endpoints and healthy). */
function healthzReading(text: string, source: string): HealthzReading {
  const body = bundleFile(() => parseHealthzBody(text, source));
  return { status: body.localEndpoints > 0 && body.serviceProxyHealthy !== false ? 200 : 503, localEndpoints: body.localEndpoints, source };
}

/** A node file that cannot be read is bad input naming it (the parsers name it by its bundle path). */
function bundleFile<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw e instanceof DumpParseError ? badInput(e.message) : e;
  }
}
