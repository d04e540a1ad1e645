/**
 * Trivy for the scan gate, pinned: a Trivy of the pinned version on PATH is used as it is; otherwise (on GitHub's
 * runners) the release archive is downloaded, its SHA-256 checked against the release's checksum file, and the binary
 * kept in the runner's tool cache for the next job. Never `latest`: in March 2026 trivy-action's tags and a Trivy
 * release were hijacked (aquasecurity/trivy-action#541).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBody } from '../exec/body.js';
import { httpFetch } from '../exec/http.js';
import type { Runner } from '../exec/runner.js';
import { GateError } from './gate-error.js';

export const TRIVY_RELEASES = 'https://github.com/aquasecurity/trivy/releases/download';

export interface TrivyAsset {
  archive: string;
  checksums: string;
}

/** Release file names: `trivy_0.74.0_Linux-64bit.tar.gz` and `trivy_0.74.0_checksums.txt`. */
export function trivyAsset(version: string, os: NodeJS.Platform, arch: string): TrivyAsset {
  const bare = version.replace(/^v/, '');
  const system = os === 'darwin' ? 'macOS' : os === 'linux' ? 'Linux' : undefined;
  const bits = arch === 'x64' ? '64bit' : arch === 'arm64' ? 'ARM64' : undefined;
  if (system === undefined || bits === undefined) {
    throw new GateError(`no Trivy release for ${os}/${arch}: install Trivy ${version} on PATH`);
  }
  return { archive: `trivy_${bare}_${system}-${bits}.tar.gz`, checksums: `trivy_${bare}_checksums.txt` };
}

/** The SHA-256 a `sha256sum`-style checksum file lists for `file`. */
export function checksumFor(checksums: string, file: string): string | undefined {
  for (const line of checksums.split('\n')) {
    const [sum, name] = line.trim().split(/\s+\*?/);
    if (name === file && sum !== undefined && /^[0-9a-f]{64}$/.test(sum)) return sum;
  }
  return undefined;
}

function get(url: string, signal: AbortSignal | undefined) {
  const timeout = AbortSignal.timeout(120_000);
  return httpFetch(url, { signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]) });
}

async function downloadText(url: string, signal: AbortSignal | undefined): Promise<string> {
  const response = await get(url, signal);
  if (!response.ok) throw new GateError(`downloading ${url} failed: HTTP ${response.status}`);
  return response.text();
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
  /** stops the download (the run failed or was cancelled meanwhile) */
  signal?: AbortSignal;
}

/** Returns the path of the trivy binary, from the tool cache or freshly downloaded and verified. */
export async function installTrivy(options: InstallOptions): Promise<string> {
  const os = options.os ?? process.platform;
  const arch = options.arch ?? process.arch;
  const dir = join(options.toolCache, 'trivy', options.version.replace(/^v/, ''), arch);
  const binary = join(dir, 'trivy');
  // The tool cache's convention: a `<dir>.complete` marker says the directory was fully written.
  if (existsSync(`${dir}.complete`) && existsSync(binary)) return binary;

  const asset = trivyAsset(options.version, os, arch);
  const base = `${options.baseUrl ?? TRIVY_RELEASES}/${options.version}`;
  const scratch = mkdtempSync(join(tmpdir(), 'trivy-'));
  try {
    const archive = join(scratch, asset.archive);
    const [got, checksums] = await Promise.all([
      downloadFile(`${base}/${asset.archive}`, archive, options.signal),
      downloadText(`${base}/${asset.checksums}`, options.signal),
    ]);
    const want = checksumFor(checksums, asset.archive);
    if (want === undefined) throw new GateError(`${asset.checksums} lists no checksum for ${asset.archive}`);
    if (got !== want) {
      throw new GateError(
        `${asset.archive} does not match its published checksum (${got}, want ${want}): not installed`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await options.runner.run('tar', ['-xzf', archive, '-C', dir, 'trivy'], { quiet: true });
    writeFileSync(`${dir}.complete`, '');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}
