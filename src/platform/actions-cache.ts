/**
 * GitHub's Actions cache, for the Trivy DB, through @actions/cache: GitHub changes the cache service's protocol (the
 * v1 service of github.com was shut down in 2025, and clients not on the toolkit broke), and the toolkit follows it.
 * It speaks both services: v2 (twirp calls on ACTIONS_RESULTS_URL, the archive in blob storage behind signed URLs,
 * uploaded in blocks by Azure's storage client) where the runner sets ACTIONS_CACHE_SERVICE_V2 and the server is not
 * GHES, v1 (ACTIONS_CACHE_URL's artifactcache API: GHES, act) otherwise.
 *
 * @actions/cache and Azure's client are most of a megabyte: they are loaded with a dynamic `import()`, which ncc
 * emits as a chunk of its own in dist/, read only when a job restores or saves the DB. `cacheService` answers
 * "is there a cache?" (the plan asks it to choose the gha layer cache) without loading them.
 *
 * What the toolkit does, and what this module adds:
 * - An entry's version is a hash of its paths as given: a path under the home directory is given as `~/...`, which
 *   @actions/glob expands to the home directory, so the same entry matches on every runner of a user, whatever its
 *   home. The archive is made by `tar` (zstd when the runner has it, else gzip), its entries relative to
 *   GITHUB_WORKSPACE.
 * - Failures are never a failed run: @actions/cache reports a failed restore as a warning of its own and answers "no
 *   hit"; a failed save (another job saved the key first, the service refused) is a warning or a notice of its own
 *   and answers -1, which `save` turns into an error for the pipeline's warning ("not saved to the Actions cache").
 *   Its messages name neither the runtime token nor a signed URL (it registers those with the runner's mask).
 * - Time limits: requests to the service are retried by the toolkit (5xx, not 429); a download from blob storage
 *   gives up on a 4 MiB block after `timeoutInMs` and on a segment of up to 128 MiB after `segmentTimeoutInMs`
 *   (the runner's SEGMENT_DOWNLOAD_TIMEOUT_MINS overrides it), then Trivy downloads the DB itself; a download from
 *   another server (act, GHES storage) is dropped after 5 s without data. @actions/cache takes no AbortSignal: a
 *   cancelled job is stopped by the runner's signals to the process.
 */
import { homedir } from 'node:os';
import { relative, sep } from 'node:path';
import type { DownloadOptions } from '@actions/cache';
import type { JobCache } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The download's limits (see the header): a stuck restore costs two minutes at most before Trivy's own download. */
export const DOWNLOAD_OPTIONS: DownloadOptions = { timeoutInMs: 30_000, segmentTimeoutInMs: 120_000 };

/**
 * An entry's version is a hash of its paths as spelled, so a path under the home directory is spelled `~/...`: the
 * same entry matches on every runner of a user, whatever its home.
 */
export function cachePath(path: string, home = homedir()): string {
  const inside = relative(home, path);
  return inside === '' || inside.startsWith('..') || inside.startsWith(sep) ? path : `~/${inside}`;
}

/** Which cache service the runner offers, and where; undefined when none. */
export interface CacheService {
  protocol: 'v1' | 'v2';
  url: string;
}

/**
 * The service @actions/cache will speak, and where, decided as it decides (its internal/config.ts) from the variables
 * alone: v2 when the runner says so, never on GHES (whose server is not github.com, *.ghe.com or *.localhost).
 */
export function cacheService(env: Env): CacheService | undefined {
  const given = (name: string) => (env[name] ?? '') !== '';
  const host = hostOf(env.GITHUB_SERVER_URL ?? 'https://github.com');
  const ghes = !(host === 'github.com' || host.endsWith('.ghe.com') || host.endsWith('.localhost'));
  if (given('ACTIONS_CACHE_SERVICE_V2') && !ghes) {
    return given('ACTIONS_RESULTS_URL') ? { protocol: 'v2', url: env.ACTIONS_RESULTS_URL ?? '' } : undefined;
  }
  const url = given('ACTIONS_CACHE_URL') ? env.ACTIONS_CACHE_URL : env.ACTIONS_RESULTS_URL;
  return url === undefined || url === '' ? undefined : { protocol: 'v1', url };
}

/**
 * The Actions cache when the runner offers one, else undefined. @actions/cache reads the runner's variables from
 * `process.env` (the env given here is the same, in a job). `debug` receives the keys and paths tried.
 */
export function actionsCache(
  env: Env,
  debug: (line: string) => void = () => undefined,
  home = homedir(),
): JobCache | undefined {
  const service = cacheService(env);
  if (service === undefined) return undefined;
  // Its own chunk of dist/, read on first use only.
  const toolkit = () => import('@actions/cache');
  const spell = (paths: readonly string[]) => paths.map((path) => cachePath(path, home));

  return {
    name: 'Actions cache',
    async restore(paths, key, restoreKeys) {
      const spelled = spell(paths);
      debug(
        `Actions cache (${service.protocol}): looking up ${[key, ...restoreKeys].join(', ')} for ${spelled.join(', ')}`,
      );
      const { restoreCache } = await toolkit();
      return restoreCache(spelled, key, restoreKeys, { ...DOWNLOAD_OPTIONS });
    },
    async save(paths, key) {
      const spelled = spell(paths);
      debug(`Actions cache (${service.protocol}): saving ${spelled.join(', ')} as ${key}`);
      const { saveCache } = await toolkit();
      const id = await saveCache(spelled, key);
      // -1: @actions/cache did not save, and has said why in the log (a key saved first by another job, say).
      if (id === -1) throw new Error(`the cache service did not take ${key}`);
    },
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}
