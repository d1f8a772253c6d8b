import {
  CoreV1Api,
  DiscoveryV1Api,
  Exec,
  ServerConfiguration,
  createConfiguration,
} from '@kubernetes/client-node';
import type { Middleware, RequestContext, ResponseContext } from '@kubernetes/client-node';
import type { LoadedConfig } from './kubeconfig.ts';
import { apiError } from './api-errors.ts';
import type { ApiRequest } from './api-errors.ts';

const USER_AGENT = 'kubectl-netpath';

/** The API clients a live read needs, all honouring --request-timeout, and a way to name failures. */
export interface Clients {
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
  exec: Exec;
  config: LoadedConfig;
  timeoutMs: number;
  /** Runs one API call and turns its failure into the one-line NetpathError for `req`. */
  call<T>(req: Omit<ApiRequest, 'server' | 'user' | 'timeoutMs'>, fn: () => Promise<T>): Promise<T>;
}

/**
 * Like KubeConfig.makeApiClient, plus a middleware that aborts each request after the timeout
 * (kubectl's --request-timeout applies to every request; 0 means none).
 */
export function makeClients(config: LoadedConfig, timeoutMs: number): Clients {
  const timeout: Middleware = {
    pre: async (ctx: RequestContext) => {
      ctx.setHeaderParam('User-Agent', USER_AGENT);
      if (timeoutMs > 0) ctx.setSignal(AbortSignal.timeout(timeoutMs));
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
    exec: new Exec(config.kc),
    config,
    timeoutMs,
    async call(req, fn) {
      try {
        return await fn();
      } catch (e) {
        throw apiError(e, { ...req, server: config.server, user: config.userName, timeoutMs });
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
