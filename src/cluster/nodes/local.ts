import { LIVE_LOCATION } from '../bundle-layout.ts';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ExitCode, NetpathError } from '../../errors.ts';
import type { NodeDump } from '../source.ts';
import { MAX_OUTPUT_BYTES, collectNodeDump, nodeTools } from './dump-commands.ts';
import type { CollectLog, CommandResult, CommandRunner, NodeTarget, Toolbox } from './dump-commands.ts';
import type { NodeReader } from './node-reader.ts';

/** The argv prefix that enters the namespace, empty for this host's. */
const netnsPrefix = (netns: string | null): string[] => (netns ? ['ip', 'netns', 'exec', netns] : []);

/** Runs argv lists through execa (never a shell), with a per-command timeout. */
export function localRunner(netns: string | null, timeoutMs: number, maxOutputBytes: number = MAX_OUTPUT_BYTES): CommandRunner {
  const where = netns ? `network namespace ${netns}` : 'this host';
  return {
    async run(argv: readonly string[]): Promise<CommandResult> {
      const [file, ...args] = argv;
      if (!file) throw new Error('empty argv');
      // Loaded on first use: every command definition imports this module for parseLocalNetns.
      const { execa } = await import('execa');
      const res = await execa(file, args, { reject: false, timeout: timeoutMs || undefined, stripFinalNewline: false, maxBuffer: maxOutputBytes });
      if (res.isMaxBuffer) {
        throw new NetpathError(ExitCode.NODE_ACCESS, `${argv.join(' ')} in ${where} printed more than ${maxOutputBytes} bytes; stopped reading it`);
      }
      if (res.timedOut) {
        throw new NetpathError(ExitCode.TIMEOUT, `timeout: ${argv.join(' ')} in ${where} took longer than ${timeoutMs} ms`);
      }
      if (res.failed && res.exitCode === undefined) {
        throw new NetpathError(ExitCode.NODE_ACCESS, `cannot run ${file} in ${where}: ${res.shortMessage}`);
      }
      return { exitCode: res.exitCode ?? null, stdout: String(res.stdout), stderr: String(res.stderr) };
    },
  };
}

/** Looks each tool up on PATH plus the sbin directories (root's tools live there). */
export function localToolbox(netns: string | null, path = process.env.PATH ?? ''): Toolbox {
  const dirs = [...path.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter((d) => d !== '');
  const find = (name: string): string | null => {
    for (const dir of dirs) {
      const p = join(dir, name);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not in this directory
      }
    }
    return null;
  };
  const prefix = netnsPrefix(netns);
  const toolbox: Record<string, readonly string[] | null> = {};
  for (const tool of nodeTools()) {
    const found = find(tool);
    toolbox[tool] = found ? [...prefix, found] : null;
  }
  return toolbox;
}

/** Reads nodes on this machine, each in the network namespace --local-netns maps it to. */
export class LocalNodeReader implements NodeReader {
  private readonly netns: Map<string, string | null>;
  private readonly timeoutMs: number;

  constructor(netns: Map<string, string | null>, timeoutMs: number) {
    this.netns = netns;
    this.timeoutMs = timeoutMs;
  }

  async readNode(target: NodeTarget, log: CollectLog): Promise<NodeDump> {
    if (!this.netns.has(target.node)) {
      throw new NetpathError(ExitCode.NODE_ACCESS, `node ${target.node}: no --local-netns entry for it`);
    }
    const ns = this.netns.get(target.node) ?? null;
    return collectNodeDump(localRunner(ns, this.timeoutMs), localToolbox(ns), target, LIVE_LOCATION, log);
  }

  async close(): Promise<void> {}

  /** Nothing to delete; the worker loop stops taking nodes. */
  async abort(): Promise<void> {}
}
