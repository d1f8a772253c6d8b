import { createReadStream } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReadEntry } from 'tar';
import type { V1EndpointSlice, V1Ingress, V1IngressClass, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { ClusterState, KubeObject, KubeProxyConfig } from '../../model/cluster.ts';
import { badInput } from '../../errors.ts';
import { DumpParseError } from '../../dataplane/errors.ts';
import { parseJsonText } from '../../dataplane/json-text.ts';
import { CLUSTER_DIR, CLUSTER_FILES, NODE_FILES, NODES_DIR } from '../bundle-layout.ts';
import { dumpFiles } from '../../dataplane/registry.ts';
import { readBundleFile, validateClusterFile } from '../bundle-files.ts';
import { kubeProxyConfigFromConfigMap } from '../kube-proxy-config.ts';
import { parseHealthzBody, parseProxyModeAnswer } from './node-answers.ts';
import { makeTempDir, removeTempDir } from '../temp-dirs.ts';
import type { ClusterSource, HealthzReading, NodeDump, NodeQuery } from '../source.ts';

/** Files of a node directory netpath reads: these must be regular files. */
const DUMP_NAMES = new Set<string>([...Object.values(NODE_FILES).filter((f) => f !== NODE_FILES.healthzDir), ...dumpFiles().map((d) => d.name)]);

const KUBECTL_HINT: Record<string, string> = {
  [CLUSTER_FILES.services]: 'kubectl get services -A -o json',
  [CLUSTER_FILES.endpointSlices]: 'kubectl get endpointslices.discovery.k8s.io -A -o json',
  [CLUSTER_FILES.nodes]: 'kubectl get nodes -o json',
  [CLUSTER_FILES.pods]: 'kubectl get pods -A -o json',
  [CLUSTER_FILES.ingresses]: 'kubectl get ingresses.networking.k8s.io -A -o json',
  [CLUSTER_FILES.ingressClasses]: 'kubectl get ingressclasses.networking.k8s.io -o json',
  [CLUSTER_FILES.targetGroupBindings]: 'kubectl get targetgroupbindings.elbv2.k8s.aws -A -o json',
  [CLUSTER_FILES.serviceL2Statuses]: 'kubectl get servicel2statuses.metallb.io -A -o json',
  [CLUSTER_FILES.serviceBGPStatuses]: 'kubectl get servicebgpstatuses.metallb.io -A -o json',
};

const exists = (p: string) => stat(p).then(() => true, () => false);

const MIB = 1024 * 1024;
/** A bundle of a large cluster is tens of MiB and a few files per node. */
export const MAX_ARCHIVE_BYTES = 512 * MIB;
export const MAX_ARCHIVE_ENTRIES = 10_000;
const EXTRACTED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/**
 * Reads the archive's headers before extracting anything: too many entries, too many bytes
 * (a small .tar.gz can expand to gigabytes) or an entry that is not a file or directory
 * (links, devices, FIFOs) refuse the bundle. Stops at the first such header.
 */
async function checkArchive(path: string): Promise<void> {
  const { Parser } = await import('tar');
  return new Promise((resolve, reject) => {
    let entries = 0;
    let bytes = 0;
    let done = false;
    const input = createReadStream(path);
    const parser = new Parser({ strict: true });
    const fail = (message: string) => {
      if (done) return;
      done = true;
      input.destroy();
      reject(badInput(`snapshot ${path}: ${message}`));
    };
    parser.on('entry', (entry: ReadEntry) => {
      if (++entries > MAX_ARCHIVE_ENTRIES) return fail(`more than ${MAX_ARCHIVE_ENTRIES} entries; a bundle has a few files per node`);
      if (!EXTRACTED_TYPES.has(entry.type)) return fail(`${entry.path} is a ${entry.type} entry; a bundle holds only regular files and directories`);
      bytes += entry.size ?? 0;
      if (bytes > MAX_ARCHIVE_BYTES) return fail(`expands to more than ${MAX_ARCHIVE_BYTES / MIB} MiB`);
      entry.resume();
    });
    parser.on('error', (e: Error) => fail(`not a readable .tar.gz (${e.message})`));
    parser.on('end', () => {
      if (!done) (done = true), resolve();
    });
    input.on('error', (e) => fail(`cannot read (${e.message})`));
    input.pipe(parser);
  });
}

/** Reads contract 1 from a directory or a .tar.gz; every error names the file (and line). */
export class SnapshotSource implements ClusterSource {
  readonly description: string;
  readonly nodesPerRead = 1;
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
    if (info.isDirectory()) return new SnapshotSource(await bundleRoot(path, path), null, path);
    if (!/\.(tar\.gz|tgz)$/.test(path)) throw badInput(`snapshot ${path}: expected a directory or a .tar.gz bundle`);
    await checkArchive(path);
    const dir = await makeTempDir('netpath-snapshot-');
    try {
      // tar is loaded only for a .tar.gz bundle.
      const { extract } = await import('tar');
      try {
        await extract({ file: path, cwd: dir, strict: true, filter: (_p, entry) => EXTRACTED_TYPES.has((entry as ReadEntry).type) });
      } catch (e) {
        throw badInput(`snapshot ${path}: not a readable .tar.gz (${(e as Error).message})`);
      }
      return new SnapshotSource(await bundleRoot(dir, path), dir, path);
    } catch (e) {
      await removeTempDir(dir);
      throw e;
    }
  }

  async readState(): Promise<ClusterState> {
    const [services, endpointSlices, nodes] = await Promise.all([
      this.readList<V1Service>(CLUSTER_FILES.services, true),
      this.readList<V1EndpointSlice>(CLUSTER_FILES.endpointSlices, true),
      this.readList<V1Node>(CLUSTER_FILES.nodes, true),
    ]);
    const pods = await this.readList<V1Pod>(CLUSTER_FILES.pods, false);
    // Optional load-balancer objects: absent means not read, a file that does not parse is exit 3.
    const [ingresses, ingressClasses, targetGroupBindings, serviceL2Statuses, serviceBGPStatuses] = await Promise.all([
      this.readList<V1Ingress>(CLUSTER_FILES.ingresses, false),
      this.readList<V1IngressClass>(CLUSTER_FILES.ingressClasses, false),
      this.readList<KubeObject>(CLUSTER_FILES.targetGroupBindings, false),
      this.readList<KubeObject>(CLUSTER_FILES.serviceL2Statuses, false),
      this.readList<KubeObject>(CLUSTER_FILES.serviceBGPStatuses, false),
    ]);
    return {
      services: services ?? [],
      endpointSlices: endpointSlices ?? [],
      nodes: nodes ?? [],
      pods,
      kubeProxyConfig: await this.readKubeProxyConfig(),
      ingresses,
      ingressClasses,
      targetGroupBindings,
      serviceL2Statuses,
      serviceBGPStatuses,
    };
  }

  async readNodes(query: NodeQuery): Promise<Map<string, NodeDump>> {
    const dir = join(this.root, NODES_DIR);
    const nodesDir = await lstat(dir).catch(() => null);
    if (nodesDir && !nodesDir.isDirectory()) throw badInput(`snapshot: ${NODES_DIR} is not a directory; a bundle holds only regular files and directories`);
    const entries = nodesDir ? await readdir(dir, { withFileTypes: true }) : [];
    const present = new Map(entries.map((e) => [e.name, e]));
    const dumps = new Map<string, NodeDump>();
    for (const node of query.nodes) {
      const entry = present.get(node);
      if (!entry) continue;
      if (!entry.isDirectory()) throw badInput(`snapshot: ${join(NODES_DIR, node)} is not a directory (a link?); a bundle holds only regular files and directories`);
      dumps.set(node, await this.readNodeDir(node, join(dir, node)));
    }
    return dumps;
  }

  async close(): Promise<void> {
    if (this.cleanupDir) await removeTempDir(this.cleanupDir);
  }

  private async readList<T>(file: string, required: boolean): Promise<T[] | null> {
    const rel = join(CLUSTER_DIR, file);
    const text = await readBundleFile(this.root, rel);
    if (text === null) {
      if (!required) return null;
      throw badInput(`snapshot: missing ${rel} (create it with: ${KUBECTL_HINT[file]} > ${rel})`);
    }
    const doc = parseJson(text, rel);
    const items = (doc as { items?: unknown } | null)?.items;
    if (!Array.isArray(items)) throw badInput(`${rel}: expected a List with "items" (as ${KUBECTL_HINT[file]} prints)`);
    await validateClusterFile(file, rel, doc);
    return items as T[];
  }

  private async readKubeProxyConfig(): Promise<KubeProxyConfig | null> {
    const rel = join(CLUSTER_DIR, CLUSTER_FILES.kubeProxyConfig);
    const text = await readBundleFile(this.root, rel);
    if (text === null) return null;
    const doc = parseJson(text, rel);
    await validateClusterFile(CLUSTER_FILES.kubeProxyConfig, rel, doc);
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
          const text = (await readBundleFile(this.root, frel)) ?? '';
          healthz.set(Number(m[1]), healthzReading(text, frel));
        }
      } else if (entry.isFile() || DUMP_NAMES.has(entry.name)) {
        // A dump name that is a link, FIFO or device is refused by the reader, not skipped.
        const text = (await readBundleFile(this.root, rel)) ?? '';
        if (entry.name === NODE_FILES.proxyMode) proxyMode = bundleFile(() => parseProxyModeAnswer(text, rel));
        else files.set(entry.name, text);
      }
    }
    return { node, location: join(NODES_DIR, node), proxyMode, files, healthz };
  }
}

/** A tarball may wrap the bundle in one top directory; accept both shapes. */
async function bundleRoot(dir: string, shownAs: string): Promise<string> {
  if (await exists(join(dir, CLUSTER_DIR))) return dir;
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory());
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only && (await exists(join(dir, only.name, CLUSTER_DIR)))) return join(dir, only.name);
  throw badInput(`snapshot ${shownAs}: no ${CLUSTER_DIR}/ directory (see README: snapshot bundle layout)`);
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
