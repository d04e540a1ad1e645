/**
 * Trivy's vulnerability database: where it is kept, how it is fetched, and how it is cached between jobs. Pure: the
 * clock and the environment come in as arguments.
 *
 * The database is fetched once per run (`trivy image --download-db-only`), then every platform's scan runs with
 * `--skip-db-update`: one download, not one per platform, and no scan that fails half-way for a rate limit
 * (TOOMANYREQUESTS, aquasecurity/trivy-action#389).
 */
import { join, resolve } from 'node:path';
import type { Platform } from '../context/types.js';

/** The schema version of Trivy's DB (trivy-db's `SchemaVersion`), part of the cache key: a new schema, a new entry. */
export const DB_SCHEMA = 2;

const KEY_PREFIX = `docker-build-trivy-db-v${DB_SCHEMA}-`;

export interface DbCacheKeys {
  /** today's entry (UTC) */
  key: string;
  /** what to fall back to: yesterday's entry, then the newest earlier one (the Actions cache matches by prefix) */
  restoreKeys: string[];
}

/**
 * One Actions cache entry a day, as trivy-action keys it: the first job of the day fetches the database and saves
 * it; every later job that day restores it and downloads nothing. A job that finds only yesterday's entry starts
 * from it and lets Trivy update it, and still has it when the download is refused.
 */
export function dbCacheKeys(now: Date): DbCacheKeys {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const yesterday = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  return { key: `${KEY_PREFIX}${day(now)}`, restoreKeys: [`${KEY_PREFIX}${day(yesterday)}`, KEY_PREFIX] };
}

/** The directories of the cache dir worth keeping between jobs: the databases, not the per-image layer cache. */
export function dbCachePaths(cacheDir: string): string[] {
  return [join(cacheDir, 'db'), join(cacheDir, 'java-db')];
}

/**
 * Where Trivy keeps its databases: the `trivy-cache-dir` input; on GitLab, `.cache/trivy` in the project directory,
 * where the job's `cache:` can keep it; elsewhere Trivy's own default (`~/.cache/trivy`), so that runs on a laptop
 * share it with plain `trivy`, and on GitHub the Actions cache entry has a path that is the same in every job (the
 * entry's version is a hash of its paths, and the job's temporary directory differs from one act run to the next).
 */
export function trivyCacheDir(
  given: string | undefined,
  platform: Platform,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string {
  if (given !== undefined) return resolve(cwd, given);
  // The job runs in the project directory (CI_PROJECT_DIR); the job's `cache:` paths are relative to it.
  if (platform === 'gitlab') return join(cwd, '.cache', 'trivy');
  if (env.TRIVY_CACHE_DIR !== undefined && env.TRIVY_CACHE_DIR !== '') return env.TRIVY_CACHE_DIR;
  const xdg = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : undefined;
  return join(xdg ?? join(env.HOME ?? cwd, '.cache'), 'trivy');
}

export interface DbSources {
  /** OCI repositories of the vulnerability DB, tried in order; empty: Trivy's defaults */
  dbRepositories: readonly string[];
  /** OCI repositories of the Java DB (fetched by Trivy when an image holds JARs); empty: Trivy's defaults */
  javaDbRepositories: readonly string[];
}

/** The database flags every Trivy run shares. */
export function dbFlags(cacheDir: string, sources: DbSources): string[] {
  return [
    `--cache-dir=${cacheDir}`,
    ...sources.dbRepositories.map((repository) => `--db-repository=${repository}`),
    ...sources.javaDbRepositories.map((repository) => `--java-db-repository=${repository}`),
  ];
}

/** `trivy image --download-db-only`: fetches the vulnerability DB when the one in the cache dir is not current. */
export function downloadDbArgs(cacheDir: string, sources: DbSources, timeout: string): string[] {
  return [
    'image',
    '--download-db-only',
    '--no-progress',
    // Not --quiet: its log names the repository the database came from.
    `--timeout=${timeout}`,
    ...dbFlags(cacheDir, sources),
  ];
}

/** What `metadata.json` beside `trivy.db` says. */
export interface DbMetadata {
  version: number;
  updatedAt: Date;
  nextUpdate: Date;
}

export function parseDbMetadata(text: string): DbMetadata | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { Version, UpdatedAt, NextUpdate } = value as Record<string, unknown>;
  if (typeof Version !== 'number' || typeof UpdatedAt !== 'string' || typeof NextUpdate !== 'string') return undefined;
  const updatedAt = new Date(UpdatedAt);
  const nextUpdate = new Date(NextUpdate);
  if (Number.isNaN(updatedAt.getTime()) || Number.isNaN(nextUpdate.getTime())) return undefined;
  return { version: Version, updatedAt, nextUpdate };
}

/** `2 days` / `5 hours` / `12 minutes`: how old a database is, for a warning. */
export function age(since: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - since.getTime()) / 60_000));
  if (minutes >= 48 * 60) return `${Math.round(minutes / (24 * 60))} days`;
  if (minutes >= 120) return `${Math.round(minutes / 60)} hours`;
  return `${minutes} minutes`;
}
