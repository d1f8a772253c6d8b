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
  /** Stopped at REFERENCE_CAP_MS: the tool takes longer than `time` says. */
  stopped: boolean;
}

/**
 * A reference run is stopped after this long: `nft -c -f` of a 10,000-service table spends
 * about 5 minutes in the kernel's transaction walk (20 at 20,000), which alone would break the
 * bench's 15 minutes. The ratio against it is then an upper bound, printed with "<".
 */
const REFERENCE_CAP_MS = 60_000;

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
    let stopped = false;
    for (let i = 0; i < runs && !stopped; i++) {
      const t0 = performance.now();
      // Its own process group, so that the cap stops the tool under GNU time too, by that group's id.
      const child = execa('ip', ['netns', 'exec', ns.name, '/usr/bin/time', '-f', 'maxrss=%M', ...ref.argv(node0, home)], { reject: false, detached: true });
      const cap = setTimeout(() => {
        stopped = true;
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }, REFERENCE_CAP_MS);
      const r = await child.finally(() => clearTimeout(cap));
      ms.push(stopped ? REFERENCE_CAP_MS : performance.now() - t0);
      if (stopped) break;
      const rss = /maxrss=(\d+)/.exec(r.stderr);
      if (r.exitCode !== 0 || !rss) throw new Error(`${ref.name} failed (${r.exitCode}): ${r.stderr.slice(-500)}`);
      rssKB = Math.max(rssKB, Number(rss[1]));
    }
    results.push({ name: ref.name, time: summarize(ms, 'ms'), peakRssMB: rssKB / 1024, stopped });
  }
  return results;
}
