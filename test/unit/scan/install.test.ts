// A release server on loopback stands in for GitHub's: the download, the check against the pinned SHA-256 and the tool
// cache are real. Its archive is a Trivy-like one made here, so it is never the real release: against the pins in the
// source it is a tampered release; a test that wants it installed injects a pin of its own.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretMask } from '../../../src/exec/mask.js';
import { RELEASE_PINS, type ReleasePins } from '../../../src/exec/pins.js';
import { Runner } from '../../../src/exec/runner.js';
import { installTrivy, trivyAsset, trivyPin } from '../../../src/scan/install.js';

const VERSION = 'v0.74.0';
const ASSET = trivyAsset(VERSION, 'linux', 'x64');
const PINNED = '2ae6fe3ee734b7fdf11335663e18c75ea12dccc76062f09f164a3b0f8be4371a';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('installing pinned Trivy', () => {
  let server: Server;
  let baseUrl = '';
  let archive = Buffer.alloc(0);
  /** the archive's real digest, injected as the pin of the tests that want it installed */
  let pins: ReleasePins = {};
  const files = new Map<string, Buffer>();
  /** the file names asked for */
  const requests: string[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'install-test-'));

  beforeAll(async () => {
    writeFileSync(join(scratch, 'trivy'), '#!/bin/sh\necho "Version: 0.74.0"\n');
    chmodSync(join(scratch, 'trivy'), 0o755);
    execFileSync('tar', ['-czf', join(scratch, ASSET), '-C', scratch, 'trivy']);
    archive = readFileSync(join(scratch, ASSET));
    files.set(ASSET, archive);
    // A checksum file as the release has one, agreeing with the archive: docker-build must not ask for it.
    files.set('trivy_0.74.0_checksums.txt', Buffer.from(`${sha256(archive)}  ${ASSET}\n`));
    pins = { trivy: { '0.74.0': { [ASSET]: sha256(archive) } } };
    server = createServer((request, response) => {
      const name = request.url?.split('/').pop() ?? '';
      requests.push(name);
      const body = files.get(name);
      response.writeHead(body === undefined ? 404 : 200).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const runner = new Runner(new SecretMask(), () => undefined);
  const newCache = () => mkdtempSync(join(scratch, 'toolcache-'));
  const install = (toolCache: string, more: { pins?: ReleasePins; version?: string; arch?: string } = {}) =>
    installTrivy({ version: VERSION, toolCache, runner, baseUrl, os: 'linux', arch: 'x64', ...more });

  it('names the release archives', () => {
    expect(ASSET).toBe('trivy_0.74.0_Linux-64bit.tar.gz');
    expect(trivyAsset('0.74.0', 'linux', 'arm64')).toBe('trivy_0.74.0_Linux-ARM64.tar.gz');
    expect(trivyAsset('0.74.0', 'darwin', 'x64')).toBe('trivy_0.74.0_macOS-64bit.tar.gz');
    expect(trivyAsset('0.74.0', 'darwin', 'arm64')).toBe('trivy_0.74.0_macOS-ARM64.tar.gz');
    expect(() => trivyAsset(VERSION, 'win32', 'x64')).toThrow(/no Trivy release for win32\/x64/);
  });

  it('finds the pin of each archive, and refuses an unpinned version or platform with what to do instead', () => {
    expect(trivyPin(RELEASE_PINS, VERSION, ASSET)).toBe(PINNED);
    expect(() => trivyPin(RELEASE_PINS, 'v0.73.0', 'trivy_0.73.0_Linux-64bit.tar.gz')).toThrow(
      'Trivy v0.73.0 is not downloaded: docker-build downloads only a Trivy whose checksums its source pins ' +
        '(v0.74.0). Set trivy-version to a pinned version, or put Trivy v0.73.0 on PATH (used as it is)',
    );
    expect(() => trivyPin({}, VERSION, ASSET)).toThrow(/only a Trivy whose checksums its source pins \(none\)/);
    expect(() => trivyPin(pins, VERSION, 'trivy_0.74.0_Linux-ARM64.tar.gz')).toThrow(
      'trivy_0.74.0_Linux-ARM64.tar.gz has no pinned checksum in docker-build, so it is not downloaded: ' +
        'put Trivy v0.74.0 on PATH (used as it is)',
    );
  });

  it('downloads the archive whose SHA-256 is the pin, caches it, and the next job takes it from the cache', async () => {
    const cache = newCache();
    const before = requests.length;
    const binary = await install(cache, { pins });
    expect(binary).toBe(join(cache, 'trivy', '0.74.0', 'x64', 'trivy'));
    expect(execFileSync(binary, { encoding: 'utf8' })).toBe('Version: 0.74.0\n');
    // the archive, and nothing else: the release's own checksum file is not what decides
    expect(requests.slice(before)).toEqual([ASSET]);
    expect(readFileSync(join(cache, 'trivy', '0.74.0', 'x64.complete'), 'utf8')).toBe(`${sha256(archive)}\n`);
    expect(await install(cache, { pins })).toBe(binary);
    expect(requests.length).toBe(before + 1);
  });

  it('refuses a tampered release (not the pinned archive): both digests named, nothing in the tool cache', async () => {
    const cache = newCache();
    const error = await install(cache).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('GateError');
    expect((error as Error).message).toBe(
      `${ASSET} from ${baseUrl}/${VERSION} is not the pinned release: expected sha256 ${PINNED}, ` +
        `got sha256 ${sha256(archive)}. The release was replaced or the download corrupted; nothing was installed`,
    );
    expect(readdirSync(cache)).toEqual([]);
  });

  it('refuses an archive changed after it was pinned, even with a checksum file that agrees with it', async () => {
    const tampered = Buffer.concat([archive, Buffer.from('tampered')]);
    files.set(ASSET, tampered);
    files.set('trivy_0.74.0_checksums.txt', Buffer.from(`${sha256(tampered)}  ${ASSET}\n`));
    try {
      const cache = newCache();
      await expect(install(cache, { pins })).rejects.toThrow(
        `expected sha256 ${sha256(archive)}, got sha256 ${sha256(tampered)}`,
      );
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      files.set(ASSET, archive);
    }
  });

  it('asks nothing of the server for an unpinned version or platform', async () => {
    const cache = newCache();
    const before = requests.length;
    await expect(install(cache, { version: 'v0.73.0' })).rejects.toThrow(/Trivy v0.73.0 is not downloaded/);
    await expect(install(cache, { pins, arch: 'arm64' })).rejects.toThrow(/Linux-ARM64.tar.gz has no pinned checksum/);
    expect(requests.length).toBe(before);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('downloads again over a cached Trivy whose marker holds no pin (an older docker-build wrote it)', async () => {
    const cache = newCache();
    const binary = await install(cache, { pins });
    const marker = join(cache, 'trivy', '0.74.0', 'x64.complete');
    writeFileSync(marker, '');
    const before = requests.length;
    expect(await install(cache, { pins })).toBe(binary);
    expect(requests.slice(before)).toEqual([ASSET]);
    expect(readFileSync(marker, 'utf8')).toBe(`${sha256(archive)}\n`);
    expect(existsSync(binary)).toBe(true);
  });

  it('fails on a release without the archive', async () => {
    const cache = newCache();
    files.delete(ASSET);
    try {
      await expect(install(cache, { pins })).rejects.toThrow(
        `downloading ${baseUrl}/${VERSION}/${ASSET} failed: HTTP 404`,
      );
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      files.set(ASSET, archive);
    }
  });
});
