/**
 * The reference tools on node-0's files, each in the bench's network namespace: `iptables-restore
 * --test` (legacy and nft backends) on iptables-save.txt, `nft -c -f` on nft's text form. Wall time
 * per run (the child process's whole life, as netpath's own figure is its whole read+parse) and
 * the tool's peak RSS from GNU time.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import type { BenchMode, Bundle } from './generate/bundle.ts';
import { NFT_TEXT } from './generate/bundle.ts';
import type { Netns } from './generate/netns.ts';
import { summarize } from './sample.ts';
import type { Summary } from './sample.ts';

export interface ReferenceResult {
  name: string;
  time: Summary;
  peakRssMB: number;
}

const REFERENCES: Record<BenchMode, { name: string; argv: (node0: string, home: string) => string[] }[]> = {
  iptables: [
    { name: 'iptables-legacy-restore --test', argv: (d) => ['iptables-legacy-restore', '--test', join(d, 'iptables-save.txt')] },
    { name: 'iptables-nft-restore --test', argv: (d) => ['iptables-nft-restore', '--test', join(d, 'iptables-save.txt')] },
  ],
  nftables: [{ name: 'nft -c -f (text form)', argv: (_d, home) => ['nft', '-c', '-f', join(home, NFT_TEXT)] }],
  ipvs: [],
};

export async function measureReferences(ns: Netns, bundle: Bundle, mode: BenchMode, runs: number): Promise<ReferenceResult[]> {
  const node0 = join(bundle.dir, 'nodes', bundle.meta.nodes[0]!.name);
  const home = join(bundle.dir, '..');
  const results: ReferenceResult[] = [];
  for (const ref of REFERENCES[mode]) {
    const ms: number[] = [];
    let rssKB = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = await execa('ip', ['netns', 'exec', ns.name, '/usr/bin/time', '-f', 'maxrss=%M', ...ref.argv(node0, home)], { reject: false });
      ms.push(performance.now() - t0);
      const rss = /maxrss=(\d+)/.exec(r.stderr);
      if (r.exitCode !== 0 || !rss) throw new Error(`${ref.name} failed (${r.exitCode}): ${r.stderr.slice(-500)}`);
      rssKB = Math.max(rssKB, Number(rss[1]));
    }
    results.push({ name: ref.name, time: summarize(ms, 'ms'), peakRssMB: rssKB / 1024 });
  }
  return results;
}
