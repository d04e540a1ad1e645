// A release server on loopback stands in for GitHub's: the download, the checksum check and the tool cache are real.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretMask } from '../../../src/exec/mask.js';
import { Runner } from '../../../src/exec/runner.js';
import { checksumFor, installTrivy, trivyAsset } from '../../../src/scan/install.js';

const VERSION = 'v0.74.0';
const ASSET = trivyAsset(VERSION, 'linux', 'x64');

describe('installing pinned Trivy', () => {
  let server: Server;
  let baseUrl = '';
  const files = new Map<string, Buffer>();
  let requests = 0;

  beforeAll(async () => {
    const build = mkdtempSync(join(tmpdir(), 'release-'));
    writeFileSync(join(build, 'trivy'), '#!/bin/sh\necho "Version: 0.74.0"\n');
    chmodSync(join(build, 'trivy'), 0o755);
    execFileSync('tar', ['-czf', join(build, ASSET.archive), '-C', build, 'trivy']);
    const archive = readFileSync(join(build, ASSET.archive));
    files.set(ASSET.archive, archive);
    const sum = createHash('sha256').update(archive).digest('hex');
    files.set(ASSET.checksums, Buffer.from(`${'0'.repeat(64)}  other.tar.gz\n${sum}  ${ASSET.archive}\n`));
    server = createServer((request, response) => {
      requests++;
      const name = request.url?.split('/').pop() ?? '';
      const body = files.get(name);
      response.writeHead(body === undefined ? 404 : 200).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.close();
  });

  const runner = new Runner(new SecretMask(), () => undefined);
  const install = (toolCache: string) =>
    installTrivy({ version: VERSION, toolCache, runner, baseUrl, os: 'linux', arch: 'x64' });

  it('names the release files', () => {
    expect(ASSET).toEqual({ archive: 'trivy_0.74.0_Linux-64bit.tar.gz', checksums: 'trivy_0.74.0_checksums.txt' });
    expect(trivyAsset('0.74.0', 'darwin', 'arm64').archive).toBe('trivy_0.74.0_macOS-ARM64.tar.gz');
    expect(() => trivyAsset(VERSION, 'win32', 'x64')).toThrow(/no Trivy release for win32\/x64/);
  });

  it('reads a checksum file', () => {
    expect(checksumFor(`${'a'.repeat(64)}  x.tar.gz\n${'b'.repeat(64)} *y.tar.gz\n`, 'y.tar.gz')).toBe('b'.repeat(64));
    expect(checksumFor('junk', 'y.tar.gz')).toBeUndefined();
  });

  it('downloads, verifies and caches; the next job takes it from the cache', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'toolcache-'));
    const binary = await install(cache);
    expect(binary).toBe(join(cache, 'trivy', '0.74.0', 'x64', 'trivy'));
    expect(execFileSync(binary, { encoding: 'utf8' })).toBe('Version: 0.74.0\n');
    const before = requests;
    expect(await install(cache)).toBe(binary);
    expect(requests).toBe(before);
  });

  it('refuses an archive that does not match its published checksum, and installs nothing', async () => {
    const good = files.get(ASSET.archive) ?? Buffer.alloc(0);
    files.set(ASSET.archive, Buffer.concat([good, Buffer.from('tampered')]));
    try {
      const cache = mkdtempSync(join(tmpdir(), 'toolcache-'));
      await expect(install(cache)).rejects.toThrow(/does not match its published checksum .*: not installed/);
      expect(existsSync(join(cache, 'trivy', '0.74.0', 'x64', 'trivy'))).toBe(false);
    } finally {
      files.set(ASSET.archive, good);
    }
  });

  it('refuses a release without a checksum for the archive', async () => {
    const sums = files.get(ASSET.checksums) ?? Buffer.alloc(0);
    files.set(ASSET.checksums, Buffer.from(`${'0'.repeat(64)}  other.tar.gz\n`));
    try {
      await expect(install(mkdtempSync(join(tmpdir(), 'toolcache-')))).rejects.toThrow(
        /lists no checksum for trivy_0.74.0/,
      );
    } finally {
      files.set(ASSET.checksums, sums);
    }
  });
});
