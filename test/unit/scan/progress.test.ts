// The progress lines of the gate and of the database, as a person reads them.
import { describe, expect, it } from 'vitest';
import {
  dbCurrent,
  dbDownloaded,
  dbDownloading,
  dbNotCached,
  dbRestored,
  dbSaved,
  dbWaiting,
  duration,
  scanEnded,
  scanFailed,
  scanRunning,
  scanStarted,
  size,
} from '../../../src/scan/progress.js';
import { scanOf } from './helpers.js';

describe('progress lines', () => {
  it.each([
    [0, '0.0 s'],
    [42_149, '42.1 s'],
    [600_000, '600.0 s'],
    [-3, '0.0 s'],
  ])('%d ms is %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });

  it.each([
    [0, '0 B'],
    [2048, '2.05 kB'],
    [65_536, '65.5 kB'],
    [812_000_000, '812 MB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(size(bytes)).toBe(text);
  });

  it('a scan starts, runs, ends or fails', () => {
    const registry = { kind: 'registry', reference: 'r/app@sha256:bb' } as const;
    expect(scanStarted('linux/arm64', registry, 'sha256:bb', ['vuln', 'secret'])).toBe(
      'scanning linux/arm64: r/app@sha256:bb (vuln, secret)',
    );
    expect(scanStarted('linux/arm64', { kind: 'archive', path: '/w/image-linux-arm64' }, 'sha256:bb', ['secret'])).toBe(
      'scanning linux/arm64: /w/image-linux-arm64 (sha256:bb) (secret)',
    );
    expect(scanRunning('linux/arm64', 30_400, 'pulling')).toBe('linux/arm64: still scanning after 30 s: pulling');
    expect(scanEnded(scanOf('alpine-39-high-critical.json', 'linux/arm64'), 42_100)).toBe(
      'linux/arm64 scanned in 42.1 s: 2 findings (2 CRITICAL)',
    );
    expect(scanEnded({ ...scanOf('alpine-310.json'), findings: [] }, 900)).toBe(
      'linux/amd64 scanned in 0.9 s: no findings',
    );
    const one = scanOf('secrets.json');
    expect(scanEnded({ ...one, findings: one.findings.slice(0, 1) }, 1000)).toMatch(
      /^linux\/amd64 scanned in 1\.0 s: 1 finding \(1 [A-Z]+\)$/,
    );
    expect(scanFailed('linux/arm64', 3000, 1)).toBe('linux/arm64: Trivy failed after 3.0 s (exit code 1)');
  });

  it('the database says where from, its size and the time', () => {
    const key = 'docker-build-trivy-db-v2-2026-03-02';
    expect(dbDownloading([])).toBe(
      'Trivy DB: downloading from mirror.gcr.io/aquasec/trivy-db:2, ghcr.io/aquasecurity/trivy-db:2',
    );
    expect(dbDownloading(['m.example/db:2'])).toBe('Trivy DB: downloading from m.example/db:2');
    const updated = new Date('2026-03-02T06:00:00Z');
    expect(dbDownloaded('m.example/db:2', '/c/db/trivy.db', 65_536, updated, 812)).toBe(
      'Trivy DB: downloaded from m.example/db:2 in 0.8 s: /c/db/trivy.db is 65.5 kB, updated 2026-03-02T06:00:00.000Z',
    );
    expect(dbDownloaded(undefined, '/c/db/trivy.db', 65_536, updated, 300)).toBe(
      'Trivy DB: current, nothing downloaded (0.3 s): /c/db/trivy.db is 65.5 kB, updated 2026-03-02T06:00:00.000Z',
    );
    expect(dbCurrent('/c/db/trivy.db', 65_536, updated, new Date('2026-03-02T12:00:00Z'))).toBe(
      'Trivy DB: current (updated 2026-03-02T06:00:00.000Z, next update 2026-03-02T12:00:00.000Z), no download: ' +
        '/c/db/trivy.db is 65.5 kB',
    );
    expect(dbWaiting(25_400)).toBe('Trivy DB: still being fetched, the gate has waited 25 s');
    expect(dbRestored('Actions cache', key, 65_600, 1234)).toBe(
      `Trivy DB: restored from the Actions cache (${key}): 65.6 kB of database files in 1.2 s`,
    );
    expect(dbNotCached('Actions cache', key, 200)).toBe(
      `Trivy DB: nothing in the Actions cache for ${key} (looked in 0.2 s)`,
    );
    expect(dbSaved('Actions cache', key, 65_600, 2000)).toBe(
      `Trivy DB: saved to the Actions cache as ${key}: 65.6 kB of database files in 2.0 s`,
    );
  });
});
