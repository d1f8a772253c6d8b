/**
 * One measurement in its own process (run with --expose-gc), so heap and peak RSS belong to it
 * alone. Reads a Job as JSON from argv[2], prints a JobResult as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localAddresses } from '../src/analyzers/walk-node.ts';
import { SnapshotSource } from '../src/cluster/nodes/snapshot.ts';
import { explainFrom } from '../src/commands/explain-svc.ts';
import { parseSource, parseTarget } from '../src/commands/target-syntax.ts';
import { traceFrom } from '../src/commands/trace.ts';
import type { HostView, WalkOutcome, WalkPacket } from '../src/dataplane/types.ts';
import { MODE_OPS } from './dataplanes.ts';
import type { BenchMode, BundleMeta } from './generate/bundle.ts';
import { sample, summarize } from './sample.ts';
import type { SampleOptions, Summary } from './sample.ts';

/**
 * parse, walk, explain, trace: netpath's stages (see README). index: read node-0's files from disk,
 * parse, build the walker and walk one packet (the figure set against the references). split: the
 * bare read-and-split floor (readFileSync + split('\n')). json: readFileSync + JSON.parse of nft.json.
 */
export type JobKind = 'parse' | 'walk' | 'explain' | 'trace' | 'index' | 'split' | 'json';

export interface Job {
  bundle: string;
  mode: BenchMode;
  kind: JobKind;
  meta: BundleMeta;
  sampling: SampleOptions;
  /** Walks are short: more of them per measurement. */
  walkSampling: SampleOptions;
}

export interface JobResult {
  timings: Record<string, Summary>;
  memory: {
    /** Heap in use before the measurement (modules loaded, input files read), after a full GC. */
    baselineHeapMB: number;
    /** Heap still in use after a full GC while the last result is alive: what the result costs. */
    retainedHeapMB: number;
    /** Largest heap in use seen right after a run (before any GC). */
    peakHeapMB: number;
    /** Resident set size before the measurement (Node, the TypeScript loader, modules, input files). */
    startRssMB: number;
    /** Peak resident set size of this process (getrusage maxrss). */
    peakRssMB: number;
  };
  /** What each walked packet came to, e.g. "DNAT 0.333 ×3", to show the walk went all the way. */
  outcomes: Record<string, string>;
}

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const EXTERNAL_CLIENT = '203.0.113.50';

/** The last result of the measurement, held at module level so the retained-heap figure includes it. */
let held: unknown = null;

function describe(outcomes: readonly { verdict: string; probability: number }[]): string {
  const groups = new Map<string, number>();
  for (const o of outcomes) {
    const key = `${o.verdict} ${o.probability.toFixed(3)}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
}

async function nodeFiles(job: Job): Promise<Map<string, string>> {
  const dir = join(job.bundle, 'nodes', job.meta.nodes[0]!.name);
  const files = new Map<string, string>();
  for (const f of MODE_OPS[job.mode].files) files.set(f, await readFile(join(dir, f), 'utf8'));
  return files;
}

/** A pod on node-0 (near the end of its /15 podCIDR, past every generated pod) to the middle ClusterIP. */
function clusterIPPacket(job: Job): { packet: WalkPacket; host: HostView } {
  const node0 = job.meta.nodes[0]!;
  const [a, b] = node0.podCIDR.split('.').map(Number);
  const { ip, port } = job.meta.picks.clusterIP;
  return {
    packet: { src: `${a}.${b! + 1}.255.250`, dst: ip, port, protocol: 'TCP', hook: 'prerouting' },
    host: { localAddresses: localAddresses({ status: { addresses: [{ type: 'InternalIP', address: node0.ip }] } }) },
  };
}

async function run(job: Job): Promise<JobResult> {
  const ops = MODE_OPS[job.mode];
  const { picks } = job.meta;
  const files = job.kind === 'parse' || job.kind === 'walk' ? await nodeFiles(job) : null;
  const node0Dir = join(job.bundle, 'nodes', job.meta.nodes[0]!.name);
  gc!();
  const { heapUsed: baseline, rss: startRss } = process.memoryUsage();
  let peakHeap = baseline;
  const track = () => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  };
  const timings: Record<string, Summary> = {};
  const outcomes: Record<string, string> = {};

  if (job.kind === 'parse') {
    const r = await sample(() => ops.parse(files!), job.sampling, track);
    timings.parse = summarize(r.ms, 'ms');
    held = r.last;
  } else if (job.kind === 'walk') {
    const parsed = ops.parse(files!);
    const built = await sample(() => ops.build(parsed), job.sampling, track);
    timings.build = summarize(built.ms, 'ms');
    const walker = built.last;
    // A pod on node-0 to the ClusterIP; an outside client to node-0's NodePort.
    const { packet, host } = clusterIPPacket(job);
    const packets: Record<string, WalkPacket> = {
      walkClusterIP: packet,
      walkNodePort: { src: EXTERNAL_CLIENT, dst: picks.nodePort.ip, port: picks.nodePort.port, protocol: 'TCP', hook: 'prerouting' },
    };
    for (const [name, packet] of Object.entries(packets)) {
      const r = await sample((): WalkOutcome[] => walker.walk(packet, host), job.walkSampling, track);
      timings[name] = summarize(r.ms, 'us');
      outcomes[name] = describe(r.last);
    }
    held = walker;
  } else if (job.kind === 'index') {
    const { packet, host } = clusterIPPacket(job);
    const r = await sample(() => {
      const read = new Map(ops.files.map((f) => [f, readFileSync(join(node0Dir, f), 'utf8')]));
      return ops.build(ops.parse(read)).walk(packet, host);
    }, job.sampling, track);
    timings.index = summarize(r.ms, 'ms');
    outcomes.index = describe(r.last);
    held = r.last;
  } else if (job.kind === 'split') {
    const r = await sample(() => ops.files.map((f) => readFileSync(join(node0Dir, f), 'utf8').split('\n')), job.sampling, track);
    timings.split = summarize(r.ms, 'ms');
    held = r.last;
  } else if (job.kind === 'json') {
    const r = await sample(() => JSON.parse(readFileSync(join(node0Dir, 'nft.json'), 'utf8')) as unknown, job.sampling, track);
    timings.json = summarize(r.ms, 'ms');
    held = r.last;
  } else if (job.kind === 'explain') {
    const { namespace, name } = picks.explain;
    const r = await sample(async () => {
      const source = await SnapshotSource.open(job.bundle);
      try {
        return await explainFrom(source, namespace, name, true);
      } finally {
        await source.close();
      }
    }, job.sampling, track);
    timings.explain = summarize(r.ms, 'ms');
    outcomes.explain = r.last.paths.map((p) => `${p.entry}@${p.node}: ${describe(p.outcomes)}`).join('; ');
    held = r.last;
  } else {
    const target = parseTarget(`${picks.nodePort.ip}:${picks.nodePort.port}`);
    const from = parseSource(`external:${EXTERNAL_CLIENT}`);
    const r = await sample(async () => {
      const source = await SnapshotSource.open(job.bundle);
      try {
        return await traceFrom(source, 'default', { target, source: from, protocol: null, port: null, node: null });
      } finally {
        await source.close();
      }
    }, job.sampling, track);
    timings.trace = summarize(r.ms, 'ms');
    outcomes.trace = describe(r.last.outcomes);
    held = r.last;
  }

  gc!();
  const retained = process.memoryUsage().heapUsed - baseline;
  return {
    timings,
    memory: {
      baselineHeapMB: baseline / MB,
      retainedHeapMB: retained / MB,
      peakHeapMB: peakHeap / MB,
      startRssMB: startRss / MB,
      peakRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
    },
    outcomes,
  };
}

const job = JSON.parse(process.argv[2] ?? '') as Job;
process.stdout.write(JSON.stringify(await run(job)));
