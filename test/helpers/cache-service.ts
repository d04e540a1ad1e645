// A cache service of GitHub Actions, in process, for tests: it answers what @actions/cache 6.3 sends, v1 (act's and
// GHES's artifactcache API: reserve, ranged PATCH uploads, commit, the archive downloaded from the location it names)
// and v2 (the twirp CacheService in JSON, with signed blob URLs for Azure's Put Blob and a plain GET), and records
// every request. Unit tests (test/unit/platform-actions-cache.test.ts) and the proxy's end-to-end test share it.
import { createServer, type IncomingMessage, type Server } from 'node:http';

export const TOKEN = 'runtime-token-123';
export const SIGNATURE = 'signature-5ecr3t';

export interface Entry {
  key: string;
  version: string;
  data: Buffer;
  complete: boolean;
}

export interface Request {
  method: string;
  path: string;
  auth: string | undefined;
  range?: string;
  blobType?: string;
}

/** One service for both protocols; it records what it was asked. */
export class FakeCacheService {
  readonly entries: Entry[] = [];
  readonly requests: Request[] = [];
  private server: Server | undefined;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body, headers }) => {
          const type = body === undefined || Buffer.isBuffer(body) ? {} : { 'content-type': 'application/json' };
          res.writeHead(status, { ...type, ...headers });
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

  private signedUrl(id: number): string {
    // An Azure-style path (account/container/blob), as Azure's client parses a URL whose host is an IP address.
    return `${this.base}account/cache/${id}?sv=2024-11-04&se=2099-01-01&sig=${SIGNATURE}`;
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

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.base);
    const auth = req.headers.authorization;
    const blobType = req.headers['x-ms-blob-type'];
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      auth,
      ...(req.headers['content-range'] === undefined ? {} : { range: req.headers['content-range'] }),
      ...(typeof blobType === 'string' ? { blobType } : {}),
    });
    const v1 = /^\/_apis\/artifactcache\/(.*)$/.exec(url.pathname)?.[1];
    const twirp = /^\/twirp\/github\.actions\.results\.api\.v1\.CacheService\/(\w+)$/.exec(url.pathname)?.[1];
    const blob = /^\/account\/cache\/(\d+)$/.exec(url.pathname)?.[1];

    if (blob !== undefined) {
      // signed URLs: the signature is the credential, and a bearer token with it is refused
      if (url.searchParams.get('sig') !== SIGNATURE || auth !== undefined) return { status: 403 };
      const entry = this.entries[Number(blob)];
      if (entry === undefined) return { status: 404 };
      if (req.method === 'GET') return { status: 200, body: entry.data };
      // Azure's Put Blob: the whole archive in one request
      if (req.method !== 'PUT' || blobType !== 'BlockBlob') return { status: 400 };
      if (Number(req.headers['content-length']) !== raw.length) return { status: 400 };
      entry.data = raw;
      return {
        status: 201,
        headers: { etag: '"0x8DC0000000000"', 'last-modified': new Date().toUTCString(), 'x-ms-version': '2024-11-04' },
      };
    }
    if (auth !== `Bearer ${TOKEN}`) return { status: 401, body: { message: 'unauthorized' } };
    if (v1 !== undefined) {
      if (req.method === 'GET' && v1 === 'cache') {
        const found = this.find(url.searchParams.get('keys')?.split(',') ?? [], url.searchParams.get('version') ?? '');
        if (found === undefined) return { status: 204 };
        const id = this.entries.indexOf(found);
        return { status: 200, body: { archiveLocation: this.signedUrl(id), cacheKey: found.key } };
      }
      if (req.method === 'POST' && v1 === 'caches') {
        const { key, version } = JSON.parse(raw.toString()) as { key: string; version: string };
        if (this.entries.some((e) => e.key === key && e.version === version)) {
          return { status: 409, body: { message: `Cache already exists. Scope: refs/heads/main, Key: ${key}` } };
        }
        this.entries.push({ key, version, data: Buffer.alloc(0), complete: false });
        return { status: 201, body: { cacheId: this.entries.length } };
      }
      // cache ids start at 1: @actions/cache takes 0 for "no id"
      const id = /^caches\/(\d+)$/.exec(v1)?.[1];
      const entry = id === undefined ? undefined : this.entries[Number(id) - 1];
      if (entry === undefined) return { status: 400 };
      if (req.method === 'PATCH') {
        const start = Number(/^bytes (\d+)-(\d+)\/\*$/.exec(req.headers['content-range'] ?? '')?.[1] ?? NaN);
        if (Number.isNaN(start)) return { status: 400 };
        const data = Buffer.alloc(Math.max(entry.data.length, start + raw.length));
        entry.data.copy(data);
        raw.copy(data, start);
        entry.data = data;
        return { status: 204 };
      }
      if (req.method === 'POST') {
        const { size } = JSON.parse(raw.toString()) as { size: number };
        if (size !== entry.data.length) return { status: 400 };
        entry.complete = true;
        return { status: 204 };
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
        return { status: 200, body: { ok: true, signed_download_url: this.signedUrl(id), matched_key: found.key } };
      }
      if (twirp === 'CreateCacheEntry') {
        if (this.entries.some((e) => e.key === key && e.version === version))
          return { status: 200, body: { ok: false, message: 'cache entry already exists' } };
        this.entries.push({ key, version, data: Buffer.alloc(0), complete: false });
        return { status: 200, body: { ok: true, signed_upload_url: this.signedUrl(this.entries.length - 1) } };
      }
      if (twirp === 'FinalizeCacheEntryUpload') {
        const entry = this.entries.find((e) => e.key === key && e.version === version && !e.complete);
        if (entry === undefined || String(entry.data.length) !== body.size_bytes)
          return { status: 200, body: { ok: false } };
        entry.complete = true;
        return { status: 200, body: { ok: true, entry_id: String(this.entries.indexOf(entry) + 1) } };
      }
    }
    return { status: 404 };
  }
}
