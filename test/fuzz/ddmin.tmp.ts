import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
let lines = readFileSync(process.argv[2]!, 'utf8').split('\n');
const bad = (ls: string[]) => {
  writeFileSync('/tmp/dd.txt', ls.join('\n'));
  const r = spawnSync(process.execPath, ['--max-old-space-size=150', 'test/fuzz/dbg2.tmp.ts', '/tmp/dd.txt'], { encoding: 'utf8', timeout: 15000 });
  return /heap/i.test(r.stderr) || r.signal !== null;
};
let n = 2;
while (lines.length >= 2) {
  const size = Math.ceil(lines.length / n);
  let reduced = false;
  for (let i = 0; i < lines.length; i += size) {
    const cand = [...lines.slice(0, i), ...lines.slice(i + size)];
    if (bad(cand)) { lines = cand; n = Math.max(n - 1, 2); reduced = true; break; }
  }
  if (!reduced) { if (n >= lines.length) break; n = Math.min(lines.length, n * 2); }
}
writeFileSync('/tmp/dd-min.txt', lines.join('\n'));
console.log(lines.length);
