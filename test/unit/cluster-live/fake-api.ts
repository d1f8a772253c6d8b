import type { V1Pod } from '@kubernetes/client-node';
import type { Clients } from '../../../src/cluster/live/clients.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';

/**
 * A hand-made API for DebugPodReader: pods kept in a map, each call recorded, and hooks that let
 * a test hold a create or a read in flight. Errors are thrown as Clients.call would map them.
 */
export function fakeApi() {
  const pods = new Map<string, V1Pod>();
  const calls: string[] = [];
  const hooks: { beforeCreate?: () => Promise<void>; read?: (name: string) => Promise<V1Pod> } = {};
  const notFound = (name: string) => new NetpathError(ExitCode.NOT_FOUND, `pod ${name} not found`);
  const core = {
    createNamespacedPod: async ({ body }: { body: V1Pod }) => {
      calls.push(`create ${body.metadata?.name}`);
      await hooks.beforeCreate?.();
      pods.set(body.metadata!.name!, body);
      return body;
    },
    readNamespacedPod: async ({ name }: { name: string }) => {
      calls.push(`get ${name}`);
      if (hooks.read) return hooks.read(name);
      const pod = pods.get(name);
      if (!pod) throw notFound(name);
      return { ...pod, status: { phase: 'Pending' } };
    },
    deleteNamespacedPod: async ({ name }: { name: string }) => {
      calls.push(`delete ${name}`);
      if (!pods.delete(name)) throw notFound(name);
      return {};
    },
    readNode: async ({ name }: { name: string }) => ({ metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.1' }] } }),
    listNamespacedPod: async ({ labelSelector }: { labelSelector: string }) => {
      calls.push(`list ${labelSelector}`);
      const [k, v] = labelSelector.split('=');
      return { items: [...pods.values()].filter((p) => p.metadata?.labels?.[k!] === v) };
    },
  };
  const clients = { core, call: (_req: unknown, fn: () => Promise<unknown>) => fn(), config: { userName: 'u' } } as unknown as Clients;
  return { pods, calls, hooks, clients };
}

