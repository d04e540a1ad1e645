import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mismatchMessage, pinFor, RELEASE_PINS, type ReleasePins } from '../../../src/exec/pins.js';
import { INPUTS } from '../../../src/inputs/table.js';
import { trivyAsset } from '../../../src/scan/install.js';

const PINS: ReleasePins = {
  tool: {
    '1.2.3': { 'tool_1.2.3_linux.tar.gz': 'a'.repeat(64), 'tool_1.2.3_darwin.tar.gz': 'b'.repeat(64) },
    '1.2.4': { 'tool_1.2.4_linux.tar.gz': 'c'.repeat(64) },
  },
};

describe('the pinned downloads table', () => {
  it.each([
    ['tool', 'v1.2.3', 'tool_1.2.3_darwin.tar.gz', { kind: 'pinned', sha256: 'b'.repeat(64) }],
    ['tool', '1.2.4', 'tool_1.2.4_linux.tar.gz', { kind: 'pinned', sha256: 'c'.repeat(64) }],
    ['tool', 'v1.2.5', 'tool_1.2.5_linux.tar.gz', { kind: 'unpinned-version', pinned: ['v1.2.3', 'v1.2.4'] }],
    ['tool', 'v1.2.4', 'tool_1.2.4_darwin.tar.gz', { kind: 'unpinned-file', pinned: ['tool_1.2.4_linux.tar.gz'] }],
    ['other', 'v1.2.3', 'tool_1.2.3_linux.tar.gz', { kind: 'unpinned-version', pinned: [] }],
  ])('%s %s %s', (tool, version, file, expected) => {
    expect(pinFor(PINS, tool, version, file)).toEqual(expected);
  });

  it('holds lowercase hex SHA-256 digests only, each file named once for its version', () => {
    for (const [tool, versions] of Object.entries(RELEASE_PINS)) {
      for (const [version, files] of Object.entries(versions)) {
        expect(version, tool).toMatch(/^\d+\.\d+\.\d+$/);
        for (const [file, sha256] of Object.entries(files)) {
          // Archives carry their version (trivy_0.74.0_...); cosign's bare binaries only the tool's name.
          expect(file.includes(version) || file.startsWith(`${tool}-`), `${tool} ${version}: ${file}`).toBe(true);
          expect(sha256, file).toMatch(/^[0-9a-f]{64}$/);
        }
      }
    }
  });

  it('pins every archive of the default trivy-version that docker-build may download (a bump without pins fails here)', () => {
    const version = INPUTS.find((input) => input.name === 'trivy-version')?.default ?? '';
    const archives = (['linux', 'darwin'] as const).flatMap((os) =>
      ['x64', 'arm64'].map((arch) => trivyAsset(version, os, arch)),
    );
    for (const archive of archives)
      expect(pinFor(RELEASE_PINS, 'trivy', version, archive).kind, archive).toBe('pinned');
    expect(Object.keys(RELEASE_PINS.trivy?.[version.slice(1)] ?? {}).sort()).toEqual([...archives].sort());
  });

  it("checks the runner image's Trivy against the same pins", () => {
    const dockerfile = readFileSync(new URL('../../../runner/Dockerfile', import.meta.url), 'utf8');
    const arg = (name: string) => new RegExp(`^ARG ${name}=(.*)$`, 'm').exec(dockerfile)?.[1];
    const version = arg('TRIVY_VERSION') ?? '';
    expect(arg('TRIVY_SHA256_AMD64')).toBe(RELEASE_PINS.trivy?.[version]?.[trivyAsset(version, 'linux', 'x64')]);
    expect(arg('TRIVY_SHA256_ARM64')).toBe(RELEASE_PINS.trivy?.[version]?.[trivyAsset(version, 'linux', 'arm64')]);
    expect(dockerfile).not.toContain('checksums.txt');
  });

  it("checks the runner image's cosign against the same pins", () => {
    const dockerfile = readFileSync(new URL('../../../runner/Dockerfile', import.meta.url), 'utf8');
    const arg = (name: string) => new RegExp(`^ARG ${name}=(.*)$`, 'm').exec(dockerfile)?.[1];
    const version = arg('COSIGN_VERSION') ?? '';
    expect(arg('COSIGN_SHA256_AMD64')).toBe(RELEASE_PINS.cosign?.[version]?.['cosign-linux-amd64']);
    expect(arg('COSIGN_SHA256_ARM64')).toBe(RELEASE_PINS.cosign?.[version]?.['cosign-linux-arm64']);
    // the lab builds cosign at the same version
    const lab = readFileSync(new URL('../../../test/lab/versions.env', import.meta.url), 'utf8');
    expect(/^COSIGN_VERSION=v?(\S+)$/m.exec(lab)?.[1]).toBe(version);
  });

  it('says which file, from where, and both digests in full', () => {
    expect(mismatchMessage('x.tar.gz', 'https://example.test/v1', 'a'.repeat(64), 'b'.repeat(64))).toBe(
      `x.tar.gz from https://example.test/v1 is not the pinned release: expected sha256 ${'a'.repeat(64)}, ` +
        `got sha256 ${'b'.repeat(64)}. The release was replaced or the download corrupted; nothing was installed`,
    );
  });
});
