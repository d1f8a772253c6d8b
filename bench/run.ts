/**
 * `npm run bench`: parse, walker construction, packet walks and explain-svc/trace end to end on
 * generated kube-proxy dumps of three sizes, per proxy mode. Each measurement runs in its own
 * process. Tables go to stdout, progress to stderr, all figures to --json PATH when given.
 *
 *   node bench/run.ts [--sizes 100,1000,5000,10000,20000] [--modes iptables,nftables,ipvs] [--json PATH] [--profile DIR] [--startup-only]
 *
 * First, the CPU time of whole CLI runs (--help, --version, explain-svc on examples/overall).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { BENCH_MODES, SIZES, cacheRoot, ensureBundle } from './generate/bundle.ts';
import type { BenchMode, Bundle, SizeSpec } from './generate/bundle.ts';
import type { Job, JobKind, JobResult } from './measure.ts';
import { nodeScaleBundle } from './generate/node-scale.ts';
import { withNetns } from './generate/netns.ts';
import { measureReferences } from './references.ts';
import { printTables } from './report.ts';
import type { CaseResult } from './report.ts';
import { printReferences } from './ratios.ts';
import type { NodeCase } from './ratios.ts';
import type { SampleOptions } from './sample.ts';
import { measureStartup } from './startup.ts';
import Table from 'cli-table3';

/** The 100-service size always runs too: the per-service target compares a walk there with the largest size. */
const DEFAULT_SIZES = ['100', '1000'];
const BASE_SIZE = '100';
const JOBS: readonly JobKind[] = ['parse', 'walk', 'explain', 'trace', 'index', 'split'];
/** explain-svc on bundles of 1 to 100 nodes (iptables mode), where services x nodes stays within this many. */
const NODE_COUNTS = [1, 3, 20, 100];
const MAX_SERVICE_NODES = 100_000;
/** Runs per startup case: each is a fresh process of 0.1 to 1.5 s of CPU. */
const STARTUP_RUNS = 10;
const MEASURE = fileURLToPath(new URL('./measure.ts', import.meta.url));

/** Per size: runs wanted and the time budget per measurement (the budget bounds the total). */
function sampling(size: SizeSpec): { sampling: SampleOptions; walkSampling: SampleOptions } {
  if (size.services <= 100) return { sampling: { runs: 20, budgetMs: 2000 }, walkSampling: { runs: 300, budgetMs: 1000 } };
  if (size.services <= 1000) return { sampling: { runs: 10, budgetMs: 4000 }, walkSampling: { runs: 200, budgetMs: 1000 } };
  // One run after the warm-up: a 10,000-service dump takes seconds, and the whole run must stay within 15 minutes.
  return { sampling: { runs: 1, budgetMs: 0 }, walkSampling: { runs: 100, budgetMs: 2000 } };
}
/** One cold run in a fresh process: explain-svc over 100 nodes of dumps is long, and its peak RSS is one run's. */
const NODE_SAMPLING: SampleOptions = { runs: 1, budgetMs: 0, warmup: false };
/** The memory figure against the dump: a fresh process that reads, parses, indexes and walks once. */
const ONCE: SampleOptions = { runs: 1, budgetMs: 0, warmup: false };
/** Reference tools take up to a minute on a 20,000-service dump: one run there. */
const referenceRuns = (size: SizeSpec) => (size.services >= 5000 ? 1 : 3);

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function options(): { sizes: SizeSpec[]; modes: BenchMode[]; json: string | null; startupOnly: boolean; profile: string | null } {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      modes: { type: 'string' },
      json: { type: 'string' },
      'startup-only': { type: 'boolean' },
      profile: { type: 'string' },
    },
    strict: true,
  });
  const pick = <T>(raw: string | undefined, fallback: readonly string[], known: readonly T[], name: (t: T) => string, what: string): T[] =>
    (raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : [...fallback]).map((n) => {
      const found = known.find((k) => name(k) === n);
      if (!found) throw new Error(`--${what}: unknown "${n}" (known: ${known.map(name).join(', ')})`);
      return found;
    });
  const sizes = pick(values.sizes, DEFAULT_SIZES, SIZES, (s) => s.name, 'sizes');
  if (!sizes.some((s) => s.name === BASE_SIZE)) sizes.unshift(SIZES.find((s) => s.name === BASE_SIZE)!);
  return {
    sizes,
    profile: values.profile ?? null,
    modes: pick(values.modes, BENCH_MODES, BENCH_MODES, (m) => m, 'modes'),
    json: values.json ?? null,
    startupOnly: values['startup-only'] ?? false,
  };
}

/** One measurement in its own process; with --profile DIR, its CPU profile lands in DIR as NAME.cpuprofile. */
async function measure(dir: string, bundle: Bundle, mode: BenchMode, kind: JobKind, sample: ReturnType<typeof sampling>, profile: { dir: string; name: string } | null): Promise<JobResult> {
  const job: Job = { bundle: dir, mode, kind, meta: bundle.meta, ...sample };
  const prof = profile ? ['--cpu-prof', '--cpu-prof-dir', profile.dir, '--cpu-prof-name', `${profile.name}.cpuprofile`] : [];
  const { stdout } = await execa(process.execPath, ['--expose-gc', ...prof, MEASURE, JSON.stringify(job)], { stderr: 'inherit' });
  return JSON.parse(stdout) as JobResult;
}

const uptime = async () => (await execa('uptime')).stdout.trim();

async function main(): Promise<void> {
  const opts = options();
  const before = { uptime: await uptime(), loadavg: loadavg() };
  log(`load before: ${before.uptime}`);
  log(`bundles cached in ${cacheRoot()}`);
  const started = performance.now();
  const startup = await measureStartup(STARTUP_RUNS, log);
  const cases: CaseResult[] = [];
  const nodeCases: NodeCase[] = [];
  if (opts.profile) await mkdir(opts.profile, { recursive: true });
  for (const size of opts.startupOnly ? [] : opts.sizes) {
    for (const mode of opts.modes) {
      const bundle = await ensureBundle(size, mode, log);
      const jobs: Record<string, JobResult> = {};
      const kinds = mode === 'nftables' ? [...JOBS, 'json' as const] : JOBS;
      for (const kind of kinds) {
        log(`${size.name}/${mode}: ${kind}`);
        const profile = opts.profile ? { dir: opts.profile, name: `${size.name}-${mode}-${kind}` } : null;
        jobs[kind] = await measure(bundle.dir, bundle, mode, kind, sampling(size), profile);
      }
      log(`${size.name}/${mode}: index, one cold run (memory)`);
      jobs.indexOnce = await measure(bundle.dir, bundle, mode, 'index', { sampling: ONCE, walkSampling: ONCE }, null);
      log(`${size.name}/${mode}: reference tools`);
      const references = await withNetns((ns) => measureReferences(ns, bundle, mode, referenceRuns(size)));
      cases.push({ size: size.name, mode, meta: bundle.meta, jobs, references });
      if (mode !== 'iptables') continue;
      for (const nodes of NODE_COUNTS.filter((n) => n * size.services <= MAX_SERVICE_NODES)) {
        log(`${size.name}/${mode}: explain-svc on ${nodes} nodes`);
        const dir = await nodeScaleBundle(bundle, nodes);
        const profile = opts.profile ? { dir: opts.profile, name: `${size.name}-${mode}-explain-${nodes}-nodes` } : null;
        const result = await measure(dir, bundle, mode, 'explain', { sampling: NODE_SAMPLING, walkSampling: NODE_SAMPLING }, profile);
        nodeCases.push({ size: size.name, services: size.services, nodes, result });
      }
    }
  }
  const after = { uptime: await uptime(), loadavg: loadavg() };
  log(`load after: ${after.uptime}`);
  const seconds = (performance.now() - started) / 1000;
  const table = new Table({ head: ['whole CLI run', 'CPU ms (user+sys)'], style: { head: [], border: [] } });
  for (const s of startup) table.push([s.name, `${s.cpu.median.toFixed(0)} [${s.cpu.min.toFixed(0)}–${s.cpu.max.toFixed(0)}] n=${s.cpu.n}`]);
  process.stdout.write(`${table.toString()}\n\n`);
  if (cases.length > 0) {
    printTables(cases, (s) => process.stdout.write(s));
    printReferences(cases, nodeCases, (s) => process.stdout.write(s));
  }
  process.stdout.write(`\nload before: ${before.uptime}\nload after:  ${after.uptime}\nwall time: ${seconds.toFixed(0)} s\n`);
  if (opts.json) {
    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, memoryMB: Math.round(totalmem() / 1024 / 1024), node: process.version };
    await writeFile(opts.json, `${JSON.stringify({ machine, before, after, wallSeconds: seconds, startup, cases, nodeCases }, null, 2)}\n`);
    log(`figures written to ${opts.json}`);
  }
}

await main();
