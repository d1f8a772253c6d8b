import type { ServiceExplanation, TraceReport } from '../model/results.ts';

/**
 * Key order of each object in contract 2: the contract's fields first, in its order, then the
 * additional fields results.ts defines. Keys nobody listed follow in alphabetical order, so
 * the output is the same whatever order an analyzer built its objects in.
 */
interface Shape {
  keys: readonly string[];
  fields?: Readonly<Record<string, Shape>>;
}

const ENDPOINT: Shape = { keys: ['ip', 'port', 'node', 'pod', 'sliceNodeName'] };
const STEP: Shape = { keys: ['node', 'table', 'chain', 'rule', 'line', 'file', 'handle'] };
const OUTCOME: Shape = {
  keys: ['verdict', 'probability', 'endpoint', 'hop', 'sourceIPPreserved', 'steps', 'conditions', 'dynamic', 'reply'],
  fields: { endpoint: ENDPOINT, steps: STEP, reply: { keys: ['returns', 'reason'] } },
};
// One shape for the Evidence union: each kind uses a subset of these keys.
const EVIDENCE: Shape = {
  keys: ['kind', 'node', 'namespace', 'name', 'endpoint', 'file', 'line', 'table', 'chain', 'rule', 'handle', 'port', 'source', 'detail'],
};
const FINDING: Shape = { keys: ['id', 'severity', 'message', 'evidence', 'remediation'], fields: { evidence: EVIDENCE } };

const SERVICE: Shape = {
  keys: [
    'namespace', 'name', 'type', 'clusterIPs', 'ports', 'externalTrafficPolicy', 'internalTrafficPolicy',
    'healthCheckNodePort', 'externalIPs', 'loadBalancerIPs', 'loadBalancerSourceRanges', 'sessionAffinity',
    'trafficDistribution', 'externalName', 'headless',
  ],
  fields: {
    ports: { keys: ['name', 'port', 'protocol', 'targetPort', 'nodePort'] },
    sessionAffinity: { keys: ['type', 'timeoutSeconds'] },
  },
};
const NODE: Shape = {
  keys: ['name', 'proxyMode', 'readyLocalEndpoints', 'healthCheck', 'proxyModeSource'],
  fields: {
    healthCheck: { keys: ['status', 'reason', 'observed'], fields: { observed: { keys: ['status', 'localEndpoints', 'source'] } } },
  },
};
const PATH: Shape = {
  keys: ['entry', 'node', 'address', 'port', 'protocol', 'basis', 'outcomes', 'from'],
  fields: { outcomes: OUTCOME },
};

const LB_EVIDENCE: Shape = { keys: ['kind', 'ref', 'detail'] };
const LOAD_BALANCER: Shape = {
  keys: ['implementation', 'targetType', 'kubeProxyOnPath', 'entry', 'assumed', 'evidence', 'healthCheck', 'nodeShares', 'shares', 'inCluster'],
  fields: {
    evidence: LB_EVIDENCE,
    healthCheck: { keys: ['target', 'port', 'protocol', 'path'] },
    nodeShares: { keys: ['node', 'share'] },
    shares: { keys: ['endpoint', 'share'], fields: { endpoint: ENDPOINT } },
    inCluster: { keys: ['path', 'hairpinRisk', 'reason'] },
  },
};
const INGRESS: Shape = {
  keys: ['namespace', 'name', 'className', 'controller', 'implementation', 'targetType', 'kubeProxyOnPath', 'hops', 'evidence'],
  fields: { evidence: LB_EVIDENCE },
};

const EXPLANATION_SHAPE: Shape = {
  keys: ['apiVersion', 'kind', 'service', 'nodes', 'paths', 'loadBalancerShares', 'imbalanceFactor', 'loadBalancer', 'ingresses', 'findings', 'assumptions'],
  fields: {
    loadBalancer: LOAD_BALANCER,
    ingresses: INGRESS,
    service: SERVICE,
    nodes: NODE,
    paths: PATH,
    loadBalancerShares: { keys: ['endpoint', 'share'], fields: { endpoint: ENDPOINT } },
    findings: FINDING,
    reads: { keys: ['nodesRead', 'nodesModel', 'reasons', 'apiCalls', 'debugPods'] },
  },
};

const TRACE_SHAPE: Shape = {
  keys: ['apiVersion', 'kind', 'packet', 'outcomes', 'basis', 'proxyMode', 'service', 'findings', 'assumptions'],
  fields: {
    packet: { keys: ['src', 'dst', 'port', 'protocol', 'entryNode', 'from'] },
    outcomes: OUTCOME,
    service: { keys: ['namespace', 'name', 'entry'] },
    findings: FINDING,
  },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A fresh copy with keys in shape order (a shape applies to an object or to each element of an
 * array). Undefined fields are left out, as JSON.stringify would, so JSON and YAML agree.
 */
function ordered(value: unknown, shape: Shape | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => ordered(item, shape));
  if (!isPlainObject(value)) return value;
  const known = shape?.keys ?? [];
  const rest = Object.keys(value).filter((k) => !known.includes(k)).sort();
  const out: Record<string, unknown> = {};
  for (const key of [...known, ...rest]) {
    if (value[key] !== undefined) out[key] = ordered(value[key], shape?.fields?.[key]);
  }
  return out;
}

/** The document as contract 2 lays it out, for json.ts and yaml.ts. */
export function contractOrder(doc: ServiceExplanation | TraceReport): unknown {
  return ordered(doc, doc.kind === 'Trace' ? TRACE_SHAPE : EXPLANATION_SHAPE);
}
