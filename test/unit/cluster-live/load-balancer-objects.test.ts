import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { apiError } from '../../../src/cluster/live/api-errors.ts';
import type { Clients } from '../../../src/cluster/live/clients.ts';
import { readLoadBalancerObjects } from '../../../src/cluster/live/load-balancer-objects.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';

type Answer = { items: unknown[] } | number;

/**
 * An API that answers each list from `answers` (a number is an HTTP error status, thrown as
 * client-node throws it) and records the requests, behind the real error mapping of Clients.call.
 */
function fakeClients(answers: Record<string, Answer>) {
  const calls: string[] = [];
  const answer = async (key: string, args: Record<string, unknown>) => {
    calls.push(`${key} ${JSON.stringify(args)}`);
    const a = answers[key] ?? { items: [] };
    if (typeof a === 'number') throw new ApiException(a, 'err', { message: `status ${a}` }, {});
    return a;
  };
  const networking = {
    listNamespacedIngress: (args: Record<string, unknown>) => answer('ingresses', args),
    listIngressForAllNamespaces: (args: Record<string, unknown>) => answer('ingresses', args),
    listIngressClass: (args: Record<string, unknown>) => answer('ingressclasses', args),
  };
  const custom = {
    listNamespacedCustomObject: (args: Record<string, unknown>) => answer(String(args.plural), args),
    listClusterCustomObject: (args: Record<string, unknown>) => answer(String(args.plural), args),
  };
  const clients = {
    networking,
    custom,
    call: async (req: Parameters<Clients['call']>[0], fn: () => Promise<unknown>) => {
      try {
        return await fn();
      } catch (e) {
        throw apiError(e, { ...req, server: 'https://api', user: 'jane' });
      }
    },
  } as unknown as Clients;
  return { clients, calls };
}

const tgb = (name: string, service: string) => ({
  apiVersion: 'elbv2.k8s.aws/v1beta1',
  kind: 'TargetGroupBinding',
  metadata: { name, namespace: 'shop' },
  spec: { serviceRef: { name: service, port: 80 }, targetType: 'ip', targetGroupARN: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/k8s-shop/0123' },
});

test('one service: its namespace\'s ingresses and bindings (only those naming it), MetalLB statuses by its labels in any namespace', async () => {
  const { clients, calls } = fakeClients({ targetgroupbindings: { items: [tgb('web-tgb', 'web'), tgb('api-tgb', 'api')] } });
  const got = await readLoadBalancerObjects(clients, { namespace: 'shop', name: 'web' }, () => {});
  assert.deepEqual(got.targetGroupBindings?.map((b) => b.metadata?.name), ['web-tgb']);
  assert.deepEqual(got.ingresses, []);
  assert.deepEqual(got.serviceL2Statuses, []);
  const byKind = Object.fromEntries(calls.map((c) => [c.split(' ')[0], JSON.parse(c.slice(c.indexOf(' ') + 1))]));
  assert.equal(byKind.ingresses.namespace, 'shop');
  assert.equal(byKind.targetgroupbindings.namespace, 'shop');
  assert.equal(byKind.targetgroupbindings.group, 'elbv2.k8s.aws');
  assert.equal(byKind.targetgroupbindings.version, 'v1beta1');
  // MetalLB writes the statuses into its own namespace, labelled with the service (not in the service's namespace).
  for (const plural of ['servicel2statuses', 'servicebgpstatuses']) {
    assert.equal(byKind[plural].namespace, undefined);
    assert.equal(byKind[plural].group, 'metallb.io');
    assert.equal(byKind[plural].labelSelector, 'metallb.io/service-name=web,metallb.io/service-namespace=shop');
  }
});

test('all services: every binding, no selectors', async () => {
  const { clients, calls } = fakeClients({ targetgroupbindings: { items: [tgb('web-tgb', 'web'), tgb('api-tgb', 'api')] } });
  const got = await readLoadBalancerObjects(clients, 'all', () => {});
  assert.equal(got.targetGroupBindings?.length, 2);
  for (const c of calls) assert.doesNotMatch(c, /labelSelector|namespace/);
});

test('absent CRD (404) and missing grant (403) leave that field null and say which; the others are read', async () => {
  const lines: string[] = [];
  const { clients } = fakeClients({ targetgroupbindings: 404, servicel2statuses: 403, ingresses: { items: [{ metadata: { name: 'shop', namespace: 'shop' } }] } });
  const got = await readLoadBalancerObjects(clients, { namespace: 'shop', name: 'web' }, (m) => lines.push(m));
  assert.equal(got.targetGroupBindings, null);
  assert.equal(got.serviceL2Statuses, null);
  assert.deepEqual(got.serviceBGPStatuses, []);
  assert.equal(got.ingresses?.length, 1);
  assert.equal(lines.length, 2);
  assert.match(lines.find((l) => l.startsWith('targetgroupbindings')) ?? '', /^targetgroupbindings\.elbv2\.k8s\.aws not read: not served by this cluster/);
  assert.match(lines.find((l) => l.startsWith('servicel2statuses')) ?? '', /^servicel2statuses\.metallb\.io not read: forbidden: cannot list servicel2statuses\.metallb\.io at cluster scope \(user jane\)/);
});

test('any other failure is an API error, as for the required reads', async () => {
  const { clients } = fakeClients({ ingressclasses: 401 });
  await assert.rejects(readLoadBalancerObjects(clients, 'all', () => {}), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.FORBIDDEN && /unauthorized/.test(e.message));
});
