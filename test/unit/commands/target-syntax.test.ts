import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePort, parseProtocol, parseServiceRef, parseSource, parseTarget } from '../../../src/commands/target-syntax.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';

const usage = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.USAGE && re.test(e.message));

test('targets: service forms and addresses', () => {
  assert.deepEqual(parseTarget('svc/ns1/svc1'), { kind: 'service', namespace: 'ns1', name: 'svc1' });
  assert.deepEqual(parseTarget('ns1/svc1'), { kind: 'service', namespace: 'ns1', name: 'svc1' });
  assert.deepEqual(parseTarget('svc/web'), { kind: 'service', namespace: null, name: 'web' });
  assert.deepEqual(parseTarget('5.6.7.8:80'), { kind: 'address', ip: '5.6.7.8', port: 80 });
  assert.deepEqual(parseTarget('[fd00::1]:443'), { kind: 'address', ip: 'fd00::1', port: 443 });
});

test('targets: bad input is a usage error naming the problem', () => {
  usage(() => parseTarget('1.2.3.4'), /needs a port/);
  usage(() => parseTarget('1.2.3.999:80'), /not an IP address/);
  usage(() => parseTarget('1.2.3.4:0'), /port must be 1-65535/);
  usage(() => parseTarget('1.2.3.4:70000'), /port must be 1-65535/);
  usage(() => parseTarget('a/b/c'), /NAMESPACE\/NAME/);
  usage(() => parseTarget('Bad_Name'), /not a valid Kubernetes name/);
  usage(() => parseTarget('svc/'), /expected svc/);
});

test('sources', () => {
  assert.deepEqual(parseSource('external'), { kind: 'external', ip: null });
  assert.deepEqual(parseSource('external:203.0.113.2'), { kind: 'external', ip: '203.0.113.2' });
  assert.deepEqual(parseSource('pod/shop/web-1'), { kind: 'pod', namespace: 'shop', name: 'web-1' });
  assert.deepEqual(parseSource('pod/web-1'), { kind: 'pod', namespace: null, name: 'web-1' });
  assert.deepEqual(parseSource('node/node-a'), { kind: 'node', name: 'node-a' });
  assert.deepEqual(parseSource('10.0.0.5'), { kind: 'ip', ip: '10.0.0.5' });
  usage(() => parseSource('external:nope'), /not an IP address/);
  usage(() => parseSource('somewhere'), /expected external/);
});

test('ports, protocols and service refs', () => {
  assert.equal(parsePort('3001', 'x'), 3001);
  usage(() => parsePort('80a', '--port'), /--port/);
  assert.equal(parseProtocol('udp'), 'UDP');
  usage(() => parseProtocol('icmp'), /TCP, UDP or SCTP/);
  assert.deepEqual(parseServiceRef('ns2/svc2'), { namespace: 'ns2', name: 'svc2' });
});
