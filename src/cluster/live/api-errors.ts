import { ApiException } from '@kubernetes/client-node';
import { ExitCode, NetpathError } from '../../errors.ts';
import { formatDuration } from './request-timeout.ts';

/** The request that failed, in kubectl's words, so the message can say what was refused. */
export interface ApiRequest {
  verb: 'get' | 'list' | 'create' | 'delete' | 'watch';
  /** Plural resource, with the group for non-core ones: `endpointslices.discovery.k8s.io`. */
  resource: string;
  namespace?: string;
  name?: string;
  server: string;
  /** Kubeconfig user name, used when the API server's message does not name the user. */
  user: string;
  /** The request timeout in force (ms, 0 = none), to name it when it fired. */
  timeoutMs?: number;
}

/** The metav1.Status an API server sends with an error, as far as messages need it. */
interface StatusBody {
  message?: string;
  reason?: string;
  details?: { name?: string; kind?: string };
}

const RBAC_HINT = 'apply deploy/rbac.yaml';
const PSA_LABEL = 'pod-security.kubernetes.io/enforce=privileged';

function statusOf(err: ApiException<unknown>): StatusBody {
  const body = err.body;
  if (typeof body === 'object' && body !== null) return body as StatusBody;
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null) return parsed as StatusBody;
    } catch {
      return { message: body.trim().split('\n')[0] };
    }
  }
  return {};
}

const where = (r: ApiRequest) => (r.namespace ? `in namespace ${r.namespace}` : 'at cluster scope');
const target = (r: ApiRequest) => (r.name ? `${r.resource} ${r.name}` : r.resource);

/** `User "jane" cannot ...` in a Forbidden message names the identity the server saw. */
function userOf(message: string | undefined, fallback: string): string {
  const m = /User "([^"]*)"/.exec(message ?? '');
  return m?.[1] ?? fallback;
}

/**
 * Turns whatever a client-node call threw into one line a user can act on, with the exit code
 * runbooks branch on. Unknown errors keep their first line and map to INTERNAL.
 */
export function apiError(err: unknown, req: ApiRequest): NetpathError {
  if (err instanceof NetpathError) return err;
  if (err instanceof ApiException) return fromStatus(err.code, statusOf(err), req);
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    const limit = req.timeoutMs ? ` after ${formatDuration(req.timeoutMs)} (--request-timeout)` : '';
    return new NetpathError(ExitCode.TIMEOUT, `timeout: ${req.verb} ${target(req)} on ${req.server} did not answer${limit}`);
  }
  const code = e?.cause?.code ?? e?.code;
  if (code && NETWORK_CODES[code]) {
    return new NetpathError(ExitCode.API_UNREACHABLE, `cannot reach the API server ${req.server}: ${NETWORK_CODES[code]} (${code})`);
  }
  if (code && /CERT|SELF_SIGNED|TLS|SSL|ERR_OSSL/.test(code)) {
    const detail = (e?.cause?.message ?? e?.message ?? code).split('\n')[0];
    return new NetpathError(ExitCode.API_UNREACHABLE, `cannot reach the API server ${req.server}: TLS: ${detail}`);
  }
  if (code === 'ENOENT' || code === 'EACCES') {
    // A certificate or token file named by the kubeconfig could not be read.
    return new NetpathError(ExitCode.BAD_INPUT, `kubeconfig: ${(e?.message ?? code).split('\n')[0]}`);
  }
  if (e?.message === 'fetch failed') {
    const detail = e.cause?.message ?? 'connection failed';
    return new NetpathError(ExitCode.API_UNREACHABLE, `cannot reach the API server ${req.server}: ${detail.split('\n')[0]}`);
  }
  return new NetpathError(ExitCode.INTERNAL, `${req.verb} ${target(req)}: ${(e?.message ?? String(err)).split('\n')[0]}`);
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
};

export function fromStatus(code: number, status: StatusBody, req: ApiRequest): NetpathError {
  const message = (status.message ?? '').split('\n')[0] ?? '';
  if (code === 401) {
    return new NetpathError(
      ExitCode.FORBIDDEN,
      `unauthorized: ${req.server} did not accept the credentials of kubeconfig user ${req.user} (401); refresh the token or certificate`,
    );
  }
  if (code === 403 && /violates PodSecurity/.test(message)) return podSecurity(message, req);
  if (code === 403) {
    const user = userOf(message, req.user);
    return new NetpathError(
      ExitCode.FORBIDDEN,
      `forbidden: cannot ${req.verb} ${req.resource} ${where(req)} (user ${user}); ${RBAC_HINT}`,
    );
  }
  if (code === 404) {
    // The namespace itself can be what is missing (create in a namespace that does not exist).
    if (status.details?.kind === 'namespaces') {
      return new NetpathError(ExitCode.NOT_FOUND, `namespace ${status.details.name ?? req.namespace} not found`);
    }
    const ns = req.namespace ? `${req.namespace}/` : '';
    const kind = req.resource.split('.')[0]?.replace(/s$/, '') ?? req.resource;
    return new NetpathError(ExitCode.NOT_FOUND, `${kind} ${ns}${req.name ?? ''} not found`);
  }
  if (code === 422) {
    return new NetpathError(
      req.verb === 'create' && req.resource === 'pods' ? ExitCode.NODE_ACCESS : ExitCode.BAD_INPUT,
      `invalid: the API server refused to ${req.verb} ${target(req)} ${where(req)}: ${message}`,
    );
  }
  if (code === 429) {
    // Reads reach this only after their retries (READ_RETRY): the server is overloaded, not broken.
    return new NetpathError(ExitCode.API_UNREACHABLE, `API server ${req.server} is throttling: ${req.verb} ${target(req)} answered 429 Too Many Requests${message ? ` (${message})` : ''}`);
  }
  if (code === 504 || code === 408) {
    return new NetpathError(ExitCode.TIMEOUT, `timeout: ${req.verb} ${target(req)} on ${req.server}: ${message || code}`);
  }
  if (code >= 500) {
    return new NetpathError(ExitCode.API_UNREACHABLE, `API server ${req.server} failed to ${req.verb} ${target(req)} (${code}): ${message}`);
  }
  return new NetpathError(ExitCode.INTERNAL, `${req.verb} ${target(req)} ${where(req)}: ${code} ${message}`.trim());
}

/**
 * Pod Security Admission answers 403 with `violates PodSecurity "baseline:latest": ...`. The debug
 * pod needs the privileged level, so name the label that allows it and the flag that moves it.
 */
function podSecurity(message: string, req: ApiRequest): NetpathError {
  const level = /violates PodSecurity "([^"]+)"/.exec(message)?.[1] ?? 'restricted';
  const why = message.replace(/^.*violates PodSecurity "[^"]+":\s*/, '');
  return new NetpathError(
    ExitCode.NODE_ACCESS,
    `pod security admission rejected the debug pod in namespace ${req.namespace} (enforce ${level}: ${why}); ` +
      `label that namespace ${PSA_LABEL} or pass --debug-namespace NS for a namespace that has it`,
  );
}
