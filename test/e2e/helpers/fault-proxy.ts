// A fault-injecting proxy in front of the lab registry, for the registry-fault tests: TLS with the registry's own
// certificate (it names registry.lab.test on any port), every request forwarded to the registry with its Host header
// kept (so the registry's upload URLs point back here), except that the first `count` requests get the fault.
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/** `tags`: every PUT of a manifest by tag (what attaching a tag is) gets a 503; pushes by digest go through. */
export type Fault = 'none' | '503' | 'reset' | 'stall' | 'down' | 'tags';

export interface FaultProxy {
  /** `registry.lab.test:PORT` */
  host: string;
  /** requests seen, and faults injected */
  requests: number;
  injected: number;
  /** from now on: the first `count` requests get `fault` ('down': every request, until changed) */
  set(fault: Fault, count?: number): void;
  close(): Promise<void>;
}

export async function startFaultProxy(labHome: string, registry: string): Promise<FaultProxy> {
  const [registryHost = '', registryPort = '443'] = registry.split(':');
  let fault: Fault = 'none';
  let remaining = 0;
  const state = { requests: 0, injected: 0 };
  const server: Server = createServer(
    { cert: readFileSync(`${labHome}/ca/server.crt`), key: readFileSync(`${labHome}/ca/server.key`) },
    (req, res) => {
      state.requests += 1;
      const tagPut = req.method === 'PUT' && /\/manifests\/(?!sha256:)[^/]+$/.test(req.url ?? '');
      const faulty =
        fault === 'down' || (fault === 'tags' && tagPut) || (fault !== 'none' && fault !== 'tags' && remaining > 0);
      if (faulty) {
        remaining -= 1;
        state.injected += 1;
        if (fault === 'reset') {
          req.socket.destroy();
          return;
        }
        if (fault === 'stall') {
          // Hold the request, then drop it: the client's own timeout or the reset ends it.
          setTimeout(() => req.socket.destroy(), 3000);
          return;
        }
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"UNAVAILABLE","message":"service unavailable (injected)"}]}');
        return;
      }
      const upstream = request(
        {
          host: '127.0.0.1',
          servername: registryHost,
          port: Number(registryPort),
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `${registryHost}:${port}`,
    get requests() {
      return state.requests;
    },
    get injected() {
      return state.injected;
    },
    set(next: Fault, count = 0) {
      fault = next;
      remaining = count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
