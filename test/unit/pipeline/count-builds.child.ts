// Run by built-once.test.ts in a child Node with --experimental-test-module-mocks: wraps
// resolveProxyConfig and serviceView in counters for every importer, runs one pipeline question
// (argv: explain NS NAME | trace TARGET FROM [NODE]) on a bundle, and prints the counts as JSON.
import { mock } from 'node:test';

const realConfig = await import('../../../src/analyzers/kube-proxy/proxy-config.ts');
const realView = await import('../../../src/analyzers/kube-proxy/service-view.ts');
let configs = 0;
const views = new Map<string, number>();
mock.module(new URL('../../../src/analyzers/kube-proxy/proxy-config.ts', import.meta.url).href, {
  namedExports: {
    ...realConfig,
    resolveProxyConfig: (...args: Parameters<typeof realConfig.resolveProxyConfig>) => {
      configs++;
      return realConfig.resolveProxyConfig(...args);
    },
  },
});
mock.module(new URL('../../../src/analyzers/kube-proxy/service-view.ts', import.meta.url).href, {
  namedExports: {
    ...realView,
    serviceView: (...args: Parameters<typeof realView.serviceView>) => {
      const key = `${args[0].metadata?.namespace}/${args[0].metadata?.name}`;
      views.set(key, (views.get(key) ?? 0) + 1);
      return realView.serviceView(...args);
    },
  },
});

const { SnapshotSource } = await import('../../../src/cluster/nodes/snapshot.ts');
const { explainFrom } = await import('../../../src/pipeline/explain-svc.ts');
const { traceFrom } = await import('../../../src/pipeline/trace.ts');
const { parseSource, parseTarget } = await import('../../../src/commands/target-syntax.ts');

const [bundle, what, a = '', b = '', node] = process.argv.slice(2);
const source = await SnapshotSource.open(bundle ?? '');
try {
  if (what === 'explain') await explainFrom(source, a, b, true, { compareModes: true });
  else await traceFrom(source, 'default', { target: parseTarget(a), source: parseSource(b), protocol: null, port: null, node: node ?? null });
} finally {
  await source.close();
}
process.stdout.write(JSON.stringify({ configs, views: Object.fromEntries(views) }));
