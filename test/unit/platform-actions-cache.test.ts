import { describe, expect, it } from 'vitest';
import { actionsCache, cachePath } from '../../src/platform/actions-cache.js';

describe("GitHub's Actions cache", () => {
  it('is there when the runner offers a cache service (v1 or v2)', () => {
    expect(actionsCache({ ACTIONS_CACHE_URL: 'http://127.0.0.1:1/' })?.name).toBe('Actions cache');
    expect(actionsCache({ ACTIONS_RESULTS_URL: 'https://results.example/' })).toBeDefined();
    expect(actionsCache({})).toBeUndefined();
    expect(actionsCache({ ACTIONS_CACHE_URL: '' })).toBeUndefined();
  });

  it('spells paths under the home directory with ~, so that the entry matches on every runner', () => {
    expect(cachePath('/home/runner/.cache/trivy/db', '/home/runner')).toBe('~/.cache/trivy/db');
    expect(cachePath('/srv/cache/trivy/db', '/home/runner')).toBe('/srv/cache/trivy/db');
    expect(cachePath('/home/runnerx/db', '/home/runner')).toBe('/home/runnerx/db');
  });
});
