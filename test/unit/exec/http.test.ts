// docker-build's own HTTP against a recording proxy and a server, both on loopback: the target names (*.example.test)
// are never resolved, the proxy connects them to the server. https:// through the proxy is the end-to-end test's.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpFetch, routeOf } from '../../../src/exec/http.js';
import { startRecordingProxy, type RecordingProxy } from '../../e2e/helpers/recording-proxy.js';

const VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'];

function proxyEnv(vars: Record<string, string>): void {
  for (const name of VARIABLES) vi.stubEnv(name, vars[name]);
}

describe('the script’s own HTTP requests', () => {
  let server: Server;
  let origin = '';
  let proxy: RecordingProxy;
  let locked: RecordingProxy;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.headers.host ?? ''}${req.url ?? ''}`);
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `${origin}/file` }).end();
        return;
      }
      if (req.url === '/slow') return; // never answers
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    origin = `http://127.0.0.1:${port}`;
    // A name per test: the agent keeps its tunnels open, and a proxy sees a tunnel once, not each request in it.
    const routes = Object.fromEntries(
      ['api', 'redirect', 'auth', 'refused', 'slow'].map((name) => [`${name}.example.test:80`, `127.0.0.1:${port}`]),
    );
    proxy = await startRecordingProxy({ routes });
    locked = await startRecordingProxy({ routes, credentials: { user: 'ci', password: 'hunter2-proxy' } });
  });

  afterAll(async () => {
    await proxy.close();
    await locked.close();
    server.closeAllConnections();
    server.close();
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    proxy.requests.length = 0;
    locked.requests.length = 0;
    seen.length = 0;
  });

  it('go through HTTP_PROXY for an http:// target', async () => {
    proxyEnv({ HTTP_PROXY: proxy.url });
    const response = await httpFetch('http://api.example.test/repos/o/r', { headers: { accept: 'application/json' } });
    expect(await response.json()).toEqual({ path: '/repos/o/r' });
    expect(proxy.hosts()).toEqual(['api.example.test:80']);
    expect(seen).toEqual(['api.example.test/repos/o/r']);
  });

  it('go direct to a loopback target, whatever the proxy variables say', async () => {
    proxyEnv({ HTTP_PROXY: proxy.url, http_proxy: proxy.url });
    const response = await httpFetch(`${origin}/direct`);
    expect(response.status).toBe(200);
    expect(proxy.requests).toEqual([]);
    expect(seen).toEqual([`127.0.0.1:${new URL(origin).port}/direct`]);
  });

  it('decide each hop of a redirect afresh: proxied to redirect.example.test, then direct to loopback', async () => {
    proxyEnv({ HTTP_PROXY: proxy.url });
    const response = await httpFetch('http://redirect.example.test/redirect');
    expect(await response.json()).toEqual({ path: '/file' });
    expect(proxy.hosts()).toEqual(['redirect.example.test:80']);
    expect(seen).toEqual(['redirect.example.test/redirect', `127.0.0.1:${new URL(origin).port}/file`]);
  });

  it('give the proxy the credentials of its URL', async () => {
    proxyEnv({ HTTP_PROXY: locked.url.replace('://', '://ci:hunter2-proxy@') });
    expect((await httpFetch('http://auth.example.test/auth')).status).toBe(200);
    expect(locked.requests.map((r) => [r.target, r.authorized])).toEqual([['auth.example.test:80', true]]);
  });

  it('say which way a failed request went, without the proxy’s password', async () => {
    const url = locked.url.replace('://', '://ci:wrong-password@');
    proxyEnv({ HTTP_PROXY: url });
    const failure = httpFetch('http://refused.example.test/auth');
    await expect(failure).rejects.toThrow(
      `fetch failed: Proxy response (407) !== 200 when HTTP Tunneling (through the proxy http://***@127.0.0.1:${locked.port})`,
    );
    await expect(failure).rejects.not.toThrow(/wrong-password/);
    expect(locked.requests.map((r) => r.authorized)).toEqual([false]);
  });

  it('say so when the proxy cannot be reached', async () => {
    proxyEnv({ HTTP_PROXY: 'http://127.0.0.1:9' });
    await expect(httpFetch('http://api.example.test/')).rejects.toThrow(
      /^fetch failed: .*ECONNREFUSED.* \(through the proxy http:\/\/127\.0\.0\.1:9\)$/,
    );
  });

  it('stop at the caller’s timeout, which stays a TimeoutError', async () => {
    proxyEnv({ HTTP_PROXY: proxy.url });
    await expect(httpFetch('http://slow.example.test/slow', { signal: AbortSignal.timeout(200) })).rejects.toThrow(
      expect.objectContaining({ name: 'TimeoutError' }) as Error,
    );
  });

  it('stop when the caller aborts', async () => {
    const abort = new AbortController();
    const request = httpFetch(`${origin}/slow`, { signal: abort.signal });
    abort.abort();
    await expect(request).rejects.toThrow(expect.objectContaining({ name: 'AbortError' }) as Error);
  });

  it('name the route for messages', () => {
    proxyEnv({ HTTPS_PROXY: 'http://user:secret@proxy.corp:3128', NO_PROXY: 'ghe.corp' });
    expect(routeOf('https://api.github.com/')).toBe('through the proxy http://***@proxy.corp:3128');
    expect(routeOf('https://ghe.corp/api/v3')).toBe('direct');
    expect(routeOf('http://api.github.com/')).toBe('direct');
  });
});
