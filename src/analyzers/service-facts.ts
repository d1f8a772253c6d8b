import type { NodeReport } from '../model/results.ts';
import type { Family } from '../net/ip.ts';
import { AddressHomes } from './address-homes.ts';
import type { EndpointFact, EndpointPlacement } from './findings/index.ts';
import type { ExplainInput, NodeView } from './inputs.ts';
import { endpointsForPort, predictHealthCheck, sliceEndpointCopies } from './kube-proxy/index.ts';
import type { ServiceView } from './kube-proxy/index.ts';
import type { RunFacts } from './run-facts.ts';

/** Facts about a service shared by explain-svc and trace: node reports and endpoint conditions. */
export function nodeReport(input: ExplainInput, view: NodeView, ctx: RunFacts): NodeReport {
  const prediction = predictHealthCheck(input.state, input.service, view.node, ctx.config.gates, ctx.view(input.service));
  const hcPort = input.service.spec?.healthCheckNodePort;
  const observed = prediction.status !== null && hcPort ? view.healthz.get(hcPort) : undefined;
  const fromConfig = view.mode === null && ctx.config.modeFromConfig;
  return {
    name: view.node,
    proxyMode: view.mode ?? (fromConfig ? ctx.config.mode : null),
    proxyModeSource: view.mode ? view.modeSource : fromConfig ? 'config' : null,
    readyLocalEndpoints: prediction.readyLocalEndpoints,
    healthCheck: {
      status: prediction.status,
      reason: prediction.reason,
      // The source names what answered, not where it was stored, so a live run and a run on its
      // captured bundle say the same.
      ...(observed ? { observed: { status: observed.status, localEndpoints: observed.localEndpoints, source: `kube-proxy on ${view.node}, port ${hcPort}` } } : {}),
    },
  };
}

export function endpointFacts(input: ExplainInput, view: ServiceView, family: Family): EndpointFact[] {
  return view.ports.flatMap((sp) =>
    endpointsForPort(input.state, input.service, sp, family).map((ep) => ({
      ip: ep.ip,
      port: ep.port,
      portName: sp.name,
      node: ep.nodeName,
      pod: ep.pod?.name ?? null,
      slice: ep.slice.name,
      ready: ep.ready,
      serving: ep.serving,
      terminating: ep.terminating,
      zoneHints: ep.zoneHints,
      nodeHints: ep.nodeHints,
    })),
  );
}


/** Each slice's copy of each endpoint address with where the address really lives. */
export function endpointPlacements(input: ExplainInput, family: Family): EndpointPlacement[] {
  const homes = new AddressHomes(input.state);
  return sliceEndpointCopies(input.state, input.service, family).map((c) => ({
    ip: c.ip,
    sliceNode: c.nodeName,
    slice: c.slice.name,
    ready: c.ready,
    terminating: c.terminating,
    home: homes.of(c.ip),
  }));
}
