import { LIVE_LOCATION } from '../bundle-layout.ts';
import { randomBytes, randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Exec, V1Pod, V1Status } from '@kubernetes/client-node';
import { ExitCode, NetpathError } from '../../errors.ts';
import type { NodeDump } from '../source.ts';
import type { Clients } from '../live/clients.ts';
import { MAX_TIMER_MS, interrupted, sleep, withDeadline } from '../live/deadline.ts';
import { formatDuration } from '../live/request-timeout.ts';
import { MAX_OUTPUT_BYTES, MAX_SERIAL_EXECS, collectNodeDump, nodeTools } from './dump-commands.ts';
import type { CollectLog, CommandResult, CommandRunner, NodeTarget, Tool, Toolbox } from './dump-commands.ts';
import { EveryNodeError } from './node-reader.ts';
import type { NodeReader } from './node-reader.ts';
import { CONTAINER_NAME, DEADLINE_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, NODE_ANNOTATION, RUN_ID_LABEL } from './debug-pod-identity.ts';

export const HOST_ROOT = '/host';

/** kubectl's generated-name alphabet (k8s.io/apimachinery utilrand): no vowels, no confusable digits. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const randomSuffix = () => Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/** `netpath-<node>-<random5>`, a valid DNS label (63 chars at most, dots of FQDN node names become dashes). */
export function debugPodName(node: string, suffix: string = randomSuffix()): string {
  const room = 63 - 'netpath-'.length - 1 - suffix.length;
  const part = node.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, room).replace(/-+$/, '');
  return `netpath-${part || 'node'}-${suffix}`;
}

/** A fresh run id: 10 hex characters, a valid label value. */
export const newRunId = () => randomBytes(5).toString('hex');

/**
 * How long one node read may take from before its pod is created until it is done: waiting for
 * Running, then at most MAX_SERIAL_EXECS commands plus one per health-check port, each bounded by
 * the exec timeout. Past it netpath has given up on the pod, the kubelet ends it (its
 * activeDeadlineSeconds) and `cleanup` may delete it.
 */
export function nodeReadBudgetMs(podRunningTimeoutMs: number, execTimeoutMs: number, healthCheckPorts: number): number {
  return Math.min(podRunningTimeoutMs + execTimeoutMs * (MAX_SERIAL_EXECS + healthCheckPorts), MAX_TIMER_MS);
}

export interface DebugPodSpec {
  name: string;
  namespace: string;
  node: string;
  image: string;
  runId: string;
  /** The node read's budget (nodeReadBudgetMs): the pod's activeDeadlineSeconds. */
  budgetMs: number;
  /** When the run stops using the pod: creation time + budget. */
  deadline: Date;
}

/**
 * The pod `kubectl debug node/NODE --profile=sysadmin` creates, made non-interactive: pinned to the
 * node, in its network and PID namespaces, privileged, host root read-only at /host, tolerating
 * every taint, never restarted, self-terminating, and without API credentials of its own.
 */
export function buildDebugPod(spec: DebugPodSpec): V1Pod {
  const activeDeadlineSeconds = Math.ceil(spec.budgetMs / 1000);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [RUN_ID_LABEL]: spec.runId },
      annotations: { [NODE_ANNOTATION]: spec.node, [DEADLINE_ANNOTATION]: spec.deadline.toISOString() },
    },
    spec: {
      nodeName: spec.node,
      hostNetwork: true,
      hostPID: true,
      restartPolicy: 'Never',
      activeDeadlineSeconds,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: CONTAINER_NAME,
          image: spec.image,
          imagePullPolicy: 'IfNotPresent',
          // Idles until exec'd into; activeDeadlineSeconds ends it first if netpath never deletes it.
          command: ['sleep', String(activeDeadlineSeconds + 60)],
          securityContext: { privileged: true, runAsUser: 0 },
          // netpath only reads the node: the node's binaries run from a read-only root.
          volumeMounts: [{ name: 'host-root', mountPath: HOST_ROOT, readOnly: true }],
        },
      ],
      volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
    },
  };
}

export interface DebugPodOptions {
  namespace: string;
  image: string;
  /** How long a pod may take to reach Running (kubectl's --pod-running-timeout). */
  podRunningTimeoutMs: number;
  /** Limit for each exec. */
  execTimeoutMs: number;
  /** Poll interval while waiting for Running. */
  pollMs?: number;
}

/**
 * Reads nodes through one short-lived debug pod per node; every pod it names is deleted again.
 * After abort() it creates nothing more; close() returns only once no create is in flight and
 * every pod it may have created is gone.
 */
export class DebugPodReader implements NodeReader {
  private readonly clients: Clients;
  private readonly opts: DebugPodOptions;
  readonly runId: string;
  /** Names handed to create (even before the API answered), so close() can delete them. */
  private readonly pending = new Set<string>();
  /** Creates the API has not answered yet, by pod name. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Set by abort(): no create starts after it. */
  private closed = false;
  /** A create timed out: the pod may appear after a delete found nothing, so close() lists the run's pods. */
  private uncertain = false;
  private created = 0;
  private execs = 0;

  constructor(clients: Clients, opts: DebugPodOptions, runId: string = newRunId()) {
    this.clients = clients;
    this.opts = opts;
    this.runId = runId;
  }

  async readNode(target: NodeTarget, log: CollectLog): Promise<NodeDump> {
    if (this.closed) throw interrupted(`debug pod on node ${target.node}`);
    const budgetMs = nodeReadBudgetMs(this.opts.podRunningTimeoutMs, this.opts.execTimeoutMs, target.healthCheckPorts.length);
    const name = debugPodName(target.node);
    this.pending.add(name);
    let failed = true;
    try {
      const read = async () => {
        await this.create(name, target.node, budgetMs);
        log(`${target.node}: created pod ${this.opts.namespace}/${name}`);
        await this.waitRunning(name, target.node);
        log(`${target.node}: pod ${name} running`);
        const pod = podExecRunner(this.clients, this.opts.namespace, name, target.node, this.opts.execTimeoutMs);
        const runner = { run: (argv: readonly string[]) => (this.execs++, pod.run(argv)) };
        const tools = await probeTools(runner);
        return collectNodeDump(runner, tools, target, LIVE_LOCATION, log);
      };
      const dump = await withDeadline(budgetMs, read(), () =>
        new NetpathError(ExitCode.TIMEOUT, `timeout: reading node ${target.node} took longer than ${formatDuration(budgetMs)} (--pod-running-timeout + ${MAX_SERIAL_EXECS + target.healthCheckPorts.length} × --exec-timeout)`),
      );
      failed = false;
      return dump;
    } finally {
      try {
        await this.remove(name);
        log(`${target.node}: deleted pod ${name}`);
      } catch (e) {
        // The first failure is the one to report; the pod stays in `pending` for close() to retry.
        if (!failed) throw e;
        log(`${target.node}: could not delete pod ${name}: ${(e as Error).message}`);
      }
    }
  }

  usage(): { debugPods: number; execs: number } {
    return { debugPods: this.created, execs: this.execs };
  }

  abort(): Promise<void> {
    this.closed = true;
    return this.close();
  }

  async close(): Promise<void> {
    // Deleting can race a create still in flight: wait for the creates, delete, and go again
    // until nothing is pending (reads still running may add more; abort() stops new ones).
    while (this.inFlight.size > 0 || this.pending.size > 0) {
      await Promise.allSettled([...this.inFlight.values()]);
      const results = await Promise.allSettled([...this.pending].map((name) => this.remove(name)));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    if (this.uncertain) await this.sweepRun();
  }

  /** Deletes any pod of this run still listed (a timed-out create that landed after its delete). */
  private async sweepRun(): Promise<void> {
    const namespace = this.opts.namespace;
    const labelSelector = `${RUN_ID_LABEL}=${this.runId}`;
    const pods = await this.clients
      .call({ verb: 'list', resource: 'pods', namespace }, () => this.clients.core.listNamespacedPod({ namespace, labelSelector }))
      .catch((e: NetpathError) => {
        if (e.exitCode === ExitCode.FORBIDDEN) return null; // without list rights, the deadline and `cleanup` remain
        throw e;
      });
    for (const pod of pods?.items ?? []) if (pod.metadata?.name) this.pending.add(pod.metadata.name);
    this.uncertain = false;
    if (this.pending.size > 0) await this.close();
  }

  private async create(name: string, node: string, budgetMs: number): Promise<void> {
    // Checked again here: close() may have run while this node waited for its turn.
    if (this.closed) {
      this.pending.delete(name);
      throw interrupted(`debug pod on node ${node}`);
    }
    const namespace = this.opts.namespace;
    const body = buildDebugPod({ name, namespace, node, image: this.opts.image, runId: this.runId, budgetMs, deadline: new Date(Date.now() + budgetMs) });
    const call = this.clients.call({ verb: 'create', resource: 'pods', namespace, name }, () =>
      this.clients.core.createNamespacedPod({ namespace, body }),
    );
    this.inFlight.set(name, call);
    try {
      await call;
      this.created++;
    } catch (e) {
      const err = e as NetpathError;
      // The API answered no: nothing was created. (A timeout leaves it unknown: keep it to delete.)
      if (REFUSALS.has(err.exitCode)) this.pending.delete(name);
      else this.uncertain = true;
      // Admission, RBAC and a missing namespace refuse every node alike.
      throw new EveryNodeError(err.exitCode ?? ExitCode.NODE_ACCESS, err.message);
    } finally {
      this.inFlight.delete(name);
    }
  }

  private async remove(name: string): Promise<void> {
    // A delete sent before the create's answer would find nothing, and the create would then land.
    await this.inFlight.get(name)?.catch(() => {});
    if (!this.pending.has(name)) return;
    const namespace = this.opts.namespace;
    try {
      await this.clients.call({ verb: 'delete', resource: 'pods', namespace, name }, () =>
        this.clients.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }),
      );
      this.pending.delete(name);
    } catch (e) {
      // Gone already (never created, or deleted by a concurrent close()): nothing left behind.
      if ((e as NetpathError).exitCode === ExitCode.NOT_FOUND) this.pending.delete(name);
      else throw e;
    }
  }

  /** Polls until Running; the whole wait (polls included) ends at --pod-running-timeout, or at close(). */
  private async waitRunning(name: string, node: string): Promise<void> {
    const namespace = this.opts.namespace;
    const limit = this.opts.podRunningTimeoutMs;
    let last = 'Pending';
    let done = false;
    const poll = async () => {
      for (; !done; await sleep(this.opts.pollMs ?? 500)) {
        if (this.closed) throw interrupted(`waiting for debug pod ${name}`);
        const pod = await this.clients.call({ verb: 'get', resource: 'pods', namespace, name }, () =>
          this.clients.core.readNamespacedPod({ name, namespace }),
        );
        const verdict = podProgress(pod, node, this.opts.image);
        if (verdict.state === 'running') return;
        if (verdict.state === 'failed') throw verdict.error;
        last = verdict.detail;
      }
    };
    try {
      await withDeadline(limit, poll(), () =>
        new NetpathError(
          ExitCode.TIMEOUT,
          `timeout: debug pod ${namespace}/${name} on node ${node} not running after ${formatDuration(limit)} (${last}); is the node's kubelet up? (--pod-running-timeout)`,
        ),
      );
    } finally {
      done = true;
    }
  }
}

const REFUSALS = new Set<number>([ExitCode.FORBIDDEN, ExitCode.NOT_FOUND, ExitCode.NODE_ACCESS, ExitCode.BAD_INPUT]);
const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const START_FAILURES = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export type PodProgress =
  | { state: 'running' }
  | { state: 'waiting'; detail: string }
  | { state: 'failed'; error: NetpathError };

/** What a debug pod's status says: running, still coming, or never going to run (and why, in one line). */
export function podProgress(pod: V1Pod, node: string, image: string): PodProgress {
  const name = pod.metadata?.name ?? '';
  const status = pod.status ?? {};
  const phase = status.phase ?? 'Pending';
  const fail = (msg: string) => ({ state: 'failed' as const, error: new NetpathError(ExitCode.NODE_ACCESS, msg) });
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return fail(`debug pod ${name} cannot be placed on node ${node}: ${scheduled.reason ?? 'Unschedulable'}: ${scheduled.message ?? ''}`.trim());
  }
  for (const cs of status.containerStatuses ?? []) {
    const waiting = cs.state?.waiting;
    if (waiting?.reason && PULL_FAILURES.has(waiting.reason)) {
      return fail(`node ${node} cannot pull the debug image ${image} (${waiting.reason}: ${waiting.message ?? ''}); pass --image with an image the node can pull`);
    }
    if (waiting?.reason && START_FAILURES.has(waiting.reason)) {
      return fail(`debug pod ${name} on node ${node} cannot start its container (${waiting.reason}: ${waiting.message ?? ''})`);
    }
  }
  if (phase === 'Running') return { state: 'running' };
  if (phase === 'Failed' || phase === 'Succeeded') {
    return fail(`debug pod ${name} on node ${node} ended (${phase}${status.reason ? `, ${status.reason}` : ''}${status.message ? `: ${status.message}` : ''})`);
  }
  const waiting = status.containerStatuses?.[0]?.state?.waiting?.reason;
  return { state: 'waiting', detail: `phase ${phase}${waiting ? `, ${waiting}` : ''}` };
}

/** Exit code from the exec status channel: Success is 0, NonZeroExitCode carries the code in causes. */
export function exitCodeOf(status: V1Status): number | null {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    return Number.isInteger(code) ? code : null;
  }
  return null;
}

/** Keeps what a stream wrote, up to `limit` bytes; past it, drops the rest and calls `overflow` once. */
class Collect extends Writable {
  readonly chunks: Buffer[] = [];
  private bytes = 0;
  private readonly limit: number;
  private readonly overflow: () => void;
  constructor(limit: number, overflow: () => void) {
    super();
    this.limit = limit;
    this.overflow = overflow;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    if (this.bytes <= this.limit) {
      this.bytes += chunk.length;
      if (this.bytes > this.limit) this.overflow();
      else this.chunks.push(Buffer.from(chunk));
    }
    cb();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Runs argv in the debug container. Completion is judged on the status channel (a V1Status), not
 * on the socket closing: a socket that closes without one is an error, not an empty success.
 */
export function podExecRunner(
  clients: Pick<Clients, 'exec' | 'config'>,
  namespace: string,
  pod: string,
  node: string,
  timeoutMs: number,
  exec: Exec = clients.exec,
  maxOutputBytes: number = MAX_OUTPUT_BYTES,
): CommandRunner {
  return {
    run(argv: readonly string[]): Promise<CommandResult> {
      let status: V1Status | null = null;
      return new Promise<CommandResult>((resolve, reject) => {
        let settled = false;
        let socket: { close(): void } | null = null;
        const settle = (fn: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          fn();
        };
        const tooMuch = () =>
          settle(() => {
            socket?.close();
            reject(new NetpathError(ExitCode.NODE_ACCESS, `node ${node}: ${argv.join(' ')} printed more than ${maxOutputBytes} bytes; stopped reading it`));
          });
        const stdout = new Collect(maxOutputBytes, tooMuch);
        const stderr = new Collect(maxOutputBytes, tooMuch);
        const timer = setTimeout(() => {
          settle(() => {
            socket?.close();
            reject(new NetpathError(ExitCode.TIMEOUT, `timeout: ${argv.join(' ')} on node ${node} took longer than ${formatDuration(timeoutMs)}`));
          });
        }, timeoutMs);
        exec
          .exec(namespace, pod, CONTAINER_NAME, [...argv], stdout, stderr, null, false, (s) => {
            status = s;
          })
          .then((ws) => {
            socket = ws;
            if (settled) ws.close();
            ws.on('close', () => {
              settle(() => {
                if (!status) {
                  reject(new NetpathError(ExitCode.NODE_ACCESS, `node ${node}: exec ${argv[0]} ended without a status (connection lost)`));
                  return;
                }
                const exitCode = exitCodeOf(status);
                if (exitCode === null) {
                  const why = (status.message ?? status.reason ?? 'unknown error').replace(/(Post|GET|POST) "[^"]*"/g, '$1 to the kubelet');
                  reject(new NetpathError(ExitCode.NODE_ACCESS, `node ${node}: exec in debug pod ${pod} failed (${argv[0]}): ${why}`));
                  return;
                }
                resolve({ exitCode, stdout: stdout.text(), stderr: stderr.text() });
              });
            });
          })
          .catch((e: unknown) => settle(() => reject(execError(e, clients.config, namespace, pod, node))));
      });
    },
  };
}

function execError(e: unknown, config: Clients['config'], namespace: string, pod: string, node: string): NetpathError {
  const message = (e as { message?: string })?.message ?? String(e);
  const code = /Unexpected server response: (\d+)/.exec(message)?.[1];
  if (code === '403' || code === '401') {
    return new NetpathError(ExitCode.FORBIDDEN, `forbidden: cannot create pods/exec in namespace ${namespace} (user ${config.userName}); apply deploy/rbac.yaml`);
  }
  return new NetpathError(ExitCode.NODE_ACCESS, `node ${node}: cannot exec in debug pod ${pod}: ${message.split('\n')[0]}`);
}

/**
 * One exec that says, for each tool, whether the node has it (used through `chroot /host`, by the
 * path the node's shell found) or only the image does. The path matters: a busybox `chroot` that
 * prefers its own applets would run its `ip` or `cat` for a bare name, not the node's. The script
 * is a constant; tool names arrive as positional arguments.
 */
export const PROBE_SCRIPT =
  'for t in "$@"; do ' +
  `if p=$(chroot ${HOST_ROOT} /bin/sh -c 'command -v "$1"' sh "$t" 2>/dev/null) && [ -n "$p" ]; then echo "host $t $p"; ` +
  'elif command -v "$t" >/dev/null 2>&1; then echo "image $t"; fi; done';

export async function probeTools(runner: CommandRunner): Promise<Toolbox> {
  const res = await runner.run(['sh', '-c', PROBE_SCRIPT, 'probe', ...nodeTools()]);
  return toolboxFromProbe(res.stdout);
}

export function toolboxFromProbe(output: string): Toolbox {
  const tools = nodeTools();
  const toolbox = Object.fromEntries(tools.map((t) => [t, null])) as Record<Tool, readonly string[] | null>;
  for (const line of output.split('\n')) {
    const [where, tool, path] = line.trim().split(' ');
    if (!tool || !tools.includes(tool)) continue;
    // A path with a space, or a shell builtin (no path), falls back to the name.
    const hostPath = path?.startsWith('/') && line.trim().split(' ').length === 3 ? path : tool;
    toolbox[tool] = where === 'host' ? ['chroot', HOST_ROOT, hostPath] : [tool];
  }
  return toolbox;
}
