import type { Command } from 'commander';
import { usageError } from '../../errors.ts';
import { DEFAULT_DEBUG_IMAGE } from '../nodes/debug-pod-identity.ts';
import { parseLocalNetns } from '../nodes/local-netns.ts';
import { parseRequestTimeout } from './request-timeout.ts';

/** The flags as commander hands them over (optsWithGlobals of a command with addNodeAccessOptions). */
export interface NodeAccessFlags {
  image?: string;
  debugNamespace?: string;
  concurrency?: string;
  podRunningTimeout?: string;
  execTimeout?: string;
  localNetns?: string[];
}

/** How nodes are read, validated. */
export interface NodeAccessOptions {
  image: string;
  /** null: the namespace of -n / the context, as kubectl debug does. */
  debugNamespace: string | null;
  concurrency: number;
  podRunningTimeoutMs: number;
  execTimeoutMs: number;
  /** Set by --local-netns: read these nodes on this host instead of through debug pods. */
  localNetns: Map<string, string | null> | null;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Flags of every command that reads nodes live (explain-svc, trace, capture). */
export function addNodeAccessOptions(cmd: Command): Command {
  return cmd
    .option('--image <ref>', 'debug pod image (needs iptables, nft, ipvsadm, ipset, curl when the node lacks them)', DEFAULT_DEBUG_IMAGE)
    .option('--debug-namespace <ns>', "namespace for debug pods (default: the -n / context namespace, as kubectl debug)")
    .option('--concurrency <n>', 'nodes read at the same time', '4')
    .option('--pod-running-timeout <duration>', 'how long a debug pod may take to start', '1m')
    .option('--exec-timeout <duration>', 'limit for each command run on a node', '1m')
    .option(
      '--local-netns <node=netns,...>',
      "read these nodes on this host instead of through debug pods: in network namespace NETNS ('ip netns exec'), or '-' for this host's own; repeatable",
      collect,
    );
}

export function nodeAccessOf(flags: NodeAccessFlags): NodeAccessOptions {
  const concurrency = Number(flags.concurrency ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw usageError(`--concurrency ${JSON.stringify(flags.concurrency)}: expected a positive integer`);
  }
  const duration = (flag: string, raw: string) => {
    const ms = parseRequestTimeout(raw, flag);
    if (ms === 0) throw usageError(`${flag} ${JSON.stringify(raw)}: must be longer than 0`);
    return ms;
  };
  return {
    image: flags.image ?? DEFAULT_DEBUG_IMAGE,
    debugNamespace: flags.debugNamespace ?? null,
    concurrency,
    podRunningTimeoutMs: duration('--pod-running-timeout', flags.podRunningTimeout ?? '1m'),
    execTimeoutMs: duration('--exec-timeout', flags.execTimeout ?? '1m'),
    localNetns: flags.localNetns?.length ? parseLocalNetns(flags.localNetns) : null,
  };
}
