import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { Socket } from 'node:net';

/**
 * A fault-injecting proxy on loopback in front of a real kube-apiserver: plain HTTP towards
 * netpath (token auth needs no TLS on loopback), HTTPS towards the API server. Each request is
 * matched against the rules in order; the first rule whose `match` is true and that has uses left
 * decides what happens to it. Upgrades (exec) are recorded and passed through untouched.
 */
export type Fault =
  /** Answer this status with a metav1.Status body (and Retry-After when given). */
  | { status: number; retryAfter?: string }
  /** Close the client's connection without an answer (a reset). */
  | { reset: true }
  /** Wait, then forward. */
  | { delayMs: number }
  /** Forward at once, hold the answer back this long (the server acted; the client hears late). */
  | { answerAfterMs: number };

export interface Rule {
  match: (method: string, path: string) => boolean;
  fault: Fault;
  /** How many requests the rule applies to (default: all). */
  times?: number;
}

export interface Seen {
  method: string;
  path: string;
  at: number;
  fault: Fault | null;
}

export interface FaultProxy {
  url: string;
  rules: Rule[];
  seen: Seen[];
  /** Resolves when a request matching `match` arrives. */
  arrival(match: (method: string, path: string) => boolean): Promise<Seen>;
  /** A copy of `kubeconfig` whose cluster points at the proxy. */
  kubeconfigVia(kubeconfig: string, out: string): string;
  stop(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const rules: Rule[] = [];
  const seen: Seen[] = [];
  const waiters: { match: (m: string, p: string) => boolean; resolve: (s: Seen) => void }[] = [];
  const sockets = new Set<Socket>();

  const pick = (method: string, path: string): Fault | null => {
    for (const rule of rules) {
      if ((rule.times ?? Infinity) <= 0 || !rule.match(method, path)) continue;
      if (rule.times !== undefined) rule.times--;
      return rule.fault;
    }
    return null;
  };

  const record = (method: string, path: string, fault: Fault | null): Seen => {
    const entry = { method, path, at: Date.now(), fault };
    seen.push(entry);
    for (const w of waiters.splice(0)) (w.match(method, path) ? w.resolve(entry) : waiters.push(w));
    return entry;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, holdMs: number) => {
    const up = httpsRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, rejectUnauthorized: false },
      (upRes) => {
        const send = () => {
          if (res.destroyed) return upRes.resume();
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        };
        if (holdMs > 0) setTimeout(send, holdMs);
        else send();
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  };

  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const fault = pick(method, path);
    record(method, path, fault);
    if (!fault) return forward(req, res, 0);
    if ('reset' in fault) {
      req.socket.destroy();
      return;
    }
    if ('status' in fault) {
      req.resume();
      const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `injected ${fault.status}`, code: fault.status });
      res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
      res.end(body);
      return;
    }
    if ('delayMs' in fault) {
      setTimeout(() => forward(req, res, 0), fault.delayMs);
      return;
    }
    forward(req, res, fault.answerAfterMs);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // exec and port-forward upgrade to WebSocket: a byte pipe to the API server.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    record(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/', null);
    const up = tlsConnect({ host: target.hostname, port: Number(target.port), rejectUnauthorized: false, servername: undefined }, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        lines.push(`${name}: ${name.toLowerCase() === 'host' ? target.host : req.rawHeaders[i + 1]}`);
      }
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      socket.pipe(up).pipe(socket);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    rules,
    seen,
    arrival: (match) =>
      new Promise((resolve) => {
        const hit = seen.find((s) => match(s.method, s.path));
        if (hit) resolve(hit);
        else waiters.push({ match, resolve });
      }),
    kubeconfigVia: (kubeconfig, out) => {
      const text = readFileSync(kubeconfig, 'utf8').replace(/server: ?'?https:\/\/[^'\s,}]+'?/g, `server: '${url}'`);
      writeFileSync(out, text);
      return out;
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
