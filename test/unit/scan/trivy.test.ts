import { describe, expect, it } from 'vitest';
import { ScanError } from '../../../src/scan/errors.js';
import { parseTrivyReport } from '../../../src/scan/trivy.js';
import type { FindingKind } from '../../../src/scan/types.js';
import { scanOf, trivyFixture } from './helpers.js';

const kinds = (name: string): Record<FindingKind, number> => {
  const counts: Record<FindingKind, number> = { vulnerability: 0, secret: 0, misconfiguration: 0, license: 0 };
  for (const finding of scanOf(name).findings) counts[finding.kind] += 1;
  return counts;
};

describe('parseTrivyReport: the fixtures', () => {
  it.each([
    ['alpine-310.json', { vulnerability: 4, secret: 0, misconfiguration: 0, license: 0 }],
    ['alpine-39-high-critical.json', { vulnerability: 2, secret: 0, misconfiguration: 0, license: 0 }],
    ['debian-buster.json', { vulnerability: 2, secret: 0, misconfiguration: 0, license: 0 }],
    ['debian-buster-ignore-unfixed.json', { vulnerability: 1, secret: 0, misconfiguration: 0, license: 0 }],
    ['npm.json', { vulnerability: 1, secret: 0, misconfiguration: 0, license: 0 }],
    ['dockerfile.json', { vulnerability: 0, secret: 0, misconfiguration: 1, license: 0 }],
    ['secrets.json', { vulnerability: 0, secret: 2, misconfiguration: 0, license: 0 }],
    ['licenses.json', { vulnerability: 0, secret: 0, misconfiguration: 0, license: 5 }],
  ])('%s', (name, expected) => {
    expect(kinds(name)).toEqual(expected);
  });

  it('reads the licenses Trivy classified (`--scanners license`), with its severities', () => {
    const scan = scanOf('licenses.json');
    expect(scan.findings.map((f) => [f.kind, f.id, f.severity, f.pkgName, f.title])).toEqual([
      ['license', 'AGPL-3.0-only', 'CRITICAL', 'demo-critical', 'forbidden license'],
      ['license', 'GPL-3.0-only', 'HIGH', 'demo-high', 'restricted license'],
      ['license', 'MIT', 'LOW', 'demo-low', 'notice license'],
      ['license', 'MPL-2.0', 'MEDIUM', 'demo-medium', 'reciprocal license'],
      ['license', 'MIT', 'LOW', 'demo-unfixed', 'notice license'],
    ]);
    expect(scan.findings[1]?.description).toBe(
      'The license GPL-3.0-only of package demo-high is classified restricted by Trivy.',
    );
  });

  it('reads an OS package vulnerability field by field', () => {
    const scan = scanOf('alpine-310.json', 'linux/arm64', 'sha256:abc');
    expect(scan).toMatchObject({
      platform: 'linux/arm64',
      digest: 'sha256:abc',
      artifactName: 'testdata/fixtures/images/alpine-310.tar.gz',
    });
    const first = scan.findings[0];
    expect(first).toMatchObject({
      kind: 'vulnerability',
      id: 'CVE-2019-1549',
      severity: 'MEDIUM',
      title: 'openssl: information disclosure in fork()',
      target: 'testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)',
      pkgName: 'libcrypto1.1',
      installedVersion: '1.1.1c-r0',
      fixedVersion: '1.1.1d-r0',
      status: 'fixed',
      primaryUrl: 'https://avd.aquasec.com/nvd/cve-2019-1549',
    });
    expect(first?.description).toMatch(/^OpenSSL 1\.1\.1 introduced a rewritten random number generator/);
    expect(first?.references).toHaveLength(20);
    expect(scan.findings.map((finding) => `${finding.pkgName ?? ''}/${finding.id}`)).toEqual([
      'libcrypto1.1/CVE-2019-1549',
      'libcrypto1.1/CVE-2019-1551',
      'libssl1.1/CVE-2019-1549',
      'libssl1.1/CVE-2019-1551',
    ]);
  });

  it('uses the ID as the title when Trivy has none, and keeps CRITICAL', () => {
    const [musl] = scanOf('alpine-39-high-critical.json').findings;
    expect(musl).toMatchObject({
      id: 'CVE-2019-14697',
      title: 'CVE-2019-14697',
      severity: 'CRITICAL',
      pkgName: 'musl',
    });
  });

  it("writes '' for a vulnerability without a fix", () => {
    const [bash, libidn] = scanOf('debian-buster.json').findings;
    expect(bash).toMatchObject({ id: 'CVE-2019-18276', pkgName: 'bash', fixedVersion: '', status: 'affected' });
    expect(bash?.severity).toBe('LOW');
    expect(libidn).toMatchObject({ id: 'CVE-2019-18224', fixedVersion: '2.0.5-1+deb10u1', severity: 'CRITICAL' });
  });

  it('reads a language package vulnerability', () => {
    expect(scanOf('npm.json').findings).toEqual([
      expect.objectContaining({
        id: 'CVE-2019-11358',
        target: 'package-lock.json',
        pkgName: 'jquery',
        installedVersion: '3.3.9',
        fixedVersion: '3.4.0',
        severity: 'MEDIUM',
      }),
    ]);
  });

  it('reads a failed misconfiguration with its resolution', () => {
    const [misconfiguration] = scanOf('dockerfile.json').findings;
    expect(misconfiguration).toMatchObject({
      kind: 'misconfiguration',
      id: 'DS-0002',
      severity: 'HIGH',
      title: "Image user should not be 'root'",
      target: 'Dockerfile',
      primaryUrl: 'https://avd.aquasec.com/misconfig/ds-0002',
    });
    expect(misconfiguration?.description).toContain(
      "Resolution: Add 'USER <non root user name>' line to the Dockerfile",
    );
  });

  it('reads secrets by rule and location, and never copies their text', () => {
    const scan = scanOf('secrets.json');
    expect(scan.findings).toEqual([
      expect.objectContaining({
        kind: 'secret',
        id: 'aws-access-key-id',
        title: 'AWS Access Key ID',
        severity: 'CRITICAL',
        target: 'deploy.sh',
        startLine: 3,
        endLine: 3,
      }),
      expect.objectContaining({ kind: 'secret', id: 'mysecret', title: 'My Secret', severity: 'HIGH', startLine: 7 }),
    ]);
    const parsed = JSON.stringify(scan);
    const raw = JSON.parse(trivyFixture('secrets.json')) as {
      Results: { Secrets: { Match: string; Code: { Lines: { Content: string }[] } }[] }[];
    };
    const secretTexts = raw.Results.flatMap((result) =>
      result.Secrets.flatMap((secret) => [secret.Match, ...secret.Code.Lines.map((line) => line.Content)]),
    ).filter((text) => text !== '');
    expect(secretTexts).toContain('export AWS_ACCESS_KEY_ID=********************');
    expect(secretTexts).toContain('export GITHUB_PAT=ghp_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    for (const text of secretTexts) expect(parsed).not.toContain(text);
    expect(parsed).not.toContain('ghp_');
    expect(parsed).not.toContain('****');
  });
});

describe('parseTrivyReport: odd but valid documents', () => {
  const report = (results: unknown): string =>
    JSON.stringify({ SchemaVersion: 2, ArtifactName: 'x', Results: results });

  it('accepts no Results, empty Results and null lists', () => {
    expect(parseTrivyReport(JSON.stringify({ SchemaVersion: 2 }), 'linux/amd64', 'd').findings).toEqual([]);
    expect(parseTrivyReport(report([]), 'linux/amd64', 'd').findings).toEqual([]);
    const nulls = report([
      { Target: 'x (alpine 3.20)', Vulnerabilities: null, Secrets: null, Misconfigurations: null },
    ]);
    expect(parseTrivyReport(nulls, 'linux/amd64', 'd').findings).toEqual([]);
  });

  it('turns unknown severities into UNKNOWN and reads any case', () => {
    const json = report([
      {
        Target: 't',
        Vulnerabilities: [
          { VulnerabilityID: 'CVE-1', Severity: 'SEVERE' },
          { VulnerabilityID: 'CVE-2', Severity: 'high' },
          { VulnerabilityID: 'CVE-3' },
        ],
      },
    ]);
    const severities = parseTrivyReport(json, 'linux/amd64', 'd').findings.map((finding) => finding.severity);
    expect(severities).toEqual(['UNKNOWN', 'HIGH', 'UNKNOWN']);
  });

  it('keeps only misconfigurations with Status FAIL', () => {
    const json = report([
      {
        Target: 'Dockerfile',
        Misconfigurations: [
          { ID: 'DS-0001', Status: 'PASS', Severity: 'HIGH' },
          { ID: 'DS-0002', Status: 'FAIL', Severity: 'HIGH', CauseMetadata: { StartLine: 0, EndLine: 0 } },
          { ID: 'DS-0026', Status: 'EXCEPTION', Severity: 'LOW' },
        ],
      },
    ]);
    const findings = parseTrivyReport(json, 'linux/amd64', 'd').findings;
    expect(findings.map((finding) => finding.id)).toEqual(['DS-0002']);
    expect(findings[0]?.startLine).toBeUndefined();
  });
});

describe('parseTrivyReport: not a Trivy report', () => {
  it.each([
    ['not JSON', 'not json', /it is not JSON/],
    ['empty output', '', /it is not JSON/],
    ['an array', '[]', /expected a Trivy report \(a JSON object\), got an array/],
    ['no SchemaVersion', '{"Results": []}', /it has no SchemaVersion, so it is not a Trivy report/],
    ['another schema', '{"SchemaVersion": 3}', /SchemaVersion 3 is not supported: expected 2/],
    ['Results an object', '{"SchemaVersion": 2, "Results": {}}', /Results is an object: expected an array/],
    ['a result without Target', '{"SchemaVersion": 2, "Results": [{}]}', /Results\[0\]\.Target is missing/],
    [
      'Vulnerabilities a string',
      '{"SchemaVersion": 2, "Results": [{"Target": "t", "Vulnerabilities": "none"}]}',
      /Results\[0\]\.Vulnerabilities is a string \("none"\): expected an array/,
    ],
    [
      'a secret that is not an object',
      '{"SchemaVersion": 2, "Results": [{"Target": "t", "Secrets": [1]}]}',
      /Results\[0\]\.Secrets\[0\] is a number \(1\): expected an object/,
    ],
  ])('%s', (_, json, reason) => {
    const parse = () => parseTrivyReport(json, 'linux/arm64', 'sha256:abc');
    expect(parse).toThrow(ScanError);
    expect(parse).toThrow(/^Trivy's JSON for linux\/arm64 could not be read: /);
    expect(parse).toThrow(reason);
  });

  it('carries the platform', () => {
    try {
      parseTrivyReport('{', 'linux/arm/v7', 'd');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScanError);
      expect((error as ScanError).platform).toBe('linux/arm/v7');
      expect((error as ScanError).name).toBe('ScanError');
    }
  });
});
