// cosign for sign and verify: a release server on loopback stands in for GitHub's. Its binary is made here, so it is
// never the real release: against the pins in the source it is a replaced one; a test that wants it installed injects
// a pin of its own.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELEASE_PINS } from '../../../src/exec/pins.js';
import { cosignAsset, installCosign, parseCosignVersion } from '../../../src/pipeline/steps/cosign.js';

const BINARY = Buffer.from('#!/bin/sh\necho "GitVersion:    v3.1.3"\n');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('installing pinned cosign', () => {
  let server: Server;
  let baseUrl = '';
  const requests: string[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'cosign-install-test-'));

  beforeAll(async () => {
    server = createServer((request, response) => {
      const name = request.url?.split('/').pop() ?? '';
      requests.push(request.url ?? '');
      response.writeHead(name === 'cosign-linux-amd64' ? 200 : 404).end(name === 'cosign-linux-amd64' ? BINARY : '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const newCache = () => mkdtempSync(join(scratch, 'toolcache-'));

  it('a binary that is not the pinned release is refused, naming both digests, and leaves nothing in the tool cache', async () => {
    const toolCache = newCache();
    const pinned = RELEASE_PINS.cosign?.['3.1.3']?.['cosign-linux-amd64'] ?? '';
    await expect(installCosign({ toolCache, baseUrl, os: 'linux', arch: 'x64' })).rejects.toThrow(
      `cosign-linux-amd64 from ${baseUrl}/v3.1.3 is not the pinned release: expected sha256 ${pinned}, ` +
        `got sha256 ${sha256(BINARY)}`,
    );
    expect(readdirSync(toolCache)).toEqual([]);
  });

  it('the pinned binary is installed, executable, and the next job takes it from the tool cache', async () => {
    const toolCache = newCache();
    const pins = { cosign: { '3.1.3': { 'cosign-linux-amd64': sha256(BINARY) } } };
    const before = requests.length;
    const binary = await installCosign({ toolCache, baseUrl, os: 'linux', arch: 'x64', pins });
    expect(binary).toBe(join(toolCache, 'cosign', '3.1.3', 'x64', 'cosign'));
    expect(existsSync(binary)).toBe(true);
    expect(await installCosign({ toolCache, baseUrl, os: 'linux', arch: 'x64', pins })).toBe(binary);
    expect(requests.slice(before)).toEqual(['/v3.1.3/cosign-linux-amd64']);
  });

  it('a platform with no release or no pin is refused before any download', async () => {
    const before = requests.length;
    await expect(installCosign({ toolCache: newCache(), baseUrl, os: 'win32', arch: 'x64' })).rejects.toThrow(
      'no cosign release for win32/x64',
    );
    await expect(installCosign({ toolCache: newCache(), baseUrl, os: 'linux', arch: 'x64', pins: {} })).rejects.toThrow(
      'cosign-linux-amd64 has no pinned checksum in docker-build',
    );
    expect(requests.length).toBe(before);
  });

  it('names the assets and reads the version as cosign prints it', () => {
    expect(cosignAsset('linux', 'arm64')).toBe('cosign-linux-arm64');
    expect(cosignAsset('darwin', 'x64')).toBe('cosign-darwin-amd64');
    expect(parseCosignVersion('  ______\nGitVersion:    v3.1.3\nGitCommit:     unknown\n')).toBe('v3.1.3');
    expect(parseCosignVersion('cosign: command not found')).toBeUndefined();
  });
});
