import type { V1Service } from '@kubernetes/client-node';
import type { ClusterState } from '../model/cluster.ts';
import { EndpointIndex } from './endpoint-index.ts';
import { resolveProxyConfig, serviceView } from './kube-proxy/index.ts';
import type { ProxyConfigView, ServiceView } from './kube-proxy/index.ts';

/**
 * What one run knows about the cluster, built once and passed down: kube-proxy's configuration,
 * each Service's view under it (built on first use), and where every endpoint lives.
 */
export interface RunFacts {
  state: ClusterState;
  config: ProxyConfigView;
  index: EndpointIndex;
  view(service: V1Service): ServiceView;
}

/** The builders RunFacts calls; a test passes counting ones to prove each runs once per run. */
export interface FactBuilders {
  resolveProxyConfig: typeof resolveProxyConfig;
  serviceView: typeof serviceView;
}

export const FACT_BUILDERS: FactBuilders = { resolveProxyConfig, serviceView };

export function runFacts(state: ClusterState, build: FactBuilders = FACT_BUILDERS): RunFacts {
  const config = build.resolveProxyConfig(state.kubeProxyConfig, state.nodes);
  const views = new WeakMap<V1Service, ServiceView>();
  return {
    state,
    config,
    index: new EndpointIndex(state),
    view(service) {
      let v = views.get(service);
      if (!v) views.set(service, (v = build.serviceView(service, config.gates)));
      return v;
    },
  };
}
