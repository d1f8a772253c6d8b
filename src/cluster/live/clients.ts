import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  Exec,
  NetworkingV1Api,
  ServerConfiguration,
  createConfiguration,
} from '@kubernetes/client-node';
import type { Middleware, RequestContext, ResponseContext } from '@kubernetes/client-node';
import type { LoadedConfig } from './kubeconfig.ts';
import { apiError } from './api-errors.ts';
import type { ApiRequest } from './api-errors.ts';
import { requestBoundMs } from './deadline.ts';
import { formatDuration } from './request-timeout.ts';
import { retryRead } from './retry-policy.ts';

const USER_AGENT = 'kubectl-netpath';

/** The API clients a live read needs, all honouring --request-timeout, and a way to name failures. */
export interface Clients {
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
  networking: NetworkingV1Api;
  /** Custom resources (TargetGroupBindings, MetalLB statuses) read as plain objects. */
  custom: CustomObjectsApi;
  exec: Exec;
  config: LoadedConfig;
  /** --request-timeout as given (0 = kubectl's "none"; each request is still bounded, see requestBoundMs). */
  timeoutMs: number;
  /** HTTP requests sent to the API server so far (list pages, retries and polls each count; exec streams do not). */
  readonly requests: number;
  /** Runs one API call (reads retried on 429, 5xx and resets) and turns its failure into the one-line NetpathError for `req`. */
  call<T>(req: Omit<ApiRequest, 'server' | 'user' | 'timeoutMs'>, fn: () => Promise<T>): Promise<T>;
}

/**
 * Like KubeConfig.makeApiClient, plus a middleware that aborts each request after the timeout
 * (kubectl's --request-timeout applies to every request; for 0, netpath's own bound applies).
 * `log` is told about retries.
 */
export function makeClients(config: LoadedConfig, timeoutMs: number, log: (message: string) => void = () => {}): Clients {
  const boundMs = requestBoundMs(timeoutMs);
  let requests = 0;
  const timeout: Middleware = {
    pre: async (ctx: RequestContext) => {
      requests++;
      ctx.setHeaderParam('User-Agent', USER_AGENT);
      ctx.setSignal(AbortSignal.timeout(boundMs));
      return ctx;
    },
    post: async (res: ResponseContext) => res,
  };
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(config.server, {}),
    authMethods: { default: config.kc },
    promiseMiddleware: [timeout],
  });
  return {
    core: new CoreV1Api(configuration),
    discovery: new DiscoveryV1Api(configuration),
    networking: new NetworkingV1Api(configuration),
    custom: new CustomObjectsApi(configuration),
    exec: new Exec(config.kc),
    config,
    timeoutMs,
    get requests() {
      return requests;
    },
    async call(req, fn) {
      const full = { ...req, server: config.server, user: config.userName, timeoutMs: boundMs };
      const isRead = req.verb === 'get' || req.verb === 'list';
      try {
        return await (isRead
          ? retryRead(fn, {
              onRetry: (attempt, waitMs, e) =>
                log(`${req.verb} ${req.name ? `${req.resource} ${req.name}` : req.resource}: ${apiError(e, full).message}; retry ${attempt} in ${formatDuration(Math.round(waitMs))}`),
            })
          : fn());
      } catch (e) {
        throw apiError(e, full);
      }
    },
  };
}

/** Pages through a list call with limit/continue, as kubectl does for large lists. */
export async function listAll<T>(
  page: (cont: string | undefined) => Promise<{ items: T[]; metadata?: { _continue?: string } }>,
): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const res = await page(cont);
    items.push(...res.items);
    cont = res.metadata?._continue || undefined;
  } while (cont);
  return items;
}

/** Page size for list calls; kubectl uses 500 (--chunk-size). */
export const PAGE_SIZE = 500;
