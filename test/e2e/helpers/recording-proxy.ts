// A forward proxy on loopback that records every target it is asked for: CONNECT tunnels (what clients use for
// https://, and undici for http:// too) and absolute-form requests (what Go's clients send for http://). A target is
// connected to where `routes` says (a stand-in server on loopback for a public name) or else to the name itself, which
// the system resolves (the lab's registry names are in /etc/hosts). With `credentials`, a request without the right
// Proxy-Authorization gets 407, as a corporate proxy would answer.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxiedRequest {
  /** `host:port` of a tunnel, or the absolute URL of a plain request */
  target: string;
  method: string;
  /** the Proxy-Authorization header was the expected one (always true when the proxy asks for none) */
  authorized: boolean;
}

export interface RecordingProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  requests: ProxiedRequest[];
  /** `host:port` of every target asked for, without repeats */
  hosts(): string[];
  close(): Promise<void>;
}

export interface RecordingProxyOptions {
  /** `api.github.com:443` → `127.0.0.1:43211`: where to connect a target instead of resolving its name */
  routes?: Readonly<Record<string, string>>;
  /** the Basic credentials the proxy asks for */
  credentials?: { user: string; password: string };
}

function hostPort(target: string): { host: string; port: number } {
  const colon = target.lastIndexOf(':');
  return { host: target.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(target.slice(colon + 1)) };
}

export async function startRecordingProxy(options: RecordingProxyOptions = {}): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const expected =
    options.credentials === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`;
  const record = (req: IncomingMessage, target: string): boolean => {
    const authorized = expected === undefined || req.headers['proxy-authorization'] === expected;
    requests.push({ target, method: req.method ?? '', authorized });
    return authorized;
  };
  const upstream = (target: string) => hostPort(options.routes?.[target] ?? target);

  const server: Server = createServer((req, res) => {
    // An absolute-form request: `GET http://host:port/path HTTP/1.1`.
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const target = `${url.hostname}:${url.port === '' ? '80' : url.port}`;
    if (!record(req, url.href)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="recording-proxy"' }).end();
      return;
    }
    const { host, port } = upstream(target);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const forward = request({ host, port, method: req.method, path: url.pathname + url.search, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const target = req.url ?? '';
    if (!record(req, target)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="recording-proxy"\r\n\r\n',
      );
      return;
    }
    const { host, port } = upstream(target);
    let connected = false;
    const tunnel = connect(port, host, () => {
      connected = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) tunnel.write(head);
      tunnel.pipe(client);
      client.pipe(tunnel);
    });
    sockets.add(tunnel);
    tunnel.on('close', () => {
      sockets.delete(tunnel);
      client.destroy();
    });
    tunnel.on('error', () => {
      if (connected) client.destroy();
      else client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    hosts: () => [
      ...new Set(
        requests.map(({ target }) => {
          if (!target.includes('://')) return target;
          const url = new URL(target);
          return `${url.hostname}:${url.port === '' ? '80' : url.port}`;
        }),
      ),
    ],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
