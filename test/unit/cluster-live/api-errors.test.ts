import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { apiError } from '../../../src/cluster/live/api-errors.ts';
import type { ApiRequest } from '../../../src/cluster/live/api-errors.ts';
import { ExitCode } from '../../../src/errors.ts';

const server = 'https://127.0.0.1:6443';
const req = (r: Partial<ApiRequest> & Pick<ApiRequest, 'verb' | 'resource'>): ApiRequest => ({ server, user: 'kube-user', ...r });

/** As client-node builds it for a non-2xx answer: the Status body as text. */
const exception = (code: number, status: object | undefined) =>
  new ApiException(code, 'Unknown API Status Code!', status === undefined ? undefined : JSON.stringify(status), {});

const forbidden = (message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'Forbidden', code: 403 });

test('403 names the verb, resource, namespace and the user the API server saw', () => {
  const e = apiError(
    exception(403, forbidden('endpointslices.discovery.k8s.io is forbidden: User "jane" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "shop"')),
    req({ verb: 'list', resource: 'endpointslices.discovery.k8s.io', namespace: 'shop' }),
  );
  assert.equal(e.exitCode, ExitCode.FORBIDDEN);
  assert.equal(e.message, 'forbidden: cannot list endpointslices.discovery.k8s.io in namespace shop (user jane); apply deploy/rbac.yaml');
});

test('403 at cluster scope, and the kubeconfig user when the message names none', () => {
  const e = apiError(exception(403, forbidden('forbidden')), req({ verb: 'list', resource: 'nodes' }));
  assert.equal(e.message, 'forbidden: cannot list nodes at cluster scope (user kube-user); apply deploy/rbac.yaml');
});

test('401 (no body, as client-node raises it) is FORBIDDEN and says the credentials were refused', () => {
  const e = apiError(exception(401, undefined), req({ verb: 'get', resource: 'services', namespace: 'shop', name: 'web' }));
  assert.equal(e.exitCode, ExitCode.FORBIDDEN);
  assert.equal(e.message, `unauthorized: ${server} did not accept the credentials of kubeconfig user kube-user (401); refresh the token or certificate`);
});

test('Pod Security Admission rejection names the label that allows the pod and --debug-namespace', () => {
  // The Status message kube-apiserver v1.36.3 returned for the debug pod in a baseline namespace (test/live).
  const message =
    'pods "netpath-node-a-bcdfg" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "host-root"), privileged (container "netpath" must not set securityContext.privileged=true)';
  const e = apiError(exception(403, forbidden(message)), req({ verb: 'create', resource: 'pods', namespace: 'shop', name: 'netpath-node-a-bcdfg' }));
  assert.equal(e.exitCode, ExitCode.NODE_ACCESS);
  assert.equal(
    e.message,
    'pod security admission rejected the debug pod in namespace shop (enforce baseline:latest: host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "host-root"), privileged (container "netpath" must not set securityContext.privileged=true)); label that namespace pod-security.kubernetes.io/enforce=privileged or pass --debug-namespace NS for a namespace that has it',
  );
});

test('404 of the service names it; 404 of the namespace names the namespace', () => {
  const svc = apiError(
    exception(404, { kind: 'Status', status: 'Failure', message: 'services "web" not found', reason: 'NotFound', details: { name: 'web', kind: 'services' }, code: 404 }),
    req({ verb: 'get', resource: 'services', namespace: 'shop', name: 'web' }),
  );
  assert.equal(svc.exitCode, ExitCode.NOT_FOUND);
  assert.equal(svc.message, 'service shop/web not found');
  const ns = apiError(
    exception(404, { kind: 'Status', status: 'Failure', message: 'namespaces "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'namespaces' }, code: 404 }),
    req({ verb: 'create', resource: 'pods', namespace: 'nope', name: 'x' }),
  );
  assert.equal(ns.message, 'namespace nope not found');
});

test("422 on the debug pod is a node-access failure with the server's reason", () => {
  const e = apiError(
    exception(422, { kind: 'Status', status: 'Failure', message: 'Pod "x" is invalid: spec.containers[0].image: Required value', reason: 'Invalid', code: 422 }),
    req({ verb: 'create', resource: 'pods', namespace: 'dbg', name: 'x' }),
  );
  assert.equal(e.exitCode, ExitCode.NODE_ACCESS);
  assert.equal(e.message, 'invalid: the API server refused to create pods x in namespace dbg: Pod "x" is invalid: spec.containers[0].image: Required value');
});

test('connection refused, DNS and TLS failures are API_UNREACHABLE naming the server', () => {
  const fetchFailed = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });
  const refused = apiError(fetchFailed({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:6443' }), req({ verb: 'list', resource: 'nodes' }));
  assert.equal(refused.exitCode, ExitCode.API_UNREACHABLE);
  assert.equal(refused.message, `cannot reach the API server ${server}: connection refused (ECONNREFUSED)`);
  const dns = apiError(fetchFailed({ code: 'ENOTFOUND' }), req({ verb: 'list', resource: 'nodes' }));
  assert.equal(dns.message, `cannot reach the API server ${server}: host name not found (ENOTFOUND)`);
  const tls = apiError(fetchFailed({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }), req({ verb: 'list', resource: 'nodes' }));
  assert.equal(tls.exitCode, ExitCode.API_UNREACHABLE);
  assert.equal(tls.message, `cannot reach the API server ${server}: TLS: self-signed certificate`);
});

test('the request timeout firing is TIMEOUT and names the flag', () => {
  const e = apiError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), {
    ...req({ verb: 'get', resource: 'services', namespace: 'shop', name: 'web' }),
    timeoutMs: 30_000,
  });
  assert.equal(e.exitCode, ExitCode.TIMEOUT);
  assert.equal(e.message, `timeout: get services web on ${server} did not answer after 30s (--request-timeout)`);
});

test('every message is one line', () => {
  const e = apiError(exception(500, { message: 'etcdserver: request timed out\nmore detail' }), req({ verb: 'list', resource: 'nodes' }));
  assert.equal(e.exitCode, ExitCode.API_UNREACHABLE);
  assert.ok(!e.message.includes('\n'));
});

test('429 (after the read retries gave up) is API_UNREACHABLE naming the throttling, not an internal error', () => {
  const e = apiError(exception(429, { kind: 'Status', message: 'too many requests, please try again later', code: 429 }), req({ verb: 'list', resource: 'pods', namespace: 'shop' }));
  assert.equal(e.exitCode, ExitCode.API_UNREACHABLE);
  assert.equal(e.message, 'API server https://127.0.0.1:6443 is throttling: list pods answered 429 Too Many Requests (too many requests, please try again later)');
});
