import { LIVE_LOCATION } from '../bundle-layout.ts';
import { randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Exec, V1Pod, V1Status } from '@kubernetes/client-node';
import { ExitCode, NetpathError } from '../../errors.ts';
import type { NodeDump } from '../source.ts';
import type { Clients } from '../live/clients.ts';
import { formatDuration } from '../live/request-timeout.ts';
import { TOOLS, collectNodeDump } from './dump-commands.ts';
import type { CollectLog, CommandResult, CommandRunner, NodeTarget, Tool, Toolbox } from './dump-commands.ts';
import { EveryNodeError } from './node-reader.ts';
import type { NodeReader } from './node-reader.ts';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'kubectl-netpath';
/** Label selector of every pod netpath creates; `cleanup` deletes what it matches. */
export const MANAGED_BY_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
export const NODE_ANNOTATION = 'kubectl-netpath/node';

/**
 * nicolaka/netshoot v0.13 (Alpine; iptables with xtables-nft and -legacy, nftables, ipvsadm,
 * ipset, curl), pinned by the digest that several public repositories pin for that tag. The
 * node's own binaries are preferred through `chroot /host`; the image is the fallback.
 */
export const DEFAULT_DEBUG_IMAGE =
  'docker.io/nicolaka/netshoot:v0.13@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b';

/** The kubelet kills the pod after this even if netpath dies without deleting it. */
export const ACTIVE_DEADLINE_SECONDS = 300;
export const CONTAINER_NAME = 'netpath';
const HOST_ROOT = '/host';

/** kubectl's generated-name alphabet (k8s.io/apimachinery utilrand): no vowels, no confusable digits. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const randomSuffix = () => Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/** `netpath-<node>-<random5>`, a valid DNS label (63 chars at most, dots of FQDN node names become dashes). */
export function debugPodName(node: string, suffix: string = randomSuffix()): string {
  const room = 63 - 'netpath-'.length - 1 - suffix.length;
  const part = node.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, room).replace(/-+$/, '');
  return `netpath-${part || 'node'}-${suffix}`;
}

export interface DebugPodSpec {
  name: string;
  namespace: string;
  node: string;
  image: string;
}

/**
 * The pod `kubectl debug node/NODE --profile=sysadmin` creates, made non-interactive: pinned to the
 * node, in its network and PID namespaces, privileged, host root at /host, tolerating every taint,
 * never restarted, self-terminating, and without API credentials of its own.
 */
export function buildDebugPod(spec: DebugPodSpec): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: { [NODE_ANNOTATION]: spec.node },
    },
    spec: {
      nodeName: spec.node,
      hostNetwork: true,
      hostPID: true,
      restartPolicy: 'Never',
      activeDeadlineSeconds: ACTIVE_DEADLINE_SECONDS,
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
          command: ['sleep', String(ACTIVE_DEADLINE_SECONDS + 60)],
          securityContext: { privileged: true, runAsUser: 0 },
          volumeMounts: [{ name: 'host-root', mountPath: HOST_ROOT }],
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

/** Reads nodes through one short-lived debug pod per node; every pod it names is deleted again. */
export class DebugPodReader implements NodeReader {
  private readonly clients: Clients;
  private readonly opts: DebugPodOptions;
  /** Names handed to create (even before the API answered), so close() can delete them. */
  private readonly pending = new Set<string>();

  constructor(clients: Clients, opts: DebugPodOptions) {
    this.clients = clients;
    this.opts = opts;
  }

  async readNode(target: NodeTarget, log: CollectLog): Promise<NodeDump> {
    const name = debugPodName(target.node);
    this.pending.add(name);
    let failed = true;
    try {
      await this.create(name, target.node);
      log(`${target.node}: created pod ${this.opts.namespace}/${name}`);
      await this.waitRunning(name, target.node);
      log(`${target.node}: pod ${name} running`);
      const runner = podExecRunner(this.clients, this.opts.namespace, name, target.node, this.opts.execTimeoutMs);
      const tools = await probeTools(runner);
      const dump = await collectNodeDump(runner, tools, target, LIVE_LOCATION, log);
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

  async close(): Promise<void> {
    await Promise.all([...this.pending].map((name) => this.remove(name)));
  }

  private async create(name: string, node: string): Promise<void> {
    const namespace = this.opts.namespace;
    const body = buildDebugPod({ name, namespace, node, image: this.opts.image });
    try {
      await this.clients.call({ verb: 'create', resource: 'pods', namespace, name }, () =>
        this.clients.core.createNamespacedPod({ namespace, body }),
      );
    } catch (e) {
      const err = e as NetpathError;
      // The API answered no: nothing was created. (A timeout leaves it unknown: keep it to delete.)
      if (REFUSALS.has(err.exitCode)) this.pending.delete(name);
      // Admission, RBAC and a missing namespace refuse every node alike.
      throw new EveryNodeError(err.exitCode ?? ExitCode.NODE_ACCESS, err.message);
    }
  }

  private async remove(name: string): Promise<void> {
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

  private async waitRunning(name: string, node: string): Promise<void> {
    const namespace = this.opts.namespace;
    const deadline = Date.now() + this.opts.podRunningTimeoutMs;
    let last = 'Pending';
    for (;;) {
      const pod = await this.clients.call({ verb: 'get', resource: 'pods', namespace, name }, () =>
        this.clients.core.readNamespacedPod({ name, namespace }),
      );
      const verdict = podProgress(pod, node, this.opts.image);
      if (verdict.state === 'running') return;
      if (verdict.state === 'failed') throw verdict.error;
      last = verdict.detail;
      if (Date.now() >= deadline) {
        throw new NetpathError(
          ExitCode.TIMEOUT,
          `timeout: debug pod ${namespace}/${name} on node ${node} not running after ${formatDuration(this.opts.podRunningTimeoutMs)} (${last}); is the node's kubelet up? (--pod-running-timeout)`,
        );
      }
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 500));
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

class Collect extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(Buffer.from(chunk));
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
): CommandRunner {
  return {
    run(argv: readonly string[]): Promise<CommandResult> {
      const stdout = new Collect();
      const stderr = new Collect();
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
 * One exec that says, for each tool, whether the node has it (used through `chroot /host`) or
 * only the image does. The script is a constant; tool names arrive as positional arguments.
 */
export const PROBE_SCRIPT =
  'for t in "$@"; do ' +
  `if chroot ${HOST_ROOT} /bin/sh -c 'command -v "$1"' sh "$t" >/dev/null 2>&1; then echo "host $t"; ` +
  'elif command -v "$t" >/dev/null 2>&1; then echo "image $t"; fi; done';

export async function probeTools(runner: CommandRunner): Promise<Toolbox> {
  const res = await runner.run(['sh', '-c', PROBE_SCRIPT, 'probe', ...TOOLS]);
  return toolboxFromProbe(res.stdout);
}

export function toolboxFromProbe(output: string): Toolbox {
  const toolbox = Object.fromEntries(TOOLS.map((t) => [t, null])) as Record<Tool, readonly string[] | null>;
  for (const line of output.split('\n')) {
    const [where, tool] = line.trim().split(' ');
    if (!tool || !(TOOLS as readonly string[]).includes(tool)) continue;
    toolbox[tool as Tool] = where === 'host' ? ['chroot', HOST_ROOT, tool] : [tool];
  }
  return toolbox;
}
