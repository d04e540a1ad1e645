/**
 * cosign at the pinned version, for signing and verifying: the one on PATH when it is that version (the runner image's,
 * a shell runner's), else, on a GitHub runner (which has a tool cache), its release binary downloaded and checked
 * against the SHA-256 pinned in docker-build's source (../../exec/pins.ts), kept for the next jobs. Anything else
 * stops the run before the build.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadFile } from '../../exec/download.js';
import { mismatchMessage, pinFor, RELEASE_PINS, type ReleasePins } from '../../exec/pins.js';
import { COSIGN_VERSION } from '../../tools/cosign.js';
import type { StepContext } from '../step.js';

export const COSIGN_RELEASES = 'https://github.com/sigstore/cosign/releases/download';

/** `cosign version` prints `GitVersion:    v3.1.3` among its lines. */
export function parseCosignVersion(output: string): string | undefined {
  return /^GitVersion:\s*(v\d+\.\d+\.\d+\S*)/m.exec(output)?.[1];
}

/** The release binary for a platform: `cosign-linux-amd64`. */
export function cosignAsset(os: NodeJS.Platform, arch: string): string | undefined {
  const system = os === 'linux' || os === 'darwin' ? os : undefined;
  const cpu = arch === 'x64' ? 'amd64' : arch === 'arm64' ? 'arm64' : undefined;
  return system === undefined || cpu === undefined ? undefined : `cosign-${system}-${cpu}`;
}

export interface CosignInstall {
  toolCache: string;
  baseUrl?: string;
  os?: NodeJS.Platform;
  arch?: string;
  pins?: ReleasePins;
  signal?: AbortSignal | undefined;
}

/** Downloads the pinned cosign into the tool cache, or takes it from there; a binary not the pinned one is refused. */
export async function installCosign(options: CosignInstall): Promise<string> {
  const os = options.os ?? process.platform;
  const arch = options.arch ?? process.arch;
  const asset = cosignAsset(os, arch);
  if (asset === undefined) throw new Error(`no cosign release for ${os}/${arch}: put cosign ${COSIGN_VERSION} on PATH`);
  const pin = pinFor(options.pins ?? RELEASE_PINS, 'cosign', COSIGN_VERSION, asset);
  if (pin.kind !== 'pinned') {
    throw new Error(`${asset} has no pinned checksum in docker-build, so it is not downloaded: put cosign on PATH`);
  }
  const dir = join(options.toolCache, 'cosign', COSIGN_VERSION.slice(1), arch);
  const binary = join(dir, 'cosign');
  const marker = `${dir}.complete`;
  if (existsSync(marker) && existsSync(binary) && readFileSync(marker, 'utf8').trim() === pin.sha256) return binary;
  const source = `${options.baseUrl ?? COSIGN_RELEASES}/${COSIGN_VERSION}`;
  const scratch = mkdtempSync(join(tmpdir(), 'cosign-'));
  try {
    const file = join(scratch, asset);
    const got = await downloadFile(`${source}/${asset}`, file, options.signal);
    if (got !== pin.sha256) throw new Error(mismatchMessage(asset, source, pin.sha256, got));
    rmSync(marker, { force: true });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    renameSync(file, binary);
    chmodSync(binary, 0o755);
    writeFileSync(marker, `${pin.sha256}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}

/** The path of cosign at the pinned version. */
export async function ensureCosign(step: StepContext, toolCache: string | undefined): Promise<string> {
  const versionOf = async (cosign: string): Promise<string | undefined> => {
    const result = await step.runner
      .run(cosign, ['version'], { quiet: true, allowFailure: true })
      .catch(() => undefined);
    return result?.code === 0 ? parseCosignVersion(result.stdout + result.stderr) : undefined;
  };
  const onPath = await versionOf('cosign');
  if (onPath === COSIGN_VERSION) return 'cosign';
  if (toolCache !== undefined && toolCache !== '') {
    const installed = await installCosign({ toolCache, signal: step.signal });
    step.reporter.info(`cosign ${COSIGN_VERSION}: ${installed} (checksum-verified release, tool cache)`);
    return installed;
  }
  throw new Error(
    onPath === undefined
      ? `sign and verify need cosign ${COSIGN_VERSION}, and there is no cosign on PATH`
      : `sign and verify are pinned to cosign ${COSIGN_VERSION}, and the cosign on PATH is ${onPath}`,
  );
}
