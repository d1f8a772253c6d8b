/**
 * netpath against the references as ratios, the growth curves (vs services, vs nodes), and the
 * issue-11 targets, each with its measured ratio and PASS or MISS. Figures, not assertions.
 */
import Table from 'cli-table3';
import type { JobResult } from './measure.ts';
import type { CaseResult } from './report.ts';
import type { ReferenceResult } from './references.ts';

export interface NodeCase {
  size: string;
  services: number;
  nodes: number;
  result: JobResult;
}

const MB = 1024 * 1024;
const style = { head: [], border: [] };
const num = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (x: number) => `${x.toFixed(x >= 10 ? 0 : 2)}x`;
const dumpBytes = (c: CaseResult) => c.meta.dumps.reduce((n, d) => n + d.bytes, 0);
const median = (r: JobResult | undefined, key: string) => r?.timings[key]?.median;
/** What the measurement itself added to the process: peak RSS over the RSS it started with. */
const rssGrowthMB = (r: JobResult) => r.memory.peakRssMB - r.memory.startRssMB;
/** One netpath run's memory: the cold single-run process (the timed one also holds its warm-up's garbage). */
const indexMemory = (c: CaseResult) => c.jobs.indexOnce ?? c.jobs.index!;
/** A reference stopped at its time cap took at least that long: the ratio is an upper bound. */
const refRatio = (ms: number, r: ReferenceResult) => `${r.stopped ? '<' : ''}${ratio(ms / r.time.median)}`;

export function printReferences(cases: readonly CaseResult[], nodeCases: readonly NodeCase[], write: (s: string) => void): void {
  const refs = new Table({
    head: ['size', 'mode', 'dump MB', 'netpath read+parse+index+walk ms', 'vs read-and-split', 'vs JSON.parse', 'vs reference tools (their ms)', 'netpath RSS growth MB (x dump)'],
    style,
  });
  for (const c of cases) {
    const index = median(c.jobs.index, 'index')!;
    const split = median(c.jobs.split, 'split')!;
    const json = median(c.jobs.json, 'json');
    const tools = c.references.map((r) => `${refRatio(index, r)} ${r.name} (${r.stopped ? 'stopped at ' : ''}${num(r.time.median)}; RSS ${r.stopped ? '–' : `${num(r.peakRssMB)} MB`})`);
    const growth = rssGrowthMB(indexMemory(c));
    refs.push([
      c.size,
      c.mode,
      num(dumpBytes(c) / MB),
      num(index),
      `${ratio(index / split)} (${num(split)})`,
      json === undefined ? '–' : `${ratio(index / json)} (${num(json)})`,
      tools.join('\n') || '–',
      `${num(growth)} (${ratio((growth * MB) / dumpBytes(c))})`,
    ]);
  }
  write('\nAgainst references (node-0; ratio = netpath / reference, median ms; one process per figure)\n');
  write(`${refs.toString()}\n\n`);

  const curve = new Table({ head: ['services', 'mode', 'dump MB', 'read+parse+index+walk ms', 'ms per MB', 'walk ClusterIP µs', 'peak RSS MB'], style });
  for (const c of cases) {
    const index = median(c.jobs.index, 'index')!;
    curve.push([c.meta.services, c.mode, num(dumpBytes(c) / MB), num(index), num(index / (dumpBytes(c) / MB)), num(median(c.jobs.walk, 'walkClusterIP') ?? NaN), num(indexMemory(c).memory.peakRssMB)]);
  }
  write('Growth vs services\n');
  write(`${curve.toString()}\n\n`);

  const nodes = new Table({ head: ['services', 'nodes', 'explain-svc ms', 'x 1 node', 'peak RSS MB', 'RSS growth MB', 'x 1 node'], style });
  for (const n of nodeCases) {
    const one = nodeCases.find((o) => o.size === n.size && o.nodes === 1);
    const t = median(n.result, 'explain')!;
    const t1 = one ? median(one.result, 'explain')! : NaN;
    nodes.push([n.services, n.nodes, num(t), ratio(t / t1), num(n.result.memory.peakRssMB), num(rssGrowthMB(n.result)), one ? ratio(rssGrowthMB(n.result) / rssGrowthMB(one.result)) : '–']);
  }
  if (nodeCases.length > 0) {
    write('Growth vs nodes (iptables; explain-svc of a Local LoadBalancer service, every node read; node dirs hardlink the generated dumps)\n');
    write(`${nodes.toString()}\n\n`);
  }
  write('Targets (issue 11)\n');
  for (const line of targets(cases, nodeCases)) write(`${line}\n`);
}

function verdict(name: string, measured: number | undefined, limit: number, detail: string): string {
  if (measured === undefined || Number.isNaN(measured)) return `  n/a   ${name}: ${detail}`;
  return `  ${measured <= limit ? 'PASS' : 'MISS'}  ${name}: ${ratio(measured)} (target <= ${limit}x; ${detail})`;
}

function targets(cases: readonly CaseResult[], nodeCases: readonly NodeCase[]): string[] {
  const ipt = cases.filter((c) => c.mode === 'iptables').sort((a, b) => a.meta.services - b.meta.services);
  const big = ipt.find((c) => c.meta.services === 10000) ?? ipt.at(-1);
  const small = ipt.find((c) => c.meta.services === 100);
  const lines: string[] = [];
  if (big) {
    const index = median(big.jobs.index, 'index')!;
    for (const r of big.references) {
      const detail = `${num(index)} ms vs ${r.stopped ? 'more than ' : ''}${num(r.time.median)} ms`;
      lines.push(verdict(`parse+index of one ${big.size}-service dump vs ${r.name}`, index / r.time.median, 0.25, detail));
    }
    const split = median(big.jobs.split, 'split')!;
    lines.push(verdict(`parse+index of one ${big.size}-service dump vs bare read-and-split`, index / split, 5, `${num(index)} ms vs ${num(split)} ms`));
  }
  const largest = [...cases].sort((a, b) => dumpBytes(b) - dumpBytes(a))[0];
  if (largest) {
    const growth = rssGrowthMB(indexMemory(largest)) * MB;
    lines.push(
      verdict(`peak memory vs the largest dump (${largest.size}/${largest.mode}, ${num(dumpBytes(largest) / MB)} MB)`, growth / dumpBytes(largest), 4, `RSS growth ${num(growth / MB)} MB over the process's start, one cold run`),
    );
  }
  if (big && small && big !== small) {
    const w = median(big.jobs.walk, 'walkClusterIP')!;
    const w0 = median(small.jobs.walk, 'walkClusterIP')!;
    lines.push(verdict(`one service's walk at ${big.size} vs at 100 services (file reading excluded)`, w / w0, 1.5, `${num(w)} µs vs ${num(w0)} µs`));
  }
  const withNodes = [...new Set(nodeCases.map((n) => n.size))];
  for (const size of withNodes) {
    const one = nodeCases.find((n) => n.size === size && n.nodes === 1);
    for (const n of nodeCases.filter((m) => m.size === size && m.nodes > 1)) {
      const t = median(n.result, 'explain')!;
      const t1 = one ? median(one.result, 'explain') : undefined;
      lines.push(verdict(`explain-svc on ${n.nodes} nodes vs 1 node, ${size} services (2 cores)`, t1 === undefined ? undefined : t / t1, 1.3, `${num(t)} ms vs ${t1 === undefined ? '–' : num(t1)} ms`));
    }
  }
  const m20 = nodeCases.find((n) => n.services === 5000 && n.nodes === 20);
  const m1 = nodeCases.find((n) => n.services === 5000 && n.nodes === 1);
  lines.push(
    m20 && m1
      ? verdict('RSS of 20 nodes x the 5,000-service dump vs one dump (RSS growth over start)', rssGrowthMB(m20.result) / rssGrowthMB(m1.result), 4, `${num(rssGrowthMB(m20.result))} MB vs ${num(rssGrowthMB(m1.result))} MB`)
      : verdict('RSS of 20 nodes x the 5,000-service dump vs one dump', undefined, 4, 'runs with --sizes 5000'),
  );
  return lines;
}
