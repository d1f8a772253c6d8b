/** The results as tables on stdout (the JSON file carries the same figures with every field). */
import Table from 'cli-table3';
import type { JobResult } from './measure.ts';
import type { BundleMeta } from './generate/bundle.ts';
import type { ReferenceResult } from './references.ts';
import type { Summary } from './sample.ts';

export interface CaseResult {
  size: string;
  mode: string;
  meta: BundleMeta;
  jobs: Record<string, JobResult>;
  references: ReferenceResult[];
}

const num = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmt = (s: Summary | undefined) => (s ? `${num(s.median)} [${num(s.min)}–${num(s.max)}] n=${s.n}` : '–');
const mb = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(1));

export function printTables(cases: readonly CaseResult[], write: (s: string) => void): void {
  const sizes = new Table({
    head: ['size', 'mode', 'services', 'endpoints', 'node-0 dump (file: MB, lines, -A rules)'],
    style: { head: [], border: [] },
  });
  for (const c of cases) {
    const dumps = c.meta.dumps.map((d) => `${d.file}: ${(d.bytes / 1024 / 1024).toFixed(2)}, ${d.lines}${d.rules === null ? '' : `, ${d.rules}`}`);
    sizes.push([c.size, c.mode, c.meta.services, c.meta.endpoints, dumps.join('\n')]);
  }
  const times = new Table({
    head: ['size', 'mode', 'parse ms', 'build walker ms', 'walk ClusterIP µs', 'walk NodePort µs', 'explain-svc ms', 'trace ms'],
    style: { head: [], border: [] },
  });
  for (const c of cases) {
    const t = (job: string, key: string) => fmt(c.jobs[job]?.timings[key]);
    times.push([c.size, c.mode, t('parse', 'parse'), t('walk', 'build'), t('walk', 'walkClusterIP'), t('walk', 'walkNodePort'), t('explain', 'explain'), t('trace', 'trace')]);
  }
  const memory = new Table({
    head: ['size', 'mode', 'parsed model', 'walker', 'start RSS', 'parse peak RSS', 'walk peak RSS', 'explain peak heap', 'explain peak RSS'],
    style: { head: [], border: [] },
  });
  for (const c of cases) {
    const m = (job: string) => c.jobs[job]?.memory;
    memory.push([
      c.size,
      c.mode,
      mb(m('parse')?.retainedHeapMB),
      mb(m('walk')?.retainedHeapMB),
      mb(m('parse')?.startRssMB),
      mb(m('parse')?.peakRssMB),
      mb(m('walk')?.peakRssMB),
      mb(m('explain')?.peakHeapMB),
      mb(m('explain')?.peakRssMB),
    ]);
  }
  const outcomes = new Table({ head: ['size', 'mode', 'walk ClusterIP', 'walk NodePort', 'trace'], style: { head: [], border: [] } });
  for (const c of cases) {
    outcomes.push([c.size, c.mode, c.jobs.walk?.outcomes.walkClusterIP ?? '–', c.jobs.walk?.outcomes.walkNodePort ?? '–', c.jobs.trace?.outcomes.trace ?? '–']);
  }
  write('Dumps (real kernel output of generated kube-proxy rules; 3 nodes per bundle, figures for node-0)\n');
  write(`${sizes.toString()}\n\n`);
  write('Time: median [min–max] n=runs, after one warm-up run. parse/build/walk: node-0 only; explain-svc and trace end to end on the bundle (explain reads all 3 nodes, trace the entry node)\n');
  write(`${times.toString()}\n\n`);
  write(
    'Memory (MB): parsed model and walker = heap still used after a full GC while the result is alive (walker includes its parsed model); ' +
      'start RSS = the measuring process before it starts (Node, TypeScript loader, modules); peak RSS/heap during the measurement\n',
  );
  write(`${memory.toString()}\n\n`);
  write('What the walks came to (verdict, probability)\n');
  write(`${outcomes.toString()}\n`);
}
