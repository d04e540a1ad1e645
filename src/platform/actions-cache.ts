/**
 * GitHub's Actions cache, spoken directly: its protocol is a few HTTP calls, and the SDK that wraps it (@actions/cache
 * with Azure's storage client) weighed twelve times the rest of dist/. Both cache services:
 *
 * - v2, where the runner sets `ACTIONS_CACHE_SERVICE_V2` (github.com): twirp JSON calls on `ACTIONS_RESULTS_URL`,
 *   the archive uploaded to and downloaded from the signed blob URLs the service hands out;
 * - v1 otherwise (GHES, act): `ACTIONS_CACHE_URL`'s artifactcache API, the archive uploaded in ranged chunks.
 *
 * An entry is a tar archive (zstd when the runner has it, else gzip) of paths that share one parent directory. Its
 * version hashes the paths as spelled (`~/` for the home directory), the compression and this format, so that an
 * entry is only ever restored by a reader of the same archive.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { writeBody } from '../exec/body.js';
import type { Runner } from '../exec/runner.js';
import type { JobCache } from '../pipeline/trivy-db.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Changes when the archive's layout does: entries of another layout are then not restored. */
const FORMAT = 'docker-build-tar-1';
/** v1 uploads in ranged chunks of this size (the service's own clients use 32 MiB). */
const V1_CHUNK = 32 * 1024 * 1024;
const V1_ACCEPT = 'application/json;api-version=6.0-preview.1';
const V2_SERVICE = 'twirp/github.actions.results.api.v1.CacheService';
const ATTEMPTS = 3;

/**
 * An entry's version is a hash of its paths as spelled, so a path under the home directory is spelled `~/...`: the
 * same entry matches on every runner of a user, whatever its home.
 */
export function cachePath(path: string, home = homedir()): string {
  const inside = relative(home, path);
  return inside === '' || inside.startsWith('..') || inside.startsWith(sep) ? path : `~/${inside}`;
}

export type Compression = 'zstd' | 'gzip';

export function cacheVersion(paths: readonly string[], compression: Compression, home = homedir()): string {
  const parts = [...paths.map((path) => cachePath(path, home)), compression, FORMAT];
  return createHash('sha256').update(parts.join('|')).digest('hex');
}

/** Which cache service the runner offers, and where; undefined when none. */
export interface CacheService {
  protocol: 'v1' | 'v2';
  url: string;
  token: string;
}

export function cacheService(env: Env): CacheService | undefined {
  const given = (name: string) => (env[name] ?? '') !== '';
  const token = env.ACTIONS_RUNTIME_TOKEN ?? '';
  // As GitHub's own clients decide: v2 when the runner says so, never on GHES (whose server is not github.com,
  // *.ghe.com or *.localhost).
  const host = hostOf(env.GITHUB_SERVER_URL ?? 'https://github.com');
  const ghes = !(host === 'github.com' || host.endsWith('.ghe.com') || host.endsWith('.localhost'));
  if (given('ACTIONS_CACHE_SERVICE_V2') && given('ACTIONS_RESULTS_URL') && !ghes) {
    return { protocol: 'v2', url: withSlash(env.ACTIONS_RESULTS_URL ?? ''), token };
  }
  const url = given('ACTIONS_CACHE_URL') ? env.ACTIONS_CACHE_URL : env.ACTIONS_RESULTS_URL;
  return url === undefined || url === '' ? undefined : { protocol: 'v1', url: withSlash(url), token };
}

/** The Actions cache when the runner offers one, else undefined. Archives go through the runner's `tar`. */
export function actionsCache(env: Env, runner: Runner, home = homedir()): JobCache | undefined {
  const service = cacheService(env);
  if (service === undefined) return undefined;
  const client = service.protocol === 'v2' ? new V2Client(service) : new V1Client(service);
  let compression: Promise<Compression> | undefined;
  const compressionOf = () =>
    (compression ??= runner
      .run('zstd', ['--version'], { quiet: true, allowFailure: true })
      .then((result) => (result.code === 0 ? 'zstd' : 'gzip'))
      .catch(() => 'gzip' as const));

  return {
    name: 'Actions cache',
    async restore(paths, key, restoreKeys) {
      const parent = commonParent(paths);
      const how = await compressionOf();
      const found = await client.find([key, ...restoreKeys], cacheVersion(paths, how, home));
      if (found === undefined) return undefined;
      await withScratch(async (archive) => {
        await download(found.url, archive);
        mkdirSync(parent, { recursive: true });
        await runner.run('tar', ['-x', ...tarCompression(how), '-f', archive, '-C', parent], { quiet: true });
      });
      return found.key;
    },
    async save(paths, key) {
      const present = paths.filter((path) => existsSync(path));
      if (present.length === 0) throw new Error(`none of ${paths.join(', ')} exists`);
      const parent = commonParent(paths);
      const how = await compressionOf();
      await withScratch(async (archive) => {
        const names = present.map((path) => basename(path));
        await runner.run('tar', ['-c', ...tarCompression(how), '-f', archive, '-C', parent, '--', ...names], {
          quiet: true,
        });
        await client.save(key, cacheVersion(paths, how, home), archive, statSync(archive).size);
      });
    },
  };
}

function tarCompression(how: Compression): string[] {
  return how === 'zstd' ? ['--use-compress-program', 'zstd -T0'] : ['-z'];
}

function commonParent(paths: readonly string[]): string {
  const parent = dirname(paths[0] ?? '');
  const other = paths.find((path) => dirname(path) !== parent);
  if (other !== undefined) throw new Error(`cached paths must share one directory: ${paths[0]} and ${other} do not`);
  return parent;
}

async function withScratch(use: (archive: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'docker-build-cache-'));
  try {
    await use(join(dir, 'cache.tar'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Found {
  key: string;
  url: string;
}

interface Client {
  find(keys: string[], version: string): Promise<Found | undefined>;
  save(key: string, version: string, archive: string, size: number): Promise<void>;
}

/** GHES's and act's artifactcache API. */
class V1Client implements Client {
  constructor(private readonly service: CacheService) {}

  private url(resource: string): string {
    return `${this.service.url}_apis/artifactcache/${resource}`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: V1_ACCEPT, authorization: `Bearer ${this.service.token}`, ...extra };
  }

  async find(keys: string[], version: string): Promise<Found | undefined> {
    const query = `keys=${encodeURIComponent(keys.join(','))}&version=${encodeURIComponent(version)}`;
    const response = await send(this.url(`cache?${query}`), { headers: this.headers() });
    if (response.status === 204) return undefined;
    const body = await json(response, 'looking up the cache');
    const url = typeof body.archiveLocation === 'string' ? body.archiveLocation : '';
    const key = typeof body.cacheKey === 'string' ? body.cacheKey : '';
    if (url === '' || key === '') throw new Error('the cache service answered without an archive location');
    return { key, url };
  }

  async save(key: string, version: string, archive: string, size: number): Promise<void> {
    const reserved = await send(this.url('caches'), {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ key, version, cacheSize: size }),
    });
    if (reserved.status === 409) throw new Error(`another job is saving or has saved ${key}`);
    const id = (await json(reserved, 'reserving the entry')).cacheId;
    if (typeof id !== 'number') throw new Error('the cache service reserved no entry');
    for (let start = 0; start < size; start += V1_CHUNK) {
      const end = Math.min(start + V1_CHUNK, size) - 1;
      const uploaded = await send(this.url(`caches/${id}`), () => ({
        method: 'PATCH',
        headers: this.headers({
          'content-type': 'application/octet-stream',
          'content-range': `bytes ${start}-${end}/*`,
          'content-length': String(end - start + 1),
        }),
        body: fileRange(archive, start, end),
        duplex: 'half',
      }));
      await ok(uploaded, `uploading bytes ${start}-${end}`);
    }
    const committed = await send(this.url(`caches/${id}`), {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ size }),
    });
    await ok(committed, 'committing the entry');
  }
}

/** github.com's cache service: twirp calls, the archive in blob storage behind signed URLs. */
class V2Client implements Client {
  constructor(private readonly service: CacheService) {}

  private async call(method: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await send(new URL(`${V2_SERVICE}/${method}`, this.service.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.service.token}` },
      body: JSON.stringify(request),
    });
    return json(response, method);
  }

  async find(keys: string[], version: string): Promise<Found | undefined> {
    const [key, ...restoreKeys] = keys;
    const answer = await this.call('GetCacheEntryDownloadURL', { key, restore_keys: restoreKeys, version });
    if (answer.ok !== true) return undefined;
    const url = typeof answer.signed_download_url === 'string' ? answer.signed_download_url : '';
    const matched = typeof answer.matched_key === 'string' ? answer.matched_key : '';
    if (url === '' || matched === '') throw new Error('the cache service answered without a download URL');
    return { key: matched, url };
  }

  async save(key: string, version: string, archive: string, size: number): Promise<void> {
    const created = await this.call('CreateCacheEntry', { key, version });
    if (created.ok !== true || typeof created.signed_upload_url !== 'string') {
      throw new Error(
        `the cache service did not take ${key}: ${refusal(created)} (another job may have saved it first)`,
      );
    }
    const uploadUrl = created.signed_upload_url;
    // One Put Blob of the whole archive; the signed URL is the credential, so no token goes with it.
    const uploaded = await send(uploadUrl, () => ({
      method: 'PUT',
      headers: {
        'x-ms-blob-type': 'BlockBlob',
        'content-type': 'application/octet-stream',
        'content-length': String(size),
      },
      body: fileRange(archive, 0, size - 1),
      duplex: 'half',
    }));
    await ok(uploaded, 'uploading the archive');
    const finalized = await this.call('FinalizeCacheEntryUpload', { key, version, size_bytes: String(size) });
    if (finalized.ok !== true) throw new Error(`the cache service did not finalize ${key}: ${refusal(finalized)}`);
  }
}

/** Why a twirp call answered `ok: false`: its message, when it gave one. */
function refusal(answer: Record<string, unknown>): string {
  return typeof answer.message === 'string' && answer.message !== '' ? answer.message : 'refused';
}

type Init = RequestInit & { duplex?: 'half' };

/**
 * One HTTP request, retried on a network error or a 5xx/429 answer (a body that is a stream is made anew for each
 * attempt, hence `init` may be a function).
 */
async function send(url: string, init: Init | (() => Init) = {}): Promise<Response> {
  let last: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const response = await fetch(url, typeof init === 'function' ? init() : init);
      if ((response.status < 500 && response.status !== 429) || attempt === ATTEMPTS) return response;
      last = new Error(`HTTP ${response.status}`);
      await response.body?.cancel();
    } catch (error) {
      last = error;
      if (attempt === ATTEMPTS) break;
    }
    await new Promise((done) => setTimeout(done, 500 * 2 ** (attempt - 1)));
  }
  throw new Error(`${redact(url)}: ${last instanceof Error ? last.message : String(last)}`);
}

async function ok(response: Response, what: string): Promise<void> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
  await response.body?.cancel();
}

async function json(response: Response, what: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 200)}`);
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`${what}: the cache service answered with something other than a JSON object`);
}

async function download(url: string, to: string): Promise<void> {
  const response = await send(url);
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new Error(`downloading the archive: HTTP ${response.status}`);
  }
  await writeBody(response, to);
}

function fileRange(path: string, start: number, end: number): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path, { start, end }));
}

/** A signed URL's query string is its credential: never in a message. */
function redact(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?…`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
