// The Actions cache (@actions/cache behind the JobCache interface) against an in-process cache service that answers
// what @actions/cache 6.3 sends: v1, act's and GHES's artifactcache API (reserve, ranged PATCH uploads, commit, and
// the archive downloaded from the location it names); v2, the twirp CacheService in JSON with signed blob URLs (the
// archive put by Azure's storage client in one Put Blob, and downloaded with a plain GET).
//
// Not covered here, as it cannot be on loopback: @actions/cache sends a download through Azure's storage client only
// when the URL's host ends in .blob.core.windows.net (elsewhere it is a plain GET, as here), and Azure's client
// uploads in staged blocks only past 128 MiB (a smaller archive, as here, is one Put Blob). act's real v1 server is
// exercised end to end by test/e2e/pipeline/act.test.ts and act-cache.test.ts.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { actionsCache, cachePath, cacheService } from '../../../src/platform/actions-cache.js';
import { FakeCacheService, SIGNATURE, TOKEN } from '../../helpers/cache-service.js';

function trivyCache(root: string, marker: string): string {
  const dir = join(root, '.cache', 'trivy');
  mkdirSync(join(dir, 'db'), { recursive: true });
  writeFileSync(join(dir, 'db', 'trivy.db'), `${marker}\n`.repeat(20_000));
  writeFileSync(join(dir, 'db', 'metadata.json'), `{"marker":"${marker}"}`);
  return dir;
}

describe("GitHub's Actions cache through @actions/cache", () => {
  const service = new FakeCacheService();
  let root: string;
  let home: string;
  let stdout: string[] = [];
  const debug: string[] = [];

  beforeAll(async () => {
    await service.start();
    root = mkdtempSync(join(tmpdir(), 'actions-cache-'));
  });

  afterAll(async () => {
    await service.stop();
    rmSync(root, { recursive: true, force: true });
  });

  // @actions/cache reads the runner's variables from process.env, and @actions/core writes to process.stdout. Each
  // test is a new runner: a new home (where `~` expands), workspace and temporary directory.
  beforeEach(() => {
    home = mkdtempSync(join(root, 'home-'));
    const workspace = join(home, 'work', 'repo', 'repo');
    mkdirSync(workspace, { recursive: true });
    vi.stubEnv('HOME', home);
    vi.stubEnv('GITHUB_WORKSPACE', workspace);
    vi.stubEnv('RUNNER_TEMP', mkdtempSync(join(root, 'temp-')));
    vi.stubEnv('GITHUB_SERVER_URL', 'https://github.com');
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', TOKEN);
    vi.stubEnv('RUNNER_DEBUG', '');
    stdout = [];
    debug.length = 0;
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(chunk.toString());
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  function runnerOffers(protocol: 'v1' | 'v2', base = service.base): Record<string, string> {
    const env: Record<string, string> =
      protocol === 'v1'
        ? { ACTIONS_CACHE_URL: base, ACTIONS_RESULTS_URL: '', ACTIONS_CACHE_SERVICE_V2: '' }
        : { ACTIONS_CACHE_URL: '', ACTIONS_RESULTS_URL: base, ACTIONS_CACHE_SERVICE_V2: 'True' };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    return env;
  }

  function cacheFor(protocol: 'v1' | 'v2', base = service.base) {
    const cache = actionsCache(runnerOffers(protocol, base), (line) => debug.push(line), home);
    if (cache === undefined) throw new Error('no cache');
    return cache;
  }

  /** What the job log shows, add-mask commands aside. */
  const shown = () => stdout.filter((line) => !line.startsWith('::add-mask::')).join('');

  it('is there when the runner offers a cache service, with the protocol @actions/cache will speak', () => {
    expect(cacheService({ ACTIONS_CACHE_URL: 'http://127.0.0.1:1/' })).toEqual({
      protocol: 'v1',
      url: 'http://127.0.0.1:1/',
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
    ).toEqual({ protocol: 'v1', url: 'https://ghes.example/cache/' });
    // v2 asked for on github.com without its URL: @actions/cache would have nowhere to go
    expect(cacheService({ ACTIONS_CACHE_URL: 'https://x/', ACTIONS_CACHE_SERVICE_V2: 'True' })).toBeUndefined();
    expect(cacheService({})).toBeUndefined();
    expect(cacheService({ ACTIONS_CACHE_URL: '' })).toBeUndefined();
    expect(actionsCache({})).toBeUndefined();
  });

  it('spells paths under the home directory with ~, so that the entry matches on every runner', () => {
    expect(cachePath('/home/runner/.cache/trivy/db', '/home/runner')).toBe('~/.cache/trivy/db');
    expect(cachePath('/home/runner', '/home/runner')).toBe('/home/runner');
    expect(cachePath('/srv/cache/trivy/db', '/home/runner')).toBe('/srv/cache/trivy/db');
    expect(cachePath('/home/runnerx/db', '/home/runner')).toBe('/home/runnerx/db');
  });

  for (const protocol of ['v1', 'v2'] as const) {
    it(`${protocol}: saves, then restores by restore-key prefix on another runner that has nothing`, async () => {
      const source = trivyCache(home, `${protocol}-day-1`);
      const paths = [join(source, 'db'), join(source, 'java-db')]; // java-db absent: saved without it
      const before = service.requests.length;
      await cacheFor(protocol).save(paths, `trivy-${protocol}-2026-03-01`);
      expect(debug).toEqual([
        `Actions cache (${protocol}): saving ~/.cache/trivy/db, ~/.cache/trivy/java-db as trivy-${protocol}-2026-03-01`,
      ]);

      // the next job: another runner, with another home and workspace, nothing on disk
      home = mkdtempSync(join(root, 'home-'));
      vi.stubEnv('HOME', home);
      const workspace = join(home, 'work', 'repo', 'repo');
      mkdirSync(workspace, { recursive: true });
      vi.stubEnv('GITHUB_WORKSPACE', workspace);
      const target = join(home, '.cache', 'trivy');
      const restored = await cacheFor(protocol).restore(
        [join(target, 'db'), join(target, 'java-db')],
        `trivy-${protocol}-2026-03-02`,
        [`trivy-${protocol}-2026-03-01`, `trivy-${protocol}-`],
      );
      expect(restored, shown()).toBe(`trivy-${protocol}-2026-03-01`);
      expect(readFileSync(join(target, 'db', 'metadata.json'), 'utf8')).toBe(`{"marker":"${protocol}-day-1"}`);
      expect(readFileSync(join(target, 'db', 'trivy.db'), 'utf8')).toBe(`${protocol}-day-1\n`.repeat(20_000));
      expect(existsSync(join(target, 'java-db'))).toBe(false);
      expect(debug.at(-1)).toBe(
        `Actions cache (${protocol}): looking up trivy-${protocol}-2026-03-02, trivy-${protocol}-2026-03-01, ` +
          `trivy-${protocol}- for ~/.cache/trivy/db, ~/.cache/trivy/java-db`,
      );

      // the token goes to the service, never to a signed URL; the archive went to and came from the signed URL
      const requests = service.requests.slice(before);
      for (const request of requests) {
        expect(request.auth, request.path).toBe(request.path.startsWith('/account/') ? undefined : `Bearer ${TOKEN}`);
      }
      const blob = requests.filter((request) => request.path.startsWith('/account/'));
      if (protocol === 'v1') {
        expect(blob.map((request) => request.method)).toEqual(['GET']);
        expect(requests.find((r) => r.method === 'PATCH')?.range).toMatch(/^bytes 0-\d+\/\*$/);
      } else {
        expect(blob.map((request) => `${request.method} ${request.blobType ?? ''}`)).toEqual(['PUT BlockBlob', 'GET ']);
      }
      // The token is in nothing the job shows. The signature is registered with the runner's mask (v1: the whole
      // signed URL; v2: its sig parameter) before any line that holds it, so the runner never shows it.
      expect(stdout.join('')).not.toContain(TOKEN);
      const masked = stdout.findIndex((line) => line.startsWith('::add-mask::') && line.includes(SIGNATURE));
      const holding = stdout.findIndex((line) => !line.startsWith('::add-mask::') && line.includes(SIGNATURE));
      expect(masked).toBeGreaterThanOrEqual(0);
      if (holding !== -1) expect(masked).toBeLessThan(holding);
    });

    it(`${protocol}: a miss is undefined; a key saved twice is refused, as an error for the pipeline's warning`, async () => {
      const cache = cacheFor(protocol);
      const dir = join(home, '.cache', 'miss');
      expect(await cache.restore([join(dir, 'db')], 'nothing-like-this', ['nothing-'])).toBeUndefined();
      expect(existsSync(dir)).toBe(false);
      const source = trivyCache(home, 'x');
      await cache.save([join(source, 'db')], `twice-${protocol}`);
      await expect(cache.save([join(source, 'db')], `twice-${protocol}`)).rejects.toThrow(
        `the cache service did not take twice-${protocol}`,
      );
      // @actions/cache said why, in the log
      expect(shown()).toContain(`Failed to save: Unable to reserve cache with key twice-${protocol}`);
      // another path set is another version: not restored by a reader of different paths
      expect(await cache.restore([join(dir, 'other')], `twice-${protocol}`, [])).toBeUndefined();
    });

    it(`${protocol}: nothing to save is an error that says so`, async () => {
      await expect(cacheFor(protocol).save([join(home, 'absent', 'db')], `absent-${protocol}`)).rejects.toThrow(
        /Path\(s\) specified in the action for caching do\(es\) not exist/,
      );
    });
  }

  it('a service that refuses the token, or cannot be reached: no hit, a warning, and never the token', async () => {
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', 'wrong-token-456');
    const refused = cacheFor('v1');
    expect(await refused.restore([join(home, 'x', 'db')], 'k', [])).toBeUndefined();
    expect(shown()).toMatch(/^::warning::Failed to restore: Cache service responded with 401$/m);
    const unreachable = cacheFor('v2', 'http://127.0.0.1:9/');
    expect(await unreachable.restore([join(home, 'x', 'db')], 'k', [])).toBeUndefined();
    expect(shown()).toMatch(/^::warning::Failed to restore: .*GetCacheEntryDownloadURL.*ECONNREFUSED/m);
    expect(stdout.join('')).not.toContain('wrong-token-456');
  }, 30_000);
});
