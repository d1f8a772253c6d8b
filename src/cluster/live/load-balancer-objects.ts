import { ApiException } from '@kubernetes/client-node';
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import type { ClusterState, KubeObject } from '../../model/cluster.ts';
import { PAGE_SIZE, listAll } from './clients.ts';
import type { Clients } from './clients.ts';

export type LoadBalancerObjects = Pick<
  ClusterState,
  'ingresses' | 'ingressClasses' | 'targetGroupBindings' | 'serviceL2Statuses' | 'serviceBGPStatuses'
>;

/** A custom resource netpath reads: API group, served version, plural (as their CRDs define them). */
interface CustomResource {
  group: string;
  version: string;
  plural: string;
}

/** AWS Load Balancer Controller (config/crd/bases/elbv2.k8s.aws_targetgroupbindings.yaml; v1beta1 is the storage version). */
export const TARGET_GROUP_BINDINGS: CustomResource = { group: 'elbv2.k8s.aws', version: 'v1beta1', plural: 'targetgroupbindings' };
/** MetalLB >= 0.14 (config/crd/bases/metallb.io_servicel2statuses.yaml, _servicebgpstatuses.yaml). */
export const SERVICE_L2_STATUSES: CustomResource = { group: 'metallb.io', version: 'v1beta1', plural: 'servicel2statuses' };
export const SERVICE_BGP_STATUSES: CustomResource = { group: 'metallb.io', version: 'v1beta1', plural: 'servicebgpstatuses' };

/**
 * MetalLB keeps its status objects in its own namespace (metallb-system by default, which can be
 * changed) and labels each with the service it describes (internal/k8s/controllers, LabelServiceName
 * / LabelServiceNamespace), so one list across namespaces by these labels finds a service's.
 */
export const METALLB_SERVICE_NAME_LABEL = 'metallb.io/service-name';
export const METALLB_SERVICE_NAMESPACE_LABEL = 'metallb.io/service-namespace';

/** What the question needs: one service's objects, or everything (capture of the whole cluster). */
export type LoadBalancerScope = { namespace: string; name: string } | 'all';

/**
 * The optional load-balancer objects (issue 9). Each read is optional: an absent CRD or API (404)
 * or a missing grant (403) leaves its field null and says so under --verbose; any other failure
 * is an API error like the required reads'.
 */
export async function readLoadBalancerObjects(clients: Clients, scope: LoadBalancerScope, log: (m: string) => void): Promise<LoadBalancerObjects> {
  const { networking } = clients;
  const optional = async <T>(resource: string, namespace: string | undefined, read: () => Promise<T[]>): Promise<T[] | null> => {
    // The HTTP status itself: 401 (bad credentials) maps to the same exit code as 403 but is no grant question.
    let status: number | undefined;
    const remember = async () => {
      try {
        return await read();
      } catch (e) {
        status = e instanceof ApiException ? e.code : undefined;
        throw e;
      }
    };
    try {
      return await clients.call({ verb: 'list', resource, ...(namespace ? { namespace } : {}) }, remember);
    } catch (e) {
      if (status !== 404 && status !== 403) throw e;
      const why = status === 404 ? 'not served by this cluster (no such API or CRD)' : (e as Error).message;
      log(`${resource} not read: ${why}; the load-balancer model goes without them`);
      return null;
    }
  };
  const custom = (r: CustomResource, namespace: string | undefined, labelSelector?: string) =>
    optional<KubeObject>(`${r.plural}.${r.group}`, namespace, () =>
      listAll<KubeObject>(async (cont) => {
        const page = { group: r.group, version: r.version, plural: r.plural, labelSelector, limit: PAGE_SIZE, _continue: cont };
        return (await (namespace
          ? clients.custom.listNamespacedCustomObject({ ...page, namespace })
          : clients.custom.listClusterCustomObject(page))) as { items: KubeObject[]; metadata?: { _continue?: string } };
      }),
    );

  const ns = scope === 'all' ? undefined : scope.namespace;
  const metallbSelector =
    scope === 'all' ? undefined : `${METALLB_SERVICE_NAME_LABEL}=${scope.name},${METALLB_SERVICE_NAMESPACE_LABEL}=${scope.namespace}`;
  const [ingresses, ingressClasses, bindings, serviceL2Statuses, serviceBGPStatuses] = await Promise.all([
    optional<V1Ingress>('ingresses.networking.k8s.io', ns, () =>
      listAll<V1Ingress>((cont) =>
        ns
          ? networking.listNamespacedIngress({ namespace: ns, limit: PAGE_SIZE, _continue: cont })
          : networking.listIngressForAllNamespaces({ limit: PAGE_SIZE, _continue: cont }),
      ),
    ),
    optional<V1IngressClass>('ingressclasses.networking.k8s.io', undefined, () =>
      listAll<V1IngressClass>((cont) => networking.listIngressClass({ limit: PAGE_SIZE, _continue: cont })),
    ),
    custom(TARGET_GROUP_BINDINGS, ns),
    custom(SERVICE_L2_STATUSES, undefined, metallbSelector),
    custom(SERVICE_BGP_STATUSES, undefined, metallbSelector),
  ]);
  // A binding names its service in spec.serviceRef (no field selector exists for custom resources).
  const targetGroupBindings =
    scope === 'all' || !bindings ? bindings : bindings.filter((b) => (b.spec?.serviceRef as { name?: unknown } | undefined)?.name === scope.name);
  return { ingresses, ingressClasses, targetGroupBindings, serviceL2Statuses, serviceBGPStatuses };
}
