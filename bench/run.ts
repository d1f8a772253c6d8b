/**
 * `npm run bench`: parse, walker construction, packet walks and explain-svc/trace end to end on
 * generated kube-proxy dumps of three sizes, per proxy mode. Each measurement runs in its own
 * process. Tables go to stdout, progress to stderr, all figures to --json PATH when given.
 *
 *   node bench/run.ts [--sizes small,medium,large] [--modes iptables,nftables,ipvs] [--json PATH] [--startup-only]
 *
 * First, the CPU time of whole CLI runs (--help, --version, explain-svc on examples/overall).
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { BENCH_MODES, SIZES, cacheRoot, ensureBundle } from './generate/bundle.ts';
import type { BenchMode, Bundle, SizeSpec } from './generate/bundle.ts';
import type { Job, JobKind, JobResult } from './measure.ts';
import { printTables } from './report.ts';
import type { CaseResult } from './report.ts';
import type { SampleOptions } from './sample.ts';
import { measureStartup } from './startup.ts';
import Table from 'cli-table3';

/**
 * small and medium take about 1.5 minutes here (2 cores, bundles generated included). large adds
 * about 2 minutes once its bundles are cached, but generating them the first time takes 2 to 4
 * more (iptables-restore of 66k rules into each node's namespace is slow), so it runs when asked for.
 */
const DEFAULT_SIZES = ['small', 'medium'];
const JOBS: readonly JobKind[] = ['parse', 'walk', 'explain', 'trace'];
/** Runs per startup case: each is a fresh process of 0.1 to 1.5 s of CPU. */
const STARTUP_RUNS = 10;
const MEASURE = fileURLToPath(new URL('./measure.ts', import.meta.url));

/** Per size: runs wanted and the time budget per measurement (the budget bounds the total). */
const SAMPLING: Record<string, { sampling: SampleOptions; walkSampling: SampleOptions }> = {
  small: { sampling: { runs: 20, budgetMs: 2000 }, walkSampling: { runs: 300, budgetMs: 1000 } },
  medium: { sampling: { runs: 10, budgetMs: 4000 }, walkSampling: { runs: 200, budgetMs: 1000 } },
  large: { sampling: { runs: 5, budgetMs: 8000 }, walkSampling: { runs: 100, budgetMs: 2000 } },
};

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function options(): { sizes: SizeSpec[]; modes: BenchMode[]; json: string | null; startupOnly: boolean } {
  const { values } = parseArgs({
    options: { sizes: { type: 'string' }, modes: { type: 'string' }, json: { type: 'string' }, 'startup-only': { type: 'boolean' } },
    strict: true,
  });
  const pick = <T>(raw: string | undefined, fallback: readonly string[], known: readonly T[], name: (t: T) => string, what: string): T[] =>
    (raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : [...fallback]).map((n) => {
      const found = known.find((k) => name(k) === n);
      if (!found) throw new Error(`--${what}: unknown "${n}" (known: ${known.map(name).join(', ')})`);
      return found;
    });
  return {
    sizes: pick(values.sizes, DEFAULT_SIZES, SIZES, (s) => s.name, 'sizes'),
    modes: pick(values.modes, BENCH_MODES, BENCH_MODES, (m) => m, 'modes'),
    json: values.json ?? null,
    startupOnly: values['startup-only'] ?? false,
  };
}

async function measure(bundle: Bundle, mode: BenchMode, kind: JobKind, size: SizeSpec): Promise<JobResult> {
  const job: Job = { bundle: bundle.dir, mode, kind, meta: bundle.meta, ...SAMPLING[size.name]! };
  const { stdout } = await execa(process.execPath, ['--expose-gc', MEASURE, JSON.stringify(job)], { stderr: 'inherit' });
  return JSON.parse(stdout) as JobResult;
}

const uptime = async () => (await execa('uptime')).stdout.trim();

async function main(): Promise<void> {
  const opts = options();
  const before = { uptime: await uptime(), loadavg: loadavg() };
  log(`load before: ${before.uptime}`);
  log(`bundles cached in ${cacheRoot()}`);
  if (!opts.sizes.some((s) => s.name === 'large')) log('large (5,000 services) runs with --sizes small,medium,large');
  const started = performance.now();
  const startup = await measureStartup(STARTUP_RUNS, log);
  const cases: CaseResult[] = [];
  for (const size of opts.startupOnly ? [] : opts.sizes) {
    for (const mode of opts.modes) {
      const bundle = await ensureBundle(size, mode, log);
      const jobs: Record<string, JobResult> = {};
      for (const kind of JOBS) {
        log(`${size.name}/${mode}: ${kind}`);
        jobs[kind] = await measure(bundle, mode, kind, size);
      }
      cases.push({ size: size.name, mode, meta: bundle.meta, jobs });
    }
  }
  const after = { uptime: await uptime(), loadavg: loadavg() };
  log(`load after: ${after.uptime}`);
  const seconds = (performance.now() - started) / 1000;
  const table = new Table({ head: ['whole CLI run', 'CPU ms (user+sys)'], style: { head: [], border: [] } });
  for (const s of startup) table.push([s.name, `${s.cpu.median.toFixed(0)} [${s.cpu.min.toFixed(0)}–${s.cpu.max.toFixed(0)}] n=${s.cpu.n}`]);
  process.stdout.write(`${table.toString()}\n\n`);
  if (cases.length > 0) printTables(cases, (s) => process.stdout.write(s));
  process.stdout.write(`\nload before: ${before.uptime}\nload after:  ${after.uptime}\nwall time: ${seconds.toFixed(0)} s\n`);
  if (opts.json) {
    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, memoryMB: Math.round(totalmem() / 1024 / 1024), node: process.version };
    await writeFile(opts.json, `${JSON.stringify({ machine, before, after, wallSeconds: seconds, startup, cases }, null, 2)}\n`);
    log(`figures written to ${opts.json}`);
  }
}

await main();
