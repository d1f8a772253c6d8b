import type { CompletionContext } from './complete.ts';

export interface Candidates {
  items: string[];
  /** Cobra's ShellCompDirective (see complete.ts). */
  directive: number;
}
export type CompletionData = (ctx: CompletionContext) => Promise<Candidates>;

/** The API objects completion can offer: what a bundle or the live cluster holds. */
interface Names {
  services: { namespace: string; name: string }[];
  nodes: string[];
  namespaces: string[];
}

type Wanted = 'services' | 'trace-targets' | 'namespaces' | 'nodes' | 'sources' | 'protocols' | 'files' | 'nothing';

const NO_FILES = 4;
const FILES = 0;

function wanted(ctx: CompletionContext): Wanted {
  if (ctx.valueOf) {
    switch (ctx.valueOf.attributeName()) {
      case 'namespace':
      case 'debugNamespace':
        return 'namespaces';
      case 'node':
        return 'nodes';
      case 'from':
        return 'sources';
      case 'protocol':
        return 'protocols';
      case 'snapshot':
      case 'kubeconfig':
      case 'outputDir':
      case 'file':
        return 'files';
      default:
        return 'nothing';
    }
  }
  const name = ctx.command.name();
  // node takes any number of node names; the others one argument.
  if (name === 'node') return 'nodes';
  if (ctx.args.length > 0) return 'nothing';
  if (name === 'explain-svc' || name === 'capture') return 'services';
  if (name === 'trace') return 'trace-targets';
  return 'nothing';
}

/** Namespaces, services or nodes from --snapshot's bundle, else from the cluster of the kubeconfig. */
export const completionCandidates: CompletionData = async (ctx) => {
  const want = wanted(ctx);
  if (want === 'files') return { items: [], directive: FILES };
  if (want === 'nothing') return { items: [], directive: NO_FILES };
  if (want === 'protocols') return { items: ['TCP', 'UDP', 'SCTP'], directive: NO_FILES };
  const names = ctx.flags.snapshot ? await fromBundle(ctx.flags.snapshot) : await fromCluster(ctx.flags, want);
  const ns = ctx.flags.namespace;
  switch (want) {
    case 'services':
      // With -n, names within it (as kubectl completes); else NS/NAME across namespaces.
      return {
        items: ns ? names.services.filter((s) => s.namespace === ns).map((s) => s.name) : names.services.map((s) => `${s.namespace}/${s.name}`),
        directive: NO_FILES,
      };
    case 'trace-targets':
      return { items: names.services.map((s) => `svc/${s.namespace}/${s.name}`), directive: NO_FILES };
    case 'namespaces':
      return { items: names.namespaces, directive: NO_FILES };
    case 'nodes':
      return { items: names.nodes, directive: NO_FILES };
    case 'sources':
      return { items: ['external', ...names.nodes.map((n) => `node/${n}`)], directive: NO_FILES };
  }
};

async function fromBundle(path: string): Promise<Names> {
  const { SnapshotSource } = await import('../cluster/nodes/snapshot.ts');
  const source = await SnapshotSource.open(path);
  try {
    const state = await source.readState();
    const services = state.services.map((s) => ({ namespace: s.metadata?.namespace ?? '', name: s.metadata?.name ?? '' }));
    return {
      services,
      nodes: state.nodes.map((n) => n.metadata?.name ?? '').filter(Boolean),
      namespaces: [...new Set(services.map((s) => s.namespace))].sort(),
    };
  } finally {
    await source.close();
  }
}

/** Completion must answer fast: a request not answered in 5 s (or --request-timeout) gives nothing. */
async function fromCluster(flags: Record<string, string>, want: Wanted): Promise<Names> {
  const [{ loadKubeConfig }, { makeClients, listAll, PAGE_SIZE }, { parseRequestTimeout }] = await Promise.all([
    import('../cluster/live/kubeconfig.ts'),
    import('../cluster/live/clients.ts'),
    import('../cluster/live/request-timeout.ts'),
  ]);
  const timeout = parseRequestTimeout(flags.requestTimeout ?? '0') || 5000;
  const clients = makeClients(loadKubeConfig(flags), timeout);
  const { core } = clients;
  const names: Names = { services: [], nodes: [], namespaces: [] };
  const named = (items: { metadata?: { name?: string; namespace?: string } }[]) =>
    items.map((i) => ({ namespace: i.metadata?.namespace ?? '', name: i.metadata?.name ?? '' }));
  if (want === 'services' || want === 'trace-targets') {
    const ns = flags.namespace;
    names.services = named(
      await listAll((cont) =>
        ns ? core.listNamespacedService({ namespace: ns, limit: PAGE_SIZE, _continue: cont }) : core.listServiceForAllNamespaces({ limit: PAGE_SIZE, _continue: cont }),
      ),
    );
  }
  if (want === 'nodes' || want === 'sources') names.nodes = named(await listAll((cont) => core.listNode({ limit: PAGE_SIZE, _continue: cont }))).map((n) => n.name);
  if (want === 'namespaces') names.namespaces = named(await listAll((cont) => core.listNamespace({ limit: PAGE_SIZE, _continue: cont }))).map((n) => n.name);
  return names;
}
