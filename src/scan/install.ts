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

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(120_000), redirect: 'follow' });
  if (!response.ok) throw new GateError(`downloading ${url} failed: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

export interface InstallOptions {
  version: string;
  /** the runner's tool cache (RUNNER_TOOL_CACHE) */
  toolCache: string;
  runner: Runner;
  baseUrl?: string;
  os?: NodeJS.Platform;
  arch?: string;
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
  const [archive, checksums] = await Promise.all([
    download(`${base}/${asset.archive}`),
    download(`${base}/${asset.checksums}`),
  ]);
  const want = checksumFor(checksums.toString('utf8'), asset.archive);
  if (want === undefined) throw new GateError(`${asset.checksums} lists no checksum for ${asset.archive}`);
  const got = createHash('sha256').update(archive).digest('hex');
  if (got !== want) {
    throw new GateError(`${asset.archive} does not match its published checksum (${got}, want ${want}): not installed`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'trivy-'));
  try {
    writeFileSync(join(scratch, asset.archive), archive);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await options.runner.run('tar', ['-xzf', join(scratch, asset.archive), '-C', dir, 'trivy'], { quiet: true });
    writeFileSync(`${dir}.complete`, '');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}
