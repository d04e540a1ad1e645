/** The argument list of one Trivy run: one platform's image manifest, by digest, JSON on stdout. */

export interface TrivyRun {
  /** `registry/repo@sha256:...` of one platform's manifest (never an index: Trivy would pick one platform itself) */
  reference: string;
  scanners: readonly string[];
  timeout: string;
  /** Trivy's cache (its databases); undefined: Trivy's own default, kept between runs on the same machine */
  cacheDir?: string | undefined;
  /** the merged or given ignore file, if any */
  ignoreFile: string | undefined;
}

export function trivyImageArgs(run: TrivyRun): string[] {
  return [
    'image',
    '--format=json',
    '--quiet',
    // The pushed image in the registry, never a same-named image of the local engine.
    '--image-src=remote',
    `--scanners=${run.scanners.join(',')}`,
    `--timeout=${run.timeout}`,
    ...(run.cacheDir === undefined ? [] : [`--cache-dir=${run.cacheDir}`]),
    '--skip-version-check',
    ...(run.ignoreFile === undefined ? [] : [`--ignorefile=${run.ignoreFile}`]),
    '--',
    run.reference,
  ];
}

/** `trivy --version` prints `Version: 0.74.0` first. */
export function parseTrivyVersion(output: string): string | undefined {
  const match = /^Version:\s*v?(\d+\.\d+\.\d+\S*)/m.exec(output);
  return match?.[1] === undefined ? undefined : `v${match[1]}`;
}
