/**
 * Builds a snapshot bundle (contract 1) for one size and mode: API objects from the synthetic
 * cluster, and for each node the rules loaded into a fresh network namespace and dumped back by
 * the real tools (nftables above KERNEL_NFT_DUMPS_UP_TO: written directly, as nft lists it). Bundles live in a cache directory and are reused; a bundle appears there only
 * once complete (written aside, then renamed).
 */
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import type { ProxyMode } from '../../src/model/proxy-mode.ts';
import { apiObjects } from './api-objects.ts';
import { clusterSpec, middleService } from './cluster-spec.ts';
import type { BenchNode, BenchService, ClusterSpec } from './cluster-spec.ts';
import { IPTABLES_NODE_SETUP, iptablesRestoreInput } from './iptables-rules.ts';
import { ipvsNodeInput } from './ipvs-rules.ts';
import { withNetns } from './netns.ts';
import { nftListing, parseNftVersion } from './nftables-listing.ts';
import { nftInput } from './nftables-rules.ts';

export type BenchMode = ProxyMode & ('iptables' | 'nftables' | 'ipvs');
export const BENCH_MODES: readonly BenchMode[] = ['iptables', 'nftables', 'ipvs'];

export interface SizeSpec {
  name: string;
  services: number;
  endpointsPerService: number;
}

/** Named by their service count; 10 endpoints each (10,000 services: 100,000 endpoints). */
export const SIZES: readonly SizeSpec[] = [100, 1000, 5000, 10000, 20000].map((n) => ({ name: String(n), services: n, endpointsPerService: 10 }));

/**
 * Up to this many services every node's dump goes through the kernel. Above it only node-0's does
 * and the other nodes' directories hardlink node-0's files: loading 430k rules takes about a
 * minute per node here, and parsing cost does not depend on whose endpoints are local.
 */
const PER_NODE_DUMPS_UP_TO = 1000;

/**
 * Up to this many services the nftables dumps come from the kernel. Above it they are written
 * directly (nftables-listing.ts, byte-equal to the kernel's listing; test/unit/bench): listing a
 * 10,000-service table through the kernel takes about 100 s and four times that at 20,000.
 */
const KERNEL_NFT_DUMPS_UP_TO = 1000;

/** Bump when the generated content changes, so stale cached bundles are not reused. */
const GENERATOR_VERSION = 3;

export interface ServicePick {
  namespace: string;
  name: string;
  /** Where the walked packet goes: the ClusterIP and port, or node-0's IP and the NodePort. */
  ip: string;
  port: number;
}

export interface BundleMeta {
  size: string;
  mode: BenchMode;
  services: number;
  endpoints: number;
  nodes: { name: string; ip: string; podCIDR: string }[];
  largeClusterMode: boolean;
  /** Nodes whose directory hardlinks node-0's dump files instead of their own (see PER_NODE_DUMPS_UP_TO). */
  sharedDumpNodes: string[];
  /** Nodes whose nftables dumps were written directly, not listed by the kernel (see KERNEL_NFT_DUMPS_UP_TO). */
  directDumpNodes: string[];
  /** Walk targets on node-0 and the service explain-svc is run for. */
  picks: { clusterIP: ServicePick; nodePort: ServicePick; explain: ServicePick };
  /** Per file of node-0: size and line count (iptables-save: `-A` rules counted too). */
  dumps: { file: string; bytes: number; lines: number; rules: number | null }[];
  tools: string[];
  generatedAt: string;
  generationSeconds: number;
}

export interface Bundle {
  dir: string;
  meta: BundleMeta;
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'kubectl-netpath', 'bench', `v${GENERATOR_VERSION}`);
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/** The cached bundle, generated first when missing. */
export async function ensureBundle(size: SizeSpec, mode: BenchMode, log: (msg: string) => void): Promise<Bundle> {
  const home = join(cacheRoot(), `${size.name}-${mode}`);
  const metaPath = join(home, 'meta.json');
  if (await exists(metaPath)) {
    return { dir: join(home, 'bundle'), meta: JSON.parse(await readFile(metaPath, 'utf8')) as BundleMeta };
  }
  await removeAbandoned(home);
  const partial = `${home}.partial-${process.pid}`;
  try {
    const started = performance.now();
    const spec = clusterSpec(size.services, size.endpointsPerService);
    const bundle = join(partial, 'bundle');
    await mkdir(join(bundle, 'cluster'), { recursive: true });
    for (const [file, doc] of Object.entries(apiObjects(spec, mode))) {
      await writeFile(join(bundle, 'cluster', file), JSON.stringify(doc, null, 2));
    }
    const sharedDumpNodes: string[] = [];
    const directDumpNodes: string[] = [];
    const node0Dir = join(bundle, 'nodes', spec.nodes[0]!.name);
    for (const node of spec.nodes) {
      const dir = join(bundle, 'nodes', node.name);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'proxy-mode'), `${mode}\n`);
      if (node !== spec.nodes[0] && size.services > PER_NODE_DUMPS_UP_TO) {
        for (const file of modeFiles(mode)) await link(join(node0Dir, file), join(dir, file));
        sharedDumpNodes.push(node.name);
        continue;
      }
      const direct = mode === 'nftables' && size.services > KERNEL_NFT_DUMPS_UP_TO;
      log(`generating ${size.name}/${mode}: ${node.name} (${direct ? 'nft listings written directly' : 'load into a network namespace, dump back'})`);
      const { files, reference } = direct ? await nftDirect(spec, node) : await dumpNode(spec, node, mode);
      if (direct) directDumpNodes.push(node.name);
      for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
      // nft's text form, for the `nft -c -f` reference; kept beside the bundle, not in it.
      if (reference && node === spec.nodes[0]) await writeFile(join(partial, NFT_TEXT), reference);
    }
    const meta: BundleMeta = {
      size: size.name,
      mode,
      services: spec.services.length,
      endpoints: spec.services.reduce((n, s) => n + s.endpoints.length, 0),
      nodes: spec.nodes.map((n) => ({ ...n })),
      largeClusterMode: spec.largeClusterMode,
      sharedDumpNodes,
      directDumpNodes,
      picks: picks(spec),
      dumps: await dumpStats(join(bundle, 'nodes', spec.nodes[0]!.name), mode),
      tools: await toolVersions(mode),
      generatedAt: new Date().toISOString(),
      generationSeconds: (performance.now() - started) / 1000,
    };
    await writeFile(join(partial, 'meta.json'), JSON.stringify(meta, null, 2));
    await mkdir(cacheRoot(), { recursive: true });
    await rename(partial, home);
    return { dir: join(home, 'bundle'), meta };
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Half-written bundles of runs that were killed (their process is gone). */
async function removeAbandoned(home: string): Promise<void> {
  const prefix = `${basename(home)}.partial-`;
  const entries = await readdir(dirname(home)).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = entry.startsWith(prefix) ? Number(entry.slice(prefix.length)) : NaN;
    if (Number.isInteger(pid) && (pid === process.pid || !alive(pid))) await rm(join(dirname(home), entry), { recursive: true, force: true });
  }
}

/** `nft list ruleset` of node-0 in nftables bundles, beside `bundle/` in the cache. */
export const NFT_TEXT = 'nft-ruleset.txt';

/** The node files each mode reads (the parse and reference cases read node-0's). */
export const modeFiles = (mode: BenchMode): string[] =>
  mode === 'iptables' ? ['iptables-save.txt'] : mode === 'nftables' ? ['nft.json'] : ['ipvsadm.txt', 'ipset.txt', 'iptables-save.txt'];

export async function dumpNode(spec: ClusterSpec, node: BenchNode, mode: BenchMode): Promise<{ files: Record<string, string>; reference: string | null }> {
  return withNetns(async (ns): Promise<{ files: Record<string, string>; reference: string | null }> => {
    if (mode === 'iptables') {
      await ns.run(['iptables-legacy-restore'], IPTABLES_NODE_SETUP);
      await ns.run(['iptables-legacy-restore', '--noflush'], iptablesRestoreInput(spec, node));
      return { files: { 'iptables-save.txt': await ns.run(['iptables-legacy-save']) }, reference: null };
    }
    if (mode === 'nftables') {
      for (const input of nftInput(spec, node)) await ns.run(['nft', '-f', '-'], input);
      return { files: { 'nft.json': await ns.run(['nft', '-j', 'list', 'ruleset']) }, reference: await ns.run(['nft', 'list', 'ruleset']) };
    }
    const input = ipvsNodeInput(spec, node);
    await ns.run(['ipset', 'restore'], input.ipsets);
    await ns.run(['iptables-restore'], input.iptables);
    return {
      files: {
        'ipvsadm.txt': input.ipvsadm,
        'ipset.txt': await ns.run(['ipset', 'list']),
        'iptables-save.txt': await ns.run(['iptables-save']),
      },
      reference: null,
    };
  });
}

/** What dumpNode returns for nftables, without the kernel. */
export async function nftDirect(spec: ClusterSpec, node: BenchNode): Promise<{ files: Record<string, string>; reference: string }> {
  const version = parseNftVersion((await execa('nft', ['--version'])).stdout);
  const { json, text } = nftListing(nftInput(spec, node), version);
  return { files: { 'nft.json': json }, reference: text };
}

function picks(spec: ClusterSpec): BundleMeta['picks'] {
  const node0 = spec.nodes[0]!;
  const pick = (s: BenchService, ip: string, port: number): ServicePick => ({ namespace: s.namespace, name: s.name, ip, port });
  const cip = middleService(spec, 'cluster-ip');
  const np = middleService(spec, 'node-port');
  const lb = middleService(spec, 'lb-local', node0.name);
  return {
    clusterIP: pick(cip, cip.clusterIP, cip.port),
    nodePort: pick(np, node0.ip, np.nodePort!),
    explain: pick(lb, lb.clusterIP, lb.port),
  };
}

async function dumpStats(dir: string, mode: BenchMode): Promise<BundleMeta['dumps']> {
  return Promise.all(
    modeFiles(mode).map(async (file) => {
      const text = await readFile(join(dir, file), 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      const rules = file === 'iptables-save.txt' ? text.split('\n').filter((l) => l.startsWith('-A ')).length : null;
      return { file, bytes: Buffer.byteLength(text), lines, rules };
    }),
  );
}

async function toolVersions(mode: BenchMode): Promise<string[]> {
  const version = async (argv: string[]) => (await execa(argv[0]!, argv.slice(1))).stdout.split('\n')[0]!.trim();
  const uname = (await execa('uname', ['-r'])).stdout.trim();
  const tools =
    mode === 'nftables' ? [['nft', '--version']] : mode === 'ipvs' ? [['iptables', '--version'], ['ipset', '--version']] : [['iptables', '--version']];
  return [`kernel ${uname}`, ...(await Promise.all(tools.map(version)))];
}
