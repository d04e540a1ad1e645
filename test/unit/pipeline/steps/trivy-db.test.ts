// Preparing Trivy's database before the scans: a stand-in `trivy` (a shell script) that writes a database, or fails as
// a rate-limited download does, and an in-memory job cache.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskUsage, prepareDb, saveDb } from '../../../../src/pipeline/steps/trivy-db.js';
import type { JobCache } from '../../../../src/platform/types.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { testStep } from '../../helpers/step.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const TODAY = 'docker-build-trivy-db-v2-2026-03-02';
const YESTERDAY = 'docker-build-trivy-db-v2-2026-03-01';
const SOURCES = { dbRepositories: ['mirror.example.com/trivy-db:2'], javaDbRepositories: [] };

function writeDb(cacheDir: string, updatedAt: string, nextUpdate = '2026-03-02T16:00:00Z') {
  mkdirSync(join(cacheDir, 'db'), { recursive: true });
  writeFileSync(join(cacheDir, 'db', 'trivy.db'), 'bolt');
  writeFileSync(
    join(cacheDir, 'db', 'metadata.json'),
    JSON.stringify({ Version: 2, UpdatedAt: updatedAt, NextUpdate: nextUpdate }),
  );
}

/** A trivy that logs its arguments, then writes a database into --cache-dir (or fails, when `fails`). */
function fakeTrivy(dir: string, fails: boolean): string {
  const path = join(dir, 'trivy');
  const write = `mkdir -p "$cache/db"; echo bolt >"$cache/db/trivy.db"; echo '{"Version":2,"UpdatedAt":"2026-03-02T06:00:00Z","NextUpdate":"2026-03-02T12:00:00Z"}' >"$cache/db/metadata.json"`;
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      `echo "$*" >>${join(dir, 'calls')}`,
      'for a in "$@"; do case "$a" in --cache-dir=*) cache="${a#--cache-dir=}";; esac; done',
      fails
        ? 'echo "FATAL: failed to download vulnerability DB: TOOMANYREQUESTS" >&2; exit 1'
        : `${write}; printf '2026-03-02T10:00:00Z\\tINFO\\t[vulndb] Artifact successfully downloaded\\trepo="mirror.example.com/trivy-db:2"\\n' >&2`,
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

/** A job cache holding entries by key, each a copy of the paths saved; each call takes `takes` ms of `clock`. */
class MemoryCache implements JobCache {
  readonly name = 'test cache';
  readonly saved: string[] = [];
  constructor(
    private readonly root: string,
    private readonly entries: Record<string, string> = {},
    private readonly clock?: FakeClock,
    private readonly takes = 0,
  ) {}

  restore(paths: string[], key: string, restoreKeys: string[]) {
    this.clock?.advance(this.takes);
    const found = [key, ...restoreKeys]
      .map((wanted) => Object.keys(this.entries).find((entry) => entry.startsWith(wanted)))
      .find((entry) => entry !== undefined);
    if (found === undefined) return Promise.resolve(undefined);
    const from = this.entries[found];
    for (const path of paths) {
      const name = path.split('/').pop() ?? '';
      if (from !== undefined && existsSync(join(from, name))) cpSync(join(from, name), path, { recursive: true });
    }
    return Promise.resolve(found);
  }

  save(paths: string[], key: string) {
    this.clock?.advance(this.takes);
    const to = join(this.root, key);
    for (const path of paths)
      if (existsSync(path)) cpSync(path, join(to, path.split('/').pop() ?? ''), { recursive: true });
    this.entries[key] = to;
    this.saved.push(key);
    return Promise.resolve();
  }
}

function setup(fails = false) {
  const { dir, step, log, calls } = testStep('db-');
  const clock = new FakeClock();
  step.clock = clock;
  const options = {
    trivy: fakeTrivy(dir, fails),
    cacheDir: join(dir, 'cache'),
    sources: SOURCES,
    timeout: '5m',
    now: NOW,
  };
  return { dir, step, log, calls, options, clock };
}

describe("Trivy's database, prepared once before the scans", () => {
  it('without a job cache, is downloaded from the mirror, and nothing is saved', async () => {
    const { step, options, calls } = setup();
    const state = await prepareDb(step, { ...options, cache: undefined });
    expect(state).toEqual({ cacheDir: options.cacheDir, ready: true, saveKey: undefined });
    expect(calls()).toEqual([
      `image --download-db-only --no-progress --timeout=5m --cache-dir=${options.cacheDir} --db-repository=mirror.example.com/trivy-db:2`,
    ]);
  });

  it("from today's cache entry, downloads nothing and saves nothing", async () => {
    const { dir, step, options, calls } = setup();
    writeDb(join(dir, 'entry'), '2026-03-02T06:00:00Z');
    const cache = new MemoryCache(dir, { [TODAY]: join(dir, 'entry') });
    const state = await prepareDb(step, { ...options, cache });
    expect(state.ready).toBe(true);
    expect(state.saveKey).toBeUndefined();
    expect(calls()).toEqual([]);
    await saveDb(step, state, cache);
    expect(cache.saved).toEqual([]);
  });

  it("from yesterday's entry, lets Trivy update it, then saves today's", async () => {
    const { dir, step, options, calls, log } = setup();
    writeDb(join(dir, 'entry'), '2026-03-01T06:00:00Z', '2026-03-01T12:00:00Z');
    const cache = new MemoryCache(dir, { [YESTERDAY]: join(dir, 'entry') });
    const state = await prepareDb(step, { ...options, cache });
    expect(log.join('\n')).toContain(`Trivy DB: restored from the test cache (${YESTERDAY})`);
    expect(calls()).toHaveLength(1);
    expect(state.saveKey).toBe(TODAY);
    await saveDb(step, state, cache);
    expect(cache.saved).toEqual([TODAY]);
    expect(readFileSync(join(dir, TODAY, 'db', 'metadata.json'), 'utf8')).toContain('2026-03-02T06:00:00Z');
  });

  it("when the download is refused, scans with yesterday's database, with a warning saying how old it is", async () => {
    const { dir, step, options, log } = setup(true);
    writeDb(join(dir, 'entry'), '2026-03-01T04:00:00Z', '2026-03-01T10:00:00Z');
    const cache = new MemoryCache(dir, { [YESTERDAY]: join(dir, 'entry') });
    const state = await prepareDb(step, { ...options, cache });
    expect(state).toEqual({ cacheDir: options.cacheDir, ready: true, saveKey: undefined });
    expect(log.join('\n')).toMatch(
      /could not update its vulnerability database from mirror.example.com\/trivy-db:2; scanning with the one it has, updated 30 hours ago/,
    );
  });

  it('says where it came from, its size on disk, and the time each part took', async () => {
    const { dir, step, options, log, clock } = setup();
    const cache = new MemoryCache(dir, {}, clock, 1500);
    const state = await prepareDb(step, { ...options, cache });
    await saveDb(step, state, cache);
    const file = join(options.cacheDir, 'db', 'trivy.db');
    const saved = diskUsage([join(options.cacheDir, 'db'), join(options.cacheDir, 'java-db')]);
    expect(saved).toBe(statSync(file).size + statSync(join(options.cacheDir, 'db', 'metadata.json')).size);
    expect(log).toEqual([
      `Trivy DB: nothing in the test cache for ${TODAY} (looked in 1.5 s)\n`,
      'Trivy DB: downloading from mirror.example.com/trivy-db:2\n',
      expect.stringMatching(/^\$ .*trivy image --download-db-only/) as unknown,
      `Trivy DB: downloaded from mirror.example.com/trivy-db:2 in 0.0 s: ${file} is 5 B, updated 2026-03-02T06:00:00.000Z\n`,
      `Trivy DB: saved to the test cache as ${TODAY}: ${saved} B of database files in 1.5 s\n`,
    ]);
    const next = setup();
    const restoring = new MemoryCache(dir, { [TODAY]: join(dir, TODAY) }, next.clock, 700);
    await prepareDb(next.step, { ...next.options, cache: restoring });
    expect(next.log).toEqual([
      `Trivy DB: restored from the test cache (${TODAY}): ${saved} B of database files in 0.7 s\n`,
    ]);
  });

  it('a database whose next update is not out yet is used as it is: Trivy is not even started', async () => {
    const { step, options, calls, log } = setup();
    writeDb(options.cacheDir, '2026-03-02T06:00:00Z', '2026-03-02T12:00:00Z');
    const state = await prepareDb(step, { ...options, cache: undefined });
    expect(state).toEqual({ cacheDir: options.cacheDir, ready: true, saveKey: undefined });
    expect(calls()).toEqual([]);
    expect(log.join('\n')).toContain(
      'Trivy DB: current (updated 2026-03-02T06:00:00.000Z, next update 2026-03-02T12:00:00.000Z), no download: ' +
        `${join(options.cacheDir, 'db', 'trivy.db')} is 4 B`,
    );
  });

  it('a database past its next update, or of another schema, is brought up to date by Trivy', async () => {
    for (const [version, nextUpdate] of [
      [2, '2026-03-02T09:59:00Z'],
      [1, '2026-03-02T12:00:00Z'],
    ] as const) {
      const { step, options, calls } = setup();
      writeDb(options.cacheDir, '2026-03-02T06:00:00Z', nextUpdate);
      if (version !== 2) {
        const file = join(options.cacheDir, 'db', 'metadata.json');
        writeFileSync(file, readFileSync(file, 'utf8').replace('"Version":2', `"Version":${version}`));
      }
      await prepareDb(step, { ...options, cache: undefined });
      expect(calls()).toHaveLength(1);
    }
  });

  it('when there is no database at all, fails with the reason (the gate then fails closed)', async () => {
    const { step, options } = setup(true);
    await expect(prepareDb(step, { ...options, cache: undefined })).rejects.toMatchObject({
      name: 'GateError',
      kind: 'no-db',
      message: expect.stringMatching(
        /could not download its vulnerability database from mirror.example.com\/trivy-db:2:\n.*TOOMANYREQUESTS/,
      ) as unknown,
    });
  });

  it('a cache that cannot be read or written is a warning, never a failure', async () => {
    const { step, options, log } = setup();
    const broken: JobCache = {
      name: 'broken cache',
      restore: () => Promise.reject(new Error('cache service unavailable')),
      save: () => Promise.reject(new Error('read-only token')),
    };
    const state = await prepareDb(step, { ...options, cache: broken });
    expect(state.saveKey).toBe(TODAY);
    await saveDb(step, state, broken);
    expect(log.join('\n')).toContain('the broken cache could not be read: cache service unavailable');
    expect(log.join('\n')).toContain('Trivy DB: not saved to the broken cache: read-only token');
  });
});
