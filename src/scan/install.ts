/**
 * Trivy for the scan gate, pinned: a Trivy of the pinned version on PATH is used as it is; otherwise (on GitHub's
 * runners) the release archive is downloaded, its SHA-256 checked against the digest pinned in docker-build's source
 * (../exec/pins.ts), and the binary kept in the runner's tool cache for the next job. Never `latest`, and never a
 * checksum file from the release itself: in March 2026 trivy-action's tags and a Trivy release were replaced by
 * malicious ones (aquasecurity/trivy-action#541), checksum files included.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBody } from '../exec/body.js';
import { httpFetch } from '../exec/http.js';
import { mismatchMessage, pinFor, RELEASE_PINS, type ReleasePins } from '../exec/pins.js';
import type { Runner } from '../exec/runner.js';
import { GateError } from './gate-error.js';

export const TRIVY_RELEASES = 'https://github.com/aquasecurity/trivy/releases/download';

/** The release archive for a platform: `trivy_0.74.0_Linux-64bit.tar.gz`. */
export function trivyAsset(version: string, os: NodeJS.Platform, arch: string): string {
  const bare = version.replace(/^v/, '');
  const system = os === 'darwin' ? 'macOS' : os === 'linux' ? 'Linux' : undefined;
  const bits = arch === 'x64' ? '64bit' : arch === 'arm64' ? 'ARM64' : undefined;
  if (system === undefined || bits === undefined) {
    throw new GateError(`no Trivy release for ${os}/${arch}: install Trivy ${version} on PATH`);
  }
  return `trivy_${bare}_${system}-${bits}.tar.gz`;
}

/**
 * The SHA-256 pinned for `archive`, or the reason there is none: only a pinned version and platform is downloaded,
 * and a Trivy of any other version on PATH is used as it is.
 */
export function trivyPin(pins: ReleasePins, version: string, archive: string): string {
  const pin = pinFor(pins, 'trivy', version, archive);
  if (pin.kind === 'pinned') return pin.sha256;
  if (pin.kind === 'unpinned-version') {
    const pinned = pin.pinned.length === 0 ? 'none' : pin.pinned.join(', ');
    throw new GateError(
      `Trivy ${version} is not downloaded: docker-build downloads only a Trivy whose checksums its source pins ` +
        `(${pinned}). Set trivy-version to a pinned version, or put Trivy ${version} on PATH (used as it is)`,
    );
  }
  throw new GateError(
    `${archive} has no pinned checksum in docker-build, so it is not downloaded: put Trivy ${version} on PATH ` +
      '(used as it is)',
  );
}

function get(url: string, signal: AbortSignal | undefined) {
  const timeout = AbortSignal.timeout(120_000);
  return httpFetch(url, { signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]) });
}

/** Streams `url` into `file` and returns its SHA-256: the archive (tens of MB) is never held in memory. */
async function downloadFile(url: string, file: string, signal: AbortSignal | undefined): Promise<string> {
  const response = await get(url, signal);
  if (!response.ok || response.body === null) throw new GateError(`downloading ${url} failed: HTTP ${response.status}`);
  const hash = createHash('sha256');
  await writeBody(response, file, (chunk) => hash.update(chunk));
  return hash.digest('hex');
}

export interface InstallOptions {
  version: string;
  /** the runner's tool cache (RUNNER_TOOL_CACHE) */
  toolCache: string;
  runner: Runner;
  baseUrl?: string;
  os?: NodeJS.Platform;
  arch?: string;
  /** the pinned checksums (tests give their own); RELEASE_PINS otherwise */
  pins?: ReleasePins;
  /** stops the download (the run failed or was cancelled meanwhile) */
  signal?: AbortSignal;
}

/**
 * Returns the path of the trivy binary, from the tool cache or freshly downloaded and verified against its pin. An
 * unpinned version or platform fails before anything is downloaded; an archive that is not the pinned one leaves
 * nothing in the tool cache.
 */
export async function installTrivy(options: InstallOptions): Promise<string> {
  const os = options.os ?? process.platform;
  const arch = options.arch ?? process.arch;
  const asset = trivyAsset(options.version, os, arch);
  const want = trivyPin(options.pins ?? RELEASE_PINS, options.version, asset);
  const dir = join(options.toolCache, 'trivy', options.version.replace(/^v/, ''), arch);
  const binary = join(dir, 'trivy');
  // The tool cache's convention: a `<dir>.complete` marker says the directory was fully written. Ours holds the
  // archive's pinned SHA-256: a directory an older docker-build wrote (checked against the release's own checksum
  // file) or one of another pin is downloaded again.
  const marker = `${dir}.complete`;
  if (existsSync(marker) && existsSync(binary) && readFileSync(marker, 'utf8').trim() === want) return binary;

  const source = `${options.baseUrl ?? TRIVY_RELEASES}/${options.version}`;
  const scratch = mkdtempSync(join(tmpdir(), 'trivy-'));
  try {
    const archive = join(scratch, asset);
    const got = await downloadFile(`${source}/${asset}`, archive, options.signal);
    if (got !== want) throw new GateError(mismatchMessage(asset, source, want, got));
    rmSync(marker, { force: true });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await options.runner.run('tar', ['-xzf', archive, '-C', dir, 'trivy'], { quiet: true });
    writeFileSync(marker, `${want}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}
