/**
 * Getting Trivy's vulnerability database before the scans: restored from the CI cache where there is one (GitHub's
 * Actions cache, one entry a day), brought up to date from its repositories (a mirror, when `db-repository` names
 * one), and saved back once a day. When no database can be had the gate fails closed, unless `scan-fail-open`.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError } from '../../exec/runner.js';
import {
  age,
  DB_SCHEMA,
  dbCacheKeys,
  dbCachePaths,
  downloadDbArgs,
  parseDbMetadata,
  type DbSources,
} from '../../scan/db.js';
import { GateError } from '../../scan/gate-error.js';
import {
  dbCurrent,
  dbDownloaded,
  dbDownloading,
  dbNotCached,
  dbRepositories,
  dbRestored,
  dbSaved,
} from '../../scan/progress.js';
import { downloadedFrom, parseTrivyLogLine, type TrivyLogLine } from '../../scan/trivy-log.js';
import { systemClock } from '../clock.js';
import type { JobCache } from '../../platform/types.js';
import type { StepContext } from '../step.js';

export interface DbState {
  cacheDir: string;
  /** there is a database to scan with: scans run with `--skip-db-update` */
  ready: boolean;
  /** the cache key to save under after the scans; undefined: nothing to save (today's entry was restored) */
  saveKey: string | undefined;
}

export interface DbOptions {
  trivy: string;
  cacheDir: string;
  sources: DbSources;
  timeout: string;
  cache: JobCache | undefined;
  now: Date;
  signal?: AbortSignal;
}

/** Restores, then updates the database. Throws a `no-db` GateError when there is none to scan with. */
export async function prepareDb(step: StepContext, options: DbOptions): Promise<DbState> {
  const { cacheDir, cache, now } = options;
  const clock = step.clock ?? systemClock;
  const keys = dbCacheKeys(now);
  let restored: string | undefined;
  if (cache !== undefined) {
    const started = clock.now();
    try {
      restored = await cache.restore(dbCachePaths(cacheDir), keys.key, keys.restoreKeys);
    } catch (error) {
      step.reporter.warning(`Trivy DB: the ${cache.name} could not be read: ${message(error)}`);
    }
    const elapsed = clock.now() - started;
    step.reporter.info(
      restored === undefined
        ? dbNotCached(cache.name, keys.key, elapsed)
        : dbRestored(cache.name, restored, diskUsage(dbCachePaths(cacheDir)), elapsed),
    );
  }
  const saveKey = cache === undefined || restored === keys.key ? undefined : keys.key;
  const current = readMetadata(cacheDir);
  // Today's entry is current enough: no download at all.
  if (restored === keys.key && current !== undefined) return { cacheDir, ready: true, saveKey };
  // A database whose publisher says the next one is not out yet: Trivy would only read this and stop, so do not
  // start it (its start-up is what a short build waits for).
  if (current?.version === DB_SCHEMA && current.nextUpdate > now) {
    const file = join(cacheDir, 'db', 'trivy.db');
    step.reporter.info(dbCurrent(file, statSync(file).size, current.updatedAt, current.nextUpdate));
    return { cacheDir, ready: true, saveKey };
  }

  step.reporter.info(dbDownloading(options.sources.dbRepositories));
  const started = clock.now();
  // Trivy's log names the repository it took the database from (it tries them in order).
  const logged: TrivyLogLine[] = [];
  try {
    await step.runner.run(options.trivy, downloadDbArgs(cacheDir, options.sources, options.timeout), {
      env: step.docker.vars,
      quiet: true,
      onStderrLine: (line) => {
        const parsed = parseTrivyLogLine(line);
        if (parsed !== undefined) logged.push(parsed);
      },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (options.signal?.aborted === true || !(error instanceof CommandError)) throw error;
    const held = readMetadata(cacheDir);
    const from = dbRepositories(options.sources.dbRepositories);
    if (held === undefined) {
      throw new GateError(
        `Trivy could not download its vulnerability database from ${from}:\n${error.stderrTail}`,
        'no-db',
      );
    }
    step.reporter.warning(
      `Trivy could not update its vulnerability database from ${from}; scanning with the one it has, ` +
        `updated ${age(held.updatedAt, now)} ago (${held.updatedAt.toISOString()})`,
    );
    return { cacheDir, ready: true, saveKey: undefined };
  }
  const held = readMetadata(cacheDir);
  if (held === undefined) throw new GateError(`Trivy reported no error, and ${cacheDir}/db holds no database`, 'no-db');
  const file = join(cacheDir, 'db', 'trivy.db');
  step.reporter.info(
    dbDownloaded(downloadedFrom(logged), file, statSync(file).size, held.updatedAt, clock.now() - started),
  );
  return { cacheDir, ready: true, saveKey };
}

/** Saves the database for the next jobs of the day, once a day. A cache that refuses is a warning. */
export async function saveDb(step: StepContext, state: DbState, cache: JobCache | undefined): Promise<void> {
  if (cache === undefined || state.saveKey === undefined || !state.ready) return;
  const clock = step.clock ?? systemClock;
  const paths = dbCachePaths(state.cacheDir);
  const bytes = diskUsage(paths);
  const started = clock.now();
  try {
    await cache.save(paths, state.saveKey);
    step.reporter.info(dbSaved(cache.name, state.saveKey, bytes, clock.now() - started));
  } catch (error) {
    step.reporter.warning(`Trivy DB: not saved to the ${cache.name}: ${message(error)}`);
  }
}

function readMetadata(cacheDir: string) {
  const file = join(cacheDir, 'db', 'metadata.json');
  if (!existsSync(file) || !existsSync(join(cacheDir, 'db', 'trivy.db'))) return undefined;
  return parseDbMetadata(readFileSync(file, 'utf8'));
}

/** The bytes of the files under `paths` (the cache's archive is made of these; missing paths count 0). */
export function diskUsage(paths: readonly string[]): number {
  let total = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const top = lstatSync(path);
    if (!top.isDirectory()) {
      total += top.isFile() ? top.size : 0;
      continue;
    }
    for (const name of readdirSync(path, { recursive: true, encoding: 'utf8' })) {
      const entry = lstatSync(join(path, name));
      if (entry.isFile()) total += entry.size;
    }
  }
  return total;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
