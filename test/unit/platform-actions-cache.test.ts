// The Actions cache client against an in-process cache service that speaks both protocols as GitHub's clients expect
// them (v1: act's and GHES's artifactcache API; v2: the twirp CacheService with signed blob URLs). act's real v1
// server is exercised end to end by the act tests (test/e2e/pipeline/act.test.ts, act-cache.test.ts).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretMask } from '../../src/exec/mask.js';
import { Runner } from '../../src/exec/runner.js';
import { actionsCache, cachePath, cacheService, cacheVersion } from '../../src/platform/actions-cache.js';

const TOKEN = 'runtime-token-123';

interface Entry {
  key: string;
  version: string;
  data: Buffer;
  complete: boolean;
}

/** One service for both protocols; it records what it was asked. */
class FakeCacheService {
  readonly entries: Entry[] = [];
  readonly requests: { method: string; path: string; auth: string | undefined; range?: string }[] = [];
  private server: Server | undefined;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
          res.end(body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body));
        },
        () => {
          res.writeHead(500).end();
        },
      );
    });
    await new Promise<void>((done) => this.server?.listen(0, '127.0.0.1', done));
    const address = this.server.address();
    this.base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
  }

  stop(): Promise<void> {
    return new Promise((done) =>
      this.server?.close(() => {
        done();
      }),
    );
  }

  private find(keys: string[], version: string): Entry | undefined {
    for (const key of keys) {
      const exact = this.entries.find((e) => e.complete && e.version === version && e.key === key);
      if (exact !== undefined) return exact;
      const prefix = this.entries.filter((e) => e.complete && e.version === version && e.key.startsWith(key)).at(-1);
      if (prefix !== undefined) return prefix;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body?: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.base);
    const auth = req.headers.authorization;
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      auth,
      ...(req.headers['content-range'] === undefined ? {} : { range: req.headers['content-range'] }),
    });
    const authorized = auth === `Bearer ${TOKEN}`;
    const v1 = /^\/_apis\/artifactcache\/(.*)$/.exec(url.pathname)?.[1];
    const twirp = /^\/twirp\/github\.actions\.results\.api\.v1\.CacheService\/(\w+)$/.exec(url.pathname)?.[1];
    const blob = /^\/blob\/(\d+)$/.exec(url.pathname)?.[1];

    if (blob !== undefined) {
      // signed URLs: the signature is the credential, and a bearer token with it is refused
      if (url.searchParams.get('sig') !== 'ok' || auth !== undefined) return { status: 403 };
      const entry = this.entries[Number(blob)];
      if (entry === undefined) return { status: 404 };
      if (req.method === 'GET') return { status: 200, body: entry.data };
      if (req.headers['x-ms-blob-type'] !== 'BlockBlob') return { status: 400 };
      if (Number(req.headers['content-length']) !== raw.length) return { status: 400 };
      entry.data = raw;
      return { status: 201 };
    }
    if (!authorized) return { status: 401 };
    if (v1 !== undefined) {
      if (req.method === 'GET' && v1 === 'cache') {
        const found = this.find(url.searchParams.get('keys')?.split(',') ?? [], url.searchParams.get('version') ?? '');
        if (found === undefined) return { status: 204 };
        const id = this.entries.indexOf(found);
        return { status: 200, body: { archiveLocation: `${this.base}blob/${id}?sig=ok`, cacheKey: found.key } };
      }
      if (req.method === 'POST' && v1 === 'caches') {
        const { key, version } = JSON.parse(raw.toString()) as { key: string; version: string };
        if (this.entries.some((e) => e.key === key && e.version === version)) return { status: 409 };
        this.entries.push({ key, version, data: Buffer.alloc(0), complete: false });
        return { status: 200, body: { cacheId: this.entries.length - 1 } };
      }
      const id = /^caches\/(\d+)$/.exec(v1)?.[1];
      const entry = id === undefined ? undefined : this.entries[Number(id)];
      if (entry === undefined) return { status: 400 };
      if (req.method === 'PATCH') {
        const start = Number(/^bytes (\d+)-(\d+)\/\*$/.exec(req.headers['content-range'] ?? '')?.[1] ?? NaN);
        if (Number.isNaN(start)) return { status: 400 };
        const data = Buffer.alloc(Math.max(entry.data.length, start + raw.length));
        entry.data.copy(data);
        raw.copy(data, start);
        entry.data = data;
        return { status: 200 };
      }
      if (req.method === 'POST') {
        const { size } = JSON.parse(raw.toString()) as { size: number };
        if (size !== entry.data.length) return { status: 400 };
        entry.complete = true;
        return { status: 200 };
      }
    }
    if (twirp !== undefined && req.method === 'POST') {
      const body = JSON.parse(raw.toString()) as Record<string, unknown>;
      const key = String(body.key);
      const version = String(body.version);
      if (twirp === 'GetCacheEntryDownloadURL') {
        const found = this.find([key, ...((body.restore_keys as string[] | undefined) ?? [])], version);
        if (found === undefined) return { status: 200, body: { ok: false } };
        const id = this.entries.indexOf(found);
        return {
          status: 200,
          body: { ok: true, signed_download_url: `${this.base}blob/${id}?sig=ok`, matched_key: found.key },
        };
      }
      if (twirp === 'CreateCacheEntry') {
        if (this.entries.some((e) => e.key === key && e.version === version))
          return { status: 200, body: { ok: false, message: 'cache entry already exists' } };
        this.entries.push({ key, version, data: Buffer.alloc(0), complete: false });
        return {
          status: 200,
          body: { ok: true, signed_upload_url: `${this.base}blob/${this.entries.length - 1}?sig=ok` },
        };
      }
      if (twirp === 'FinalizeCacheEntryUpload') {
        const entry = this.entries.find((e) => e.key === key && e.version === version && !e.complete);
        if (entry === undefined || String(entry.data.length) !== body.size_bytes)
          return { status: 200, body: { ok: false } };
        entry.complete = true;
        return { status: 200, body: { ok: true, entry_id: String(this.entries.indexOf(entry)) } };
      }
    }
    return { status: 404 };
  }
}

function trivyCache(root: string, marker: string): string {
  const dir = join(root, 'cache', 'trivy');
  mkdirSync(join(dir, 'db'), { recursive: true });
  writeFileSync(join(dir, 'db', 'trivy.db'), `${marker}\n`.repeat(20_000));
  writeFileSync(join(dir, 'db', 'metadata.json'), `{"marker":"${marker}"}`);
  return dir;
}

describe("GitHub's Actions cache, spoken directly", () => {
  const service = new FakeCacheService();
  const log: string[] = [];
  const runner = new Runner(new SecretMask(), (line) => log.push(line));
  const home = '/home/runner';
  let root: string;

  beforeAll(async () => {
    await service.start();
    root = mkdtempSync(join(tmpdir(), 'actions-cache-'));
  });

  afterAll(async () => {
    await service.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('is there when the runner offers a cache service, with the protocol GitHub’s own clients would pick', () => {
    expect(cacheService({ ACTIONS_CACHE_URL: 'http://127.0.0.1:1' })).toEqual({
      protocol: 'v1',
      url: 'http://127.0.0.1:1/',
      token: '',
    });
    expect(cacheService({ ACTIONS_RESULTS_URL: 'https://results.example/' })?.protocol).toBe('v1');
    expect(
      cacheService({ ACTIONS_RESULTS_URL: 'https://results.example/', ACTIONS_CACHE_SERVICE_V2: 'True' })?.protocol,
    ).toBe('v2');
    // GHES has no v2 service, whatever the flag says
    expect(
      cacheService({
        ACTIONS_RESULTS_URL: 'https://results.example/',
        ACTIONS_CACHE_URL: 'https://ghes.example/cache/',
        ACTIONS_CACHE_SERVICE_V2: 'True',
        GITHUB_SERVER_URL: 'https://ghes.example',
      }),
    ).toMatchObject({ protocol: 'v1', url: 'https://ghes.example/cache/' });
    expect(cacheService({})).toBeUndefined();
    expect(cacheService({ ACTIONS_CACHE_URL: '' })).toBeUndefined();
    expect(actionsCache({}, runner)).toBeUndefined();
  });

  it('spells paths under the home directory with ~, so that the entry matches on every runner', () => {
    expect(cachePath('/home/runner/.cache/trivy/db', '/home/runner')).toBe('~/.cache/trivy/db');
    expect(cachePath('/srv/cache/trivy/db', '/home/runner')).toBe('/srv/cache/trivy/db');
    expect(cachePath('/home/runnerx/db', '/home/runner')).toBe('/home/runnerx/db');
    expect(cacheVersion(['/home/runner/x'], 'zstd', '/home/runner')).toBe(
      cacheVersion(['/home/other/x'], 'zstd', '/home/other'),
    );
    expect(cacheVersion(['/a/x'], 'zstd')).not.toBe(cacheVersion(['/a/x'], 'gzip'));
  });

  for (const protocol of ['v1', 'v2'] as const) {
    it(`${protocol}: saves, then restores by restore-key prefix on a runner that has nothing`, async () => {
      const env =
        protocol === 'v1'
          ? { ACTIONS_CACHE_URL: service.base, ACTIONS_RUNTIME_TOKEN: TOKEN }
          : { ACTIONS_RESULTS_URL: service.base, ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RUNTIME_TOKEN: TOKEN };
      const cache = actionsCache(env, runner, home);
      expect(cache).toBeDefined();
      if (cache === undefined) return;
      const source = trivyCache(join(root, `${protocol}-a`), `${protocol}-day-1`);
      const paths = [join(source, 'db'), join(source, 'java-db')]; // java-db absent: saved without it
      const before = service.requests.length;
      await cache.save(paths, `trivy-${protocol}-2026-03-01`);

      // the next job: a fresh runner, nothing on disk, the same paths
      rmSync(source, { recursive: true, force: true });
      const target = source;
      expect(await cache.restore(paths, `trivy-${protocol}-2026-03-02`, [`trivy-${protocol}-`])).toBe(
        `trivy-${protocol}-2026-03-01`,
      );
      expect(readFileSync(join(target, 'db', 'metadata.json'), 'utf8')).toBe(`{"marker":"${protocol}-day-1"}`);
      expect(readFileSync(join(target, 'db', 'trivy.db'), 'utf8')).toBe(`${protocol}-day-1\n`.repeat(20_000));
      expect(existsSync(join(target, 'java-db'))).toBe(false);

      // the token goes to the service, never to a signed URL
      const requests = service.requests.slice(before);
      for (const request of requests)
        expect(request.auth).toBe(request.path.startsWith('/blob/') ? undefined : `Bearer ${TOKEN}`);
      expect(requests.some((request) => request.path.startsWith('/blob/'))).toBe(true);
      if (protocol === 'v1') expect(requests.find((r) => r.method === 'PATCH')?.range).toMatch(/^bytes 0-\d+\/\*$/);
    });

    it(`${protocol}: a miss is undefined; a key saved twice is refused with the reason`, async () => {
      const env =
        protocol === 'v1'
          ? { ACTIONS_CACHE_URL: service.base, ACTIONS_RUNTIME_TOKEN: TOKEN }
          : { ACTIONS_RESULTS_URL: service.base, ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RUNTIME_TOKEN: TOKEN };
      const cache = actionsCache(env, runner, home);
      if (cache === undefined) throw new Error('no cache');
      const dir = join(root, `${protocol}-miss`, 'trivy');
      expect(await cache.restore([join(dir, 'db')], 'nothing-like-this', ['nothing-'])).toBeUndefined();
      expect(existsSync(dir)).toBe(false);
      const source = trivyCache(join(root, `${protocol}-twice`), 'x');
      await cache.save([join(source, 'db')], `twice-${protocol}`);
      await expect(cache.save([join(source, 'db')], `twice-${protocol}`)).rejects.toThrow(
        protocol === 'v1' ? /another job is saving or has saved twice-v1/ : /cache entry already exists/,
      );
      // another path set is another version: not restored by a reader of different paths
      expect(await cache.restore([join(dir, 'other')], `twice-${protocol}`, [])).toBeUndefined();
    });
  }

  it('a service that refuses the token, or cannot be reached, fails saying so (a warning for the pipeline)', async () => {
    const cache = actionsCache({ ACTIONS_CACHE_URL: service.base, ACTIONS_RUNTIME_TOKEN: 'wrong' }, runner, home);
    await expect(cache?.restore([join(root, 'x', 'db')], 'k', [])).rejects.toThrow(/HTTP 401/);
    const none = actionsCache({ ACTIONS_CACHE_URL: 'http://127.0.0.1:9/', ACTIONS_RUNTIME_TOKEN: TOKEN }, runner, home);
    await expect(none?.restore([join(root, 'x', 'db')], 'k', [])).rejects.toThrow(/127\.0\.0\.1:9/);
  }, 20_000);
});
