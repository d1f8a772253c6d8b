/**
 * JSON Schemas of the fields netpath reads from each cluster file of a bundle. Only those are
 * constrained (a kubectl dump carries far more); a file of the right name and the wrong shape
 * is refused on read, naming the item, instead of failing deep inside an analyzer.
 */
import { CLUSTER_FILES } from './bundle-layout.ts';

const str = { type: 'string' };
const int = { type: 'integer' };
const port = { type: 'integer', minimum: 0, maximum: 65535 };
const strings = { type: 'array', items: str };
const nullableBool = { type: ['boolean', 'null'] };
const labels = { type: 'object', additionalProperties: str };
const named = (required: string[]) => ({
  type: 'object',
  required,
  properties: { name: str, namespace: str, labels, annotations: labels },
});
const list = (item: object) => ({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: item } } });

const service = {
  type: 'object',
  required: ['metadata', 'spec'],
  properties: {
    metadata: named(['name', 'namespace']),
    spec: {
      type: 'object',
      properties: {
        type: str,
        clusterIP: str,
        clusterIPs: strings,
        externalIPs: strings,
        loadBalancerIP: str,
        loadBalancerSourceRanges: strings,
        externalTrafficPolicy: str,
        internalTrafficPolicy: str,
        healthCheckNodePort: port,
        sessionAffinity: str,
        sessionAffinityConfig: { type: 'object', properties: { clientIP: { type: 'object', properties: { timeoutSeconds: int } } } },
        ipFamilies: strings,
        selector: labels,
        ports: {
          type: 'array',
          items: {
            type: 'object',
            required: ['port'],
            properties: { name: str, protocol: str, port, nodePort: port, targetPort: { type: ['integer', 'string'] } },
          },
        },
      },
    },
    status: {
      type: 'object',
      properties: { loadBalancer: { type: 'object', properties: { ingress: { type: 'array', items: { type: 'object', properties: { ip: str, hostname: str, ipMode: str } } } } } },
    },
  },
};

const endpointSlice = {
  type: 'object',
  required: ['metadata', 'addressType'],
  properties: {
    metadata: named(['name', 'namespace']),
    addressType: str,
    endpoints: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['addresses'],
        properties: {
          addresses: strings,
          conditions: { type: 'object', properties: { ready: nullableBool, serving: nullableBool, terminating: nullableBool } },
          nodeName: str,
          zone: str,
          hostname: str,
          targetRef: { type: 'object', properties: { kind: str, name: str, namespace: str } },
          hints: { type: 'object', properties: { forZones: { type: 'array', items: { type: 'object', properties: { name: str } } } } },
        },
      },
    },
    ports: { type: ['array', 'null'], items: { type: 'object', properties: { name: { type: ['string', 'null'] }, protocol: str, port: { type: ['integer', 'null'], minimum: 0, maximum: 65535 } } } },
  },
};

const node = {
  type: 'object',
  required: ['metadata'],
  properties: {
    metadata: named(['name']),
    spec: {
      type: 'object',
      // taints: which nodes a load balancer leaves out (analyzers/kube-proxy/nodes.ts).
      properties: { podCIDR: str, podCIDRs: strings, taints: { type: 'array', items: { type: 'object', required: ['key'], properties: { key: str, effect: str } } } },
    },
    status: {
      type: 'object',
      properties: {
        addresses: { type: 'array', items: { type: 'object', required: ['type', 'address'], properties: { type: str, address: str } } },
        conditions: { type: 'array', items: { type: 'object', required: ['type', 'status'], properties: { type: str, status: str } } },
      },
    },
  },
};

const pod = {
  type: 'object',
  required: ['metadata'],
  properties: {
    metadata: named(['name', 'namespace']),
    spec: { type: 'object', properties: { nodeName: str, hostNetwork: { type: 'boolean' } } },
    status: { type: 'object', properties: { podIP: str, podIPs: { type: 'array', items: { type: 'object', required: ['ip'], properties: { ip: str } } }, phase: str } },
  },
};

const configMap = {
  type: 'object',
  required: ['data'],
  properties: { kind: str, data: { type: 'object', additionalProperties: str } },
};

// Load-balancer objects (issue 9): only the fields the load-balancer analyzers read.
const backendService = { type: 'object', properties: { name: str, port: { type: 'object', properties: { number: port, name: str } } } };
const ingress = {
  type: 'object',
  required: ['metadata'],
  properties: {
    metadata: named(['name', 'namespace']),
    spec: {
      type: 'object',
      properties: {
        ingressClassName: str,
        defaultBackend: { type: 'object', properties: { service: backendService } },
        rules: {
          type: 'array',
          items: { type: 'object', properties: { host: str, http: { type: 'object', properties: { paths: { type: 'array', items: { type: 'object', properties: { path: str, backend: { type: 'object', properties: { service: backendService } } } } } } } } },
        },
      },
    },
  },
};
const ingressClass = { type: 'object', required: ['metadata'], properties: { metadata: named(['name']), spec: { type: 'object', properties: { controller: str } } } };
const targetGroupBinding = {
  type: 'object',
  required: ['metadata', 'spec'],
  properties: {
    metadata: named(['name', 'namespace']),
    spec: {
      type: 'object',
      properties: { targetType: str, targetGroupARN: str, serviceRef: { type: 'object', required: ['name'], properties: { name: str, port: { type: ['integer', 'string'] } } } },
    },
  },
};
const metallbStatus = {
  type: 'object',
  required: ['metadata'],
  properties: { metadata: named(['name', 'namespace']), status: { type: 'object', properties: { node: str, serviceName: str, serviceNamespace: str } } },
};

export const BUNDLE_SCHEMAS: Record<string, object> = {
  [CLUSTER_FILES.services]: list(service),
  [CLUSTER_FILES.endpointSlices]: list(endpointSlice),
  [CLUSTER_FILES.nodes]: list(node),
  [CLUSTER_FILES.pods]: list(pod),
  [CLUSTER_FILES.kubeProxyConfig]: configMap,
  [CLUSTER_FILES.ingresses]: list(ingress),
  [CLUSTER_FILES.ingressClasses]: list(ingressClass),
  [CLUSTER_FILES.targetGroupBindings]: list(targetGroupBinding),
  [CLUSTER_FILES.serviceL2Statuses]: list(metallbStatus),
  [CLUSTER_FILES.serviceBGPStatuses]: list(metallbStatus),
};
