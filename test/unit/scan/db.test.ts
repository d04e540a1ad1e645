import { describe, expect, it } from 'vitest';
import { age, dbCacheKeys, downloadDbArgs, parseDbMetadata, trivyCacheDir } from '../../../src/scan/db.js';

describe("Trivy's database in the Actions cache", () => {
  it('is keyed by the UTC day, falling back to yesterday and then to any earlier day', () => {
    expect(dbCacheKeys(new Date('2026-03-01T00:30:00Z'))).toEqual({
      key: 'docker-build-trivy-db-v2-2026-03-01',
      restoreKeys: ['docker-build-trivy-db-v2-2026-02-28', 'docker-build-trivy-db-v2-'],
    });
    expect(dbCacheKeys(new Date('2026-12-31T23:59:59Z')).key).toBe('docker-build-trivy-db-v2-2026-12-31');
  });
});

describe("Trivy's cache directory", () => {
  const env = { HOME: '/home/me', RUNNER_TEMP: '/runner/_temp', CI_PROJECT_DIR: '/builds/g/p' };
  it.each([
    ['given, relative to the working directory', 'cache', 'local', {}, '/w/cache'],
    ['given, absolute', '/abs/trivy', 'github', env, '/abs/trivy'],
    ["on GitHub, Trivy's own default (the same path in every job)", undefined, 'github', env, '/home/me/.cache/trivy'],
    ['on GitLab, in the project, for the job cache', undefined, 'gitlab', env, '/w/.cache/trivy'],
    ["locally, Trivy's own default", undefined, 'local', env, '/home/me/.cache/trivy'],
    ['locally, under XDG_CACHE_HOME', undefined, 'local', { ...env, XDG_CACHE_HOME: '/xdg' }, '/xdg/trivy'],
    ['locally, TRIVY_CACHE_DIR', undefined, 'local', { ...env, TRIVY_CACHE_DIR: '/t' }, '/t'],
  ] as const)('%s', (_, given, platform, vars, want) => {
    expect(trivyCacheDir(given, platform, vars, '/w')).toBe(want);
  });
});

describe('fetching the database', () => {
  it('downloads it alone, from the mirrors in order, into the cache directory', () => {
    expect(
      downloadDbArgs(
        '/c',
        { dbRepositories: ['a.example/db:2', 'b.example/db:2'], javaDbRepositories: ['j/db:1'] },
        '5m',
      ),
    ).toEqual([
      'image',
      '--download-db-only',
      '--no-progress',
      '--timeout=5m',
      '--cache-dir=/c',
      '--db-repository=a.example/db:2',
      '--db-repository=b.example/db:2',
      '--java-db-repository=j/db:1',
    ]);
  });

  it("reads the database's metadata.json", () => {
    expect(
      parseDbMetadata('{"Version":2,"NextUpdate":"2026-03-01T12:00:00Z","UpdatedAt":"2026-03-01T06:00:00Z"}'),
    ).toEqual({
      version: 2,
      updatedAt: new Date('2026-03-01T06:00:00Z'),
      nextUpdate: new Date('2026-03-01T12:00:00Z'),
    });
    expect(parseDbMetadata('{not json')).toBeUndefined();
    expect(parseDbMetadata('{"Version":2}')).toBeUndefined();
    expect(parseDbMetadata('{"Version":2,"NextUpdate":"soon","UpdatedAt":"then"}')).toBeUndefined();
  });

  it('says how old a database is', () => {
    const now = new Date('2026-03-10T00:00:00Z');
    expect(age(new Date('2026-03-07T00:00:00Z'), now)).toBe('3 days');
    expect(age(new Date('2026-03-09T19:00:00Z'), now)).toBe('5 hours');
    expect(age(new Date('2026-03-09T23:48:00Z'), now)).toBe('12 minutes');
  });
});
