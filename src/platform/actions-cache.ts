/**
 * GitHub's Actions cache, through @actions/cache (both cache services: v2 where the runner gives
 * `ACTIONS_RESULTS_URL`, v1 where it gives `ACTIONS_CACHE_URL`, as on GHES and act). Loaded only when a run uses it,
 * so `plan` and runs elsewhere do not pay for it.
 */
import { homedir } from 'node:os';
import { relative, sep } from 'node:path';
import type { JobCache } from '../pipeline/trivy-db.js';

/**
 * An entry's version is a hash of its paths as spelled, so a path under the home directory is spelled `~/...`
 * (@actions/glob expands it): the same entry matches on every runner of a user, whatever its home.
 */
export function cachePath(path: string, home = homedir()): string {
  const inside = relative(home, path);
  return inside === '' || inside.startsWith('..') || inside.startsWith(sep) ? path : `~/${inside}`;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The Actions cache when the runner offers one, else undefined. */
export function actionsCache(env: Env): JobCache | undefined {
  const offered = (name: string) => env[name] !== undefined && env[name] !== '';
  if (!offered('ACTIONS_CACHE_URL') && !offered('ACTIONS_RESULTS_URL')) return undefined;
  return {
    name: 'Actions cache',
    async restore(paths, key, restoreKeys) {
      const cache = await import('@actions/cache');
      return cache.restoreCache(
        paths.map((path) => cachePath(path)),
        key,
        restoreKeys,
      );
    },
    async save(paths, key) {
      const cache = await import('@actions/cache');
      // -1: not saved, and @actions/cache has said why (another job saved the key first, or the token is read-only).
      await cache.saveCache(
        paths.map((path) => cachePath(path)),
        key,
      );
    },
  };
}
