import { openSync, closeSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Cluster } from './cluster.ts';
import { waitUntil } from './wait.ts';

/** A process in the cluster's state file (`pid PID STARTTIME LABEL`), which scripts/cluster/down stops. */
export interface RecordedProcess {
  pid: number;
  /** /proc/PID/stat field 22, which tells a recycled PID from ours. */
  startTime: string;
  label: string;
}

const stateFile = (c: Cluster) => path.join(c.layout.dir, 'state');

export async function recordedProcesses(c: Cluster): Promise<RecordedProcess[]> {
  const text = await readFile(stateFile(c), 'utf8');
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f[0] === 'pid' && f.length >= 4)
    .map((f) => ({ pid: Number(f[1]), startTime: f[2] ?? '', label: f.slice(3).join(' ') }));
}

async function statFields(pid: number): Promise<string[] | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat ? stat.slice(stat.lastIndexOf(') ') + 2).split(' ') : null;
}

/** Still the same process and not a zombie (as scripts/cluster/lib.sh's pid_live). */
export async function alive(p: RecordedProcess): Promise<boolean> {
  const rest = await statFields(p.pid);
  return rest !== null && rest[0] !== 'Z' && rest[19] === p.startTime;
}

/** The one live process recorded under `label`. */
export async function recordedProcess(c: Cluster, label: string): Promise<RecordedProcess> {
  const found = (await recordedProcesses(c)).filter((p) => p.label === label);
  const live = [];
  for (const p of found) if (await alive(p)) live.push(p);
  if (live.length !== 1) throw new Error(`${label}: ${live.length} live recorded processes (of ${found.length} recorded)`);
  return live[0]!;
}

/**
 * Starts argv detached inside a network namespace, logging to logs/LABEL.log, and records it in
 * the state file before returning (as scripts/cluster/lib.sh's start_bg), so that down stops it
 * even if the test dies. `ip netns exec` execs argv: the PID is the command's.
 */
export async function startRecorded(c: Cluster, label: string, netns: string, argv: string[]): Promise<RecordedProcess> {
  const log = openSync(path.join(c.layout.dir, 'logs', `${label}.log`), 'a');
  let pid: number | undefined;
  try {
    const child = spawn('ip', ['netns', 'exec', netns, ...argv], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(log);
  }
  if (pid === undefined) throw new Error(`${label}: could not start ${argv.join(' ')}`);
  const startTime = await waitUntil(`${label} (pid ${pid}) to appear`, async () => (await statFields(pid))?.[19], 2_000, 20);
  await appendFile(stateFile(c), `pid ${pid} ${startTime} ${label}\n`);
  return { pid, startTime, label };
}

/** SIGTERM to a recorded process, then waits until it is gone. */
export async function stopRecorded(p: RecordedProcess): Promise<void> {
  process.kill(p.pid, 'SIGTERM');
  await waitUntil(`${p.label} (pid ${p.pid}) to exit`, async () => ((await alive(p)) ? undefined : true), 15_000);
}
