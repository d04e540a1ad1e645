/**
 * The lines a person reads while the gate runs: each platform's scan started, still running (with what Trivy is
 * doing), ended with its time and outcome; where the vulnerability database came from, its size and the time it took.
 * Pure: times come in as milliseconds, sizes as bytes.
 */
import prettyBytes from 'pretty-bytes';
import type { ScanSource } from './trivy-args.js';
import { SEVERITIES, type PlatformScan } from './types.js';

/** `42.1 s` */
export function duration(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

/** `65.5 kB`, `123 MB` (decimal units, as `du --si` and GitHub's cache list show them) */
export function size(bytes: number): string {
  return prettyBytes(bytes);
}

/** `scanning linux/arm64: r/app@sha256:... (vuln, secret)` */
export function scanStarted(platform: string, source: ScanSource, digest: string, scanners: readonly string[]): string {
  const where = source.kind === 'registry' ? source.reference : `${source.path} (${digest})`;
  return `scanning ${platform}: ${where} (${scanners.join(', ')})`;
}

/** `linux/arm64: still scanning after 30 s: pulling and analysing the image's layers` */
export function scanRunning(platform: string, elapsedMs: number, activity: string): string {
  return `${platform}: still scanning after ${Math.round(elapsedMs / 1000)} s: ${activity}`;
}

/** `linux/arm64 scanned in 42.1 s: 3 findings (1 CRITICAL, 2 HIGH)`, or `: no findings` */
export function scanEnded(scan: PlatformScan, elapsedMs: number): string {
  const { findings } = scan;
  const bySeverity = SEVERITIES.map(
    (severity) => [severity, findings.filter((finding) => finding.severity === severity).length] as const,
  )
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => `${count} ${severity}`);
  const outcome =
    findings.length === 0
      ? 'no findings'
      : `${findings.length} finding${findings.length === 1 ? '' : 's'} (${bySeverity.join(', ')})`;
  return `${scan.platform} scanned in ${duration(elapsedMs)}: ${outcome}`;
}

/** `linux/arm64: Trivy failed after 3.0 s (exit code 1)` */
export function scanFailed(platform: string, elapsedMs: number, code: number): string {
  return `${platform}: Trivy failed after ${duration(elapsedMs)} (exit code ${code})`;
}

/** Trivy's default repositories, when `db-repository` names none (`trivy image --help`, v0.74). */
const DEFAULT_DB_REPOSITORIES = ['mirror.gcr.io/aquasec/trivy-db:2', 'ghcr.io/aquasecurity/trivy-db:2'];

/** Where Trivy will look for its database, in its order. */
export function dbRepositories(given: readonly string[]): string {
  return (given.length > 0 ? given : DEFAULT_DB_REPOSITORIES).join(', ');
}

/** `Trivy DB: still being fetched, the gate has waited 25 s` */
export function dbWaiting(elapsedMs: number): string {
  return `Trivy DB: still being fetched, the gate has waited ${Math.round(elapsedMs / 1000)} s`;
}

/** The size is the files' (db/ and java-db/), not the compressed archive the cache moved. */
export function dbRestored(cache: string, key: string, bytes: number, elapsedMs: number): string {
  return `Trivy DB: restored from the ${cache} (${key}): ${size(bytes)} of database files in ${duration(elapsedMs)}`;
}

export function dbNotCached(cache: string, key: string, elapsedMs: number): string {
  return `Trivy DB: nothing in the ${cache} for ${key} (looked in ${duration(elapsedMs)})`;
}

export function dbDownloading(given: readonly string[]): string {
  return `Trivy DB: downloading from ${dbRepositories(given)}`;
}

/**
 * `Trivy DB: downloaded from r/trivy-db:2 in 0.8 s: /c/db/trivy.db is 65.5 kB, updated 2026-...`; `from` undefined:
 * Trivy found the one it had current and downloaded nothing.
 */
export function dbDownloaded(
  from: string | undefined,
  file: string,
  bytes: number,
  updatedAt: Date,
  elapsedMs: number,
): string {
  const what =
    from === undefined
      ? `current, nothing downloaded (${duration(elapsedMs)})`
      : `downloaded from ${from} in ${duration(elapsedMs)}`;
  return `Trivy DB: ${what}: ${file} is ${size(bytes)}, updated ${updatedAt.toISOString()}`;
}

/** `Trivy DB: current (updated ..., next update ...), no download: /c/db/trivy.db is 65.5 kB` */
export function dbCurrent(file: string, bytes: number, updatedAt: Date, nextUpdate: Date): string {
  return (
    `Trivy DB: current (updated ${updatedAt.toISOString()}, next update ${nextUpdate.toISOString()}), no download: ` +
    `${file} is ${size(bytes)}`
  );
}

export function dbSaved(cache: string, key: string, bytes: number, elapsedMs: number): string {
  return `Trivy DB: saved to the ${cache} as ${key}: ${size(bytes)} of database files in ${duration(elapsedMs)}`;
}
