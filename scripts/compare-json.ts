/**
 * Behaviour check for refactorings: runs explain-svc and trace `-o json` on every bundle in
 * examples/ with the build of a git ref and with this worktree's build, and reports every
 * difference (stdout, stderr and exit code). Exits 1 on a difference.
 *
 *   npx node scripts/compare-json.ts <git-ref>
 *
 * The ref is checked out in a temporary git worktree that shares this one's node_modules (a
 * symlink: no npm ci) and is built with tsc; this worktree is built too. Questions per bundle:
 * explain-svc of every service; trace from a pod (else a node) to its ClusterIP, from a node to it,
 * from outside to each NodePort on the first node and to each load-balancer IP.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface Obj {
  metadata?: { namespace?: string; name?: string };
  spec?: Record<string, unknown> & { nodeName?: string; hostNetwork?: boolean; ports?: { port: number; nodePort?: number }[]; type?: string };
  status?: Record<string, unknown> & { podIP?: string; addresses?: { type: string; address: string }[]; loadBalancer?: { ingress?: { ip?: string }[] } };
}

const here = resolve(import.meta.dirname, '..');
const ref = process.argv[2];
if (!ref) {
  process.stderr.write('usage: npx node scripts/compare-json.ts <git-ref>\n');
  process.exit(2);
}

const items = (file: string): Obj[] => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { items: Obj[] }).items : []);

/** The questions asked of one bundle, as argument lists. */
function questions(bundle: string): string[][] {
  const snap = ['--snapshot', bundle, '-o', 'json'];
  const services = items(join(bundle, 'cluster/services.json'));
  const pods = items(join(bundle, 'cluster/pods.json')).filter((p) => p.status?.podIP && p.spec?.nodeName && !p.spec?.hostNetwork);
  const nodes = items(join(bundle, 'cluster/nodes.json'));
  const node = nodes[0]?.metadata?.name ?? '';
  const nodeIP = nodes[0]?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const out: string[][] = [];
  for (const svc of services) {
    const ref = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
    out.push(['explain-svc', ref, ...snap]);
    const pod = pods[0];
    out.push(['trace', `svc/${ref}`, '--from', pod ? `pod/${pod.metadata?.namespace}/${pod.metadata?.name}` : `node/${node}`, ...snap]);
    out.push(['trace', `svc/${ref}`, '--from', `node/${node}`, ...snap]);
    for (const p of svc.spec?.ports ?? []) {
      if (p.nodePort && nodeIP) out.push(['trace', `${nodeIP}:${p.nodePort}`, '--from', 'external', ...snap]);
      for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
        if (ing.ip) out.push(['trace', `${ing.ip}:${p.port}`, '--from', 'external', '--node', node, ...snap]);
      }
    }
  }
  return out;
}

function build(dir: string): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
}

function run(dir: string, args: string[]): string {
  const r = spawnSync(process.execPath, [join(dir, 'bin/kubectl-netpath'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

const tmp = mkdtempSync(join(tmpdir(), 'netpath-compare-'));
const old = join(tmp, 'ref');
try {
  execFileSync('git', ['worktree', 'add', '--detach', old, ref], { cwd: here, stdio: 'ignore' });
  symlinkSync(join(here, 'node_modules'), join(old, 'node_modules'));
  build(old);
  build(here);
  let asked = 0;
  const differ: string[] = [];
  for (const name of readdirSync(join(here, 'examples')).sort()) {
    const bundle = join(here, 'examples', name);
    if (!existsSync(join(bundle, 'cluster/services.json'))) continue;
    for (const args of questions(bundle)) {
      asked++;
      const before = run(old, args);
      const after = run(here, args);
      const shown = args.join(' ').replace(`${here}/`, '');
      if (before !== after) {
        differ.push(shown);
        process.stdout.write(`DIFFERS: ${shown}\n--- ${ref}\n${before}\n--- this worktree\n${after}\n`);
      } else if (!before.startsWith('exit 0')) {
        process.stdout.write(`same (exit ${before.split('\n')[0]}): ${shown}\n`);
      }
    }
  }
  process.stdout.write(`${asked} questions on ${ref} and this worktree: ${differ.length} differ\n`);
  process.exitCode = differ.length ? 1 : 0;
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', old], { cwd: here, stdio: 'ignore' });
  rmSync(tmp, { recursive: true, force: true });
}
