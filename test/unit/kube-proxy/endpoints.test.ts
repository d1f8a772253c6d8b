import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import {
  DEFAULT_FEATURE_GATES,
  endpointEvidence,
  endpointRef,
  endpointsForPort,
  serviceView,
} from '../../../src/analyzers/kube-proxy/index.ts';
import { node, pod, slice, state, svc } from './builders.ts';

const service = svc('web', 'api', {
  clusterIP: '10.96.0.10',
  ports: [
    { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
    { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 },
  ],
});
const v = serviceView(service, DEFAULT_FEATURE_GATES);
const http = v.ports[0]!;
const dns = v.ports[1]!;
const run = (slices: V1EndpointSlice[], pods = [pod('web', 'api-x', '10.1.0.9', 'n1')]) =>
  (port = http) => endpointsForPort(state({ services: [service], slices, nodes: [node('n1', '192.168.0.2')], pods }), service, port);

describe('endpoints of a service port', () => {
  it('matches slice ports by name and protocol and takes the slice port number', () => {
    const s = slice('web', 'api', 'api-1', [{ name: 'http', port: 8080 }, { name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'http', port: 9999, protocol: 'UDP' }], [{ ip: '10.1.0.5' }]);
    assert.deepEqual(run([s])().map((e) => e.key), ['10.1.0.5:8080']);
    assert.deepEqual(run([s])(dns).map((e) => e.key), ['10.1.0.5:5353']);
  });

  it('sorts by the IP:port string, as kube-proxy does (10.1.0.10 before 10.1.0.2)', () => {
    // Byte order of the strings: "10.1.0.10:8080" < "10.1.0.1:8080" because '0' (0x30) < ':' (0x3A),
    // and both < "10.1.0.2:8080" because '1' < '2' at the 8th character.
    const s = slice('web', 'api', 'api-1', [{ name: 'http', port: 8080 }], [{ ip: '10.1.0.2' }, { ip: '10.1.0.10' }, { ip: '10.1.0.1' }]);
    assert.deepEqual(run([s])().map((e) => e.key), ['10.1.0.10:8080', '10.1.0.1:8080', '10.1.0.2:8080']);
  });

  it('uses addresses[0] only and ignores slices of other services, FQDN and headless slices', () => {
    const other = slice('web', 'other', 'other-1', [{ name: 'http', port: 8080 }], [{ ip: '10.1.0.77' }]);
    const fqdn = { ...slice('web', 'api', 'api-fqdn', [{ name: 'http', port: 8080 }], [{ ip: 'db.example.com' }]), addressType: 'FQDN' };
    const headless = slice('web', 'api', 'api-h', [{ name: 'http', port: 8080 }], [{ ip: '10.1.0.88' }]);
    headless.metadata!.labels!['service.kubernetes.io/headless'] = '';
    const s = slice('web', 'api', 'api-1', [{ name: 'http', port: 8080 }], [{ ip: '10.1.0.5', extraAddresses: ['10.1.0.6'] }]);
    assert.deepEqual(run([other, fqdn, headless, s])().map((e) => e.ip), ['10.1.0.5']);
  });

  it('applies nil defaults: ready and serving true, terminating false', () => {
    const s = slice('web', 'api', 'api-1', [{ name: 'http', port: 8080 }], [
      { ip: '10.1.0.1' },
      { ip: '10.1.0.2', ready: false },
      { ip: '10.1.0.3', ready: false, serving: false, terminating: true },
    ]);
    assert.deepEqual(
      run([s])().map((e) => [e.ip, e.ready, e.serving, e.terminating]),
      [
        ['10.1.0.1', true, true, false],
        ['10.1.0.2', false, true, false],
        ['10.1.0.3', false, false, true],
      ],
    );
  });

  it('keeps the non-terminating copy of an endpoint listed in two slices, whatever the slice order', () => {
    const term = (name: string) => slice('web', 'api', name, [{ name: 'http', port: 8080 }], [{ ip: '10.1.0.5', ready: false, terminating: true, node: 'old' }]);
    const live = (name: string) => slice('web', 'api', name, [{ name: 'http', port: 8080 }], [{ ip: '10.1.0.5', node: 'new' }]);
    for (const slices of [[term('a'), live('b')], [live('a'), term('b')]]) {
      const eps = run(slices)();
      assert.deepEqual(eps.map((e) => [e.ip, e.terminating, e.nodeName]), [['10.1.0.5', false, 'new']]);
    }
  });

  it('keeps evidence: slice, node, zone, hints and the pod (targetRef, else by IP)', () => {
    const s = slice('web', 'api', 'api-1', [{ name: 'http', port: 8080 }], [
      { ip: '10.1.0.5', node: 'n1', zone: 'z1', zoneHints: ['z1'], pod: 'api-5' },
      { ip: '10.1.0.9', node: 'n1' },
    ]);
    const [a, b] = run([s])();
    assert.deepEqual(endpointRef(a!), { ip: '10.1.0.5', port: 8080, node: 'n1', pod: 'api-5' });
    assert.deepEqual(endpointRef(b!), { ip: '10.1.0.9', port: 8080, node: 'n1', pod: 'api-x' });
    assert.deepEqual(endpointEvidence(a!), {
      kind: 'endpointslice',
      namespace: 'web',
      name: 'api-1',
      endpoint: '10.1.0.5:8080',
      detail: 'ready; node n1; zone z1; hints forZones z1; pod web/api-5',
    });
  });

  it('keeps one IP family when asked', () => {
    const s = slice('web', 'api', 'api-1', [{ name: 'http', port: 8080 }], [{ ip: '10.1.0.5' }, { ip: 'fd00::5' }]);
    const st = state({ services: [service], slices: [s], nodes: [] });
    assert.deepEqual(endpointsForPort(st, service, http, 6).map((e) => e.key), ['[fd00::5]:8080']);
    assert.deepEqual(endpointsForPort(st, service, http, 4).map((e) => e.key), ['10.1.0.5:8080']);
  });
});
