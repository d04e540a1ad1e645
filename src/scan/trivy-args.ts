/** The argument list of one Trivy run: one platform's image, JSON on stdout. */
import { dbFlags, type DbSources } from './db.js';

/**
 * What one run scans: one platform's manifest in the registry by digest, or one platform's OCI archive. Never an
 * index or a multi-platform layout: Trivy would pick one platform itself (its `--input` scans only the first manifest
 * of a layout, pkg/fanal/image/oci.go).
 */
export type ScanSource = { kind: 'registry'; reference: string } | { kind: 'archive'; path: string };

export interface TrivyRun {
  source: ScanSource;
  scanners: readonly string[];
  timeout: string;
  /** Trivy's databases: where they are kept and come from; `prepared`: fetched for this run, so never updated again */
  db?: { cacheDir: string; sources: DbSources; prepared: boolean } | undefined;
  /** the merged or given ignore file, if any */
  ignoreFile: string | undefined;
}

export function trivyImageArgs(run: TrivyRun): string[] {
  return [
    'image',
    '--format=json',
    // Not --quiet: Trivy's log on stderr says what it is doing (the gate's progress lines read it). Its progress bars
    // (the Java DB's download) redraw one line with carriage returns: unreadable in a CI log.
    '--no-progress',
    // The pushed image in the registry, never a same-named image of the local engine.
    ...(run.source.kind === 'registry' ? ['--image-src=remote'] : [`--input=${run.source.path}`]),
    `--scanners=${run.scanners.join(',')}`,
    `--timeout=${run.timeout}`,
    ...(run.db === undefined ? [] : dbFlags(run.db.cacheDir, run.db.sources)),
    ...(run.db?.prepared === true ? ['--skip-db-update'] : []),
    '--skip-version-check',
    ...(run.ignoreFile === undefined ? [] : [`--ignorefile=${run.ignoreFile}`]),
    ...(run.source.kind === 'registry' ? ['--', run.source.reference] : []),
  ];
}

/** The SBOM file of one platform's image: the format's extension, GitLab's `gl-sbom-*` name for CycloneDX. */
export function sbomFileName(platform: string, format: 'cyclonedx' | 'spdx-json'): string {
  const name = platform.replace(/\//g, '-');
  return format === 'cyclonedx' ? `gl-sbom-${name}.cdx.json` : `sbom-${name}.spdx.json`;
}

/** Trivy writing one platform's SBOM (packages only: an SBOM format turns its vulnerability scan off) into `output`. */
export function trivySbomArgs(
  source: ScanSource,
  format: 'cyclonedx' | 'spdx-json',
  output: string,
  timeout: string,
): string[] {
  return [
    'image',
    `--format=${format}`,
    `--output=${output}`,
    '--no-progress',
    ...(source.kind === 'registry' ? ['--image-src=remote'] : [`--input=${source.path}`]),
    `--timeout=${timeout}`,
    '--skip-version-check',
    ...(source.kind === 'registry' ? ['--', source.reference] : []),
  ];
}

/** `trivy --version` prints `Version: 0.74.0` first. */
export function parseTrivyVersion(output: string): string | undefined {
  const match = /^Version:\s*v?(\d+\.\d+\.\d+\S*)/m.exec(output);
  return match?.[1] === undefined ? undefined : `v${match[1]}`;
}
