import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ignoreFiles } from '../../../src/host.js';
import { ignoreFileFor } from '../../../src/pipeline/gates/scan.js';

const resolveIgnoreFile = (cwd: string, given: string[], workDir: string) =>
  ignoreFileFor(ignoreFiles(cwd, given), workDir);
import { parseTrivyVersion, trivyImageArgs } from '../../../src/scan/trivy-args.js';

describe('a Trivy run', () => {
  it('scans one manifest by digest from the registry, JSON on stdout', () => {
    expect(
      trivyImageArgs({
        source: { kind: 'registry', reference: 'r.example.com/app@sha256:aa' },
        scanners: ['vuln', 'secret'],
        timeout: '10m',
        db: {
          cacheDir: '/cache/trivy',
          sources: { dbRepositories: ['mirror.example.com/trivy-db:2'], javaDbRepositories: [] },
          prepared: true,
        },
        ignoreFile: '/w/.trivyignore',
      }),
    ).toEqual([
      'image',
      '--format=json',
      '--no-progress',
      '--image-src=remote',
      '--scanners=vuln,secret',
      '--timeout=10m',
      '--cache-dir=/cache/trivy',
      '--db-repository=mirror.example.com/trivy-db:2',
      '--skip-db-update',
      '--skip-version-check',
      '--ignorefile=/w/.trivyignore',
      '--',
      'r.example.com/app@sha256:aa',
    ]);
  });

  it('scans an unpushed platform from its own OCI archive', () => {
    expect(
      trivyImageArgs({
        source: { kind: 'archive', path: '/w/image-linux-arm64.tar' },
        scanners: ['secret'],
        timeout: '1m',
        ignoreFile: undefined,
      }),
    ).toEqual([
      'image',
      '--format=json',
      '--no-progress',
      '--input=/w/image-linux-arm64.tar',
      '--scanners=secret',
      '--timeout=1m',
      '--skip-version-check',
    ]);
  });

  it('reads the version Trivy prints', () => {
    expect(parseTrivyVersion('Version: 0.74.0\nVulnerability DB:\n  Version: 2\n')).toBe('v0.74.0');
    expect(parseTrivyVersion('trivy dev')).toBeUndefined();
  });
});

describe('ignore files', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'ignore-'));

  it('takes .trivyignore.yaml, else .trivyignore, from the working directory', () => {
    const cwd = dir();
    expect(resolveIgnoreFile(cwd, [], cwd)).toBeUndefined();
    writeFileSync(join(cwd, '.trivyignore'), 'CVE-1\n');
    expect(resolveIgnoreFile(cwd, [], cwd)).toBe(join(cwd, '.trivyignore'));
    writeFileSync(join(cwd, '.trivyignore.yaml'), 'vulnerabilities: []\n');
    expect(resolveIgnoreFile(cwd, [], cwd)).toBe(join(cwd, '.trivyignore.yaml'));
  });

  it('merges several plain files into one', () => {
    const cwd = dir();
    const work = dir();
    writeFileSync(join(cwd, 'a'), 'CVE-1\n');
    writeFileSync(join(cwd, 'b'), 'CVE-2\n');
    const merged = resolveIgnoreFile(cwd, ['a', 'b'], work) ?? '';
    expect(readFileSync(merged, 'utf8')).toBe('CVE-1\n\nCVE-2\n');
  });

  it.each([
    [['missing'], /Invalid trivyignores "missing": no such file/],
    [['bad.yaml'], /Invalid trivyignores ".*bad.yaml": is not valid YAML \(line 2\)/],
    [['x.yaml', 'a'], /Invalid trivyignores "x.yaml, a": a .trivyignore.yaml file must be the only ignore file/],
  ])('%j is refused', (given, message) => {
    const cwd = dir();
    writeFileSync(join(cwd, 'x.yaml'), '');
    writeFileSync(join(cwd, 'a'), '');
    writeFileSync(join(cwd, 'bad.yaml'), 'vulnerabilities: [CVE-1\n');
    expect(() => resolveIgnoreFile(cwd, given, cwd)).toThrow(message);
  });
});
