/**
 * CPU time (user + system) of whole CLI runs, from process start to exit: what a kubectl plugin
 * costs before it answers. Each run is a fresh `node bin/kubectl-netpath ...` (the built dist/,
 * as installed); a one-line preload reports process.cpuUsage() at exit. `node -e 0` is the floor
 * (Node's own start) on this machine at this load.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { summarize } from './sample.ts';
import type { Summary } from './sample.ts';

export interface StartupCase {
  name: string;
  args: string[];
}

export const STARTUP_CASES: readonly StartupCase[] = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'] },
  { name: '--help', args: ['bin/kubectl-netpath', '--help'] },
  { name: '--version', args: ['bin/kubectl-netpath', '--version'] },
  { name: 'explain-svc ns2/svc2 --snapshot examples/overall', args: ['bin/kubectl-netpath', 'explain-svc', 'ns2/svc2', '--snapshot', 'examples/overall'] },
];

const REPORT_CPU = `data:text/javascript,${encodeURIComponent(
  "import { writeFileSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeFileSync(process.env.NETPATH_BENCH_CPU, String((u.user + u.system) / 1000)); });",
)}`;

/** CPU milliseconds of `runs` runs of each case, after one warm-up run (which fills the compile cache). */
export async function measureStartup(runs: number, log: (m: string) => void): Promise<{ name: string; cpu: Summary }[]> {
  const dir = await mkdtemp(join(tmpdir(), 'netpath-bench-startup-'));
  const file = join(dir, 'cpu');
  try {
    const results = [];
    for (const c of STARTUP_CASES) {
      log(`startup: ${c.name}`);
      const ms: number[] = [];
      for (let i = 0; i <= runs; i++) {
        const r = await execa(process.execPath, ['--import', REPORT_CPU, ...c.args], { reject: false, env: { NETPATH_BENCH_CPU: file, NO_COLOR: '1' } });
        if (r.exitCode !== 0) throw new Error(`${c.name}: exit ${r.exitCode}: ${r.stderr}`);
        if (i > 0) ms.push(Number(await readFile(file, 'utf8')));
      }
      results.push({ name: c.name, cpu: summarize(ms, 'ms') });
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
