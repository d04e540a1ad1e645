import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/scan/policy.js';
import { artifactUri, sarifLevel, toSarif, type SarifRun } from '../../../src/scan/sarif.js';
import type { Severity } from '../../../src/scan/types.js';
import { REPORT_ALL, scanOf, trivyFixture, twoPlatforms } from './helpers.js';

interface TrivySarif {
  runs: {
    tool: { driver: { rules: { id: string }[] } };
    results: { ruleId: string; ruleIndex: number; level: string }[];
  }[];
}

function expectConsistentRules(run: SarifRun): void {
  const ids = run.tool.driver.rules.map((rule) => rule.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
  for (const id of ids) expect(run.results.some((result) => result.ruleId === id)).toBe(true);
}

describe('toSarif', () => {
  const { scans, verdict } = twoPlatforms();
  const sarif = toSarif(scans, verdict, '0.74.0');
  const [amd64, arm64] = sarif.runs;

  it('is SARIF 2.1.0 with one run per platform, kept apart by automationDetails', () => {
    expect(sarif.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(2);
    expect(sarif.runs.map((run) => run.automationDetails.id)).toEqual([
      'docker-build/linux/amd64/',
      'docker-build/linux/arm64/',
    ]);
    expect(arm64?.properties).toEqual({
      imageName: 'testdata/fixtures/images/alpine-39.tar.gz',
      platform: 'linux/arm64',
      digest: `sha256:${'2'.repeat(64)}`,
    });
    for (const run of sarif.runs) {
      expect(run.tool.driver).toMatchObject({
        name: 'Trivy',
        version: '0.74.0',
        informationUri: 'https://github.com/aquasecurity/trivy',
      });
      expectConsistentRules(run);
    }
  });

  it("has the same rules, rule indexes and levels as Trivy's own SARIF of alpine-310", () => {
    const trivys = (JSON.parse(trivyFixture('alpine-310.sarif')) as TrivySarif).runs[0];
    expect(amd64?.tool.driver.rules.map((rule) => rule.id)).toEqual(trivys?.tool.driver.rules.map((rule) => rule.id));
    const shape = (results: readonly { ruleId: string; ruleIndex: number; level: string }[] | undefined) =>
      results?.map(({ ruleId, ruleIndex, level }) => ({ ruleId, ruleIndex, level }));
    expect(shape(amd64?.results)).toEqual(shape(trivys?.results));
  });

  it('describes each rule the way GitHub code scanning reads it', () => {
    const rule = amd64?.tool.driver.rules[0];
    expect(rule).toMatchObject({
      id: 'CVE-2019-1549',
      name: 'Vulnerability',
      shortDescription: { text: 'openssl: information disclosure in fork()' },
      defaultConfiguration: { level: 'warning' },
      helpUri: 'https://avd.aquasec.com/nvd/cve-2019-1549',
      properties: { tags: ['vulnerability', 'security', 'MEDIUM'], precision: 'very-high', 'security-severity': '5.5' },
    });
    expect(rule?.fullDescription.text).toMatch(/^OpenSSL 1\.1\.1 introduced/);
    expect(rule?.help.text).toContain('Severity: MEDIUM');
    expect(rule?.help.markdown).toContain('[CVE-2019-1549](https://avd.aquasec.com/nvd/cve-2019-1549)');
    expect(arm64?.tool.driver.rules[0]?.properties['security-severity']).toBe('9.5');
  });

  it('locates results relative to ROOTPATH, line 1 when there is no line', () => {
    const result = amd64?.results[0];
    expect(result?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'testdata/fixtures/images/alpine-310.tar.gz', uriBaseId: 'ROOTPATH' },
      region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
    });
    expect(result?.message.text).toContain('Package: libcrypto1.1\nInstalled Version: 1.1.1c-r0');
    expect(result?.message.text).toContain('Platform: linux/amd64');
  });

  it('marks levels and gating findings', () => {
    expect(amd64?.results.map((result) => [result.level, result.properties.gating])).toEqual(
      Array(4).fill(['warning', false]),
    );
    expect(arm64?.results.map((result) => [result.level, result.properties.gating])).toEqual(
      Array(2).fill(['error', true]),
    );
    expect(arm64?.tool.driver.rules).toHaveLength(1);
    expect(arm64?.results.map((result) => result.ruleIndex)).toEqual([0, 0]);
  });

  it('gives secrets their file and lines, without their text', () => {
    const scan = scanOf('secrets.json');
    const [run] = toSarif([scan], evaluatePolicy([scan], REPORT_ALL), '0.74.0').runs;
    if (run === undefined) throw new Error('one run per platform');
    expect(run.results.map((result) => result.locations[0]?.physicalLocation)).toEqual([
      {
        artifactLocation: { uri: 'deploy.sh', uriBaseId: 'ROOTPATH' },
        region: { startLine: 3, startColumn: 1, endLine: 3, endColumn: 1 },
      },
      {
        artifactLocation: { uri: 'deploy.sh', uriBaseId: 'ROOTPATH' },
        region: { startLine: 7, startColumn: 1, endLine: 7, endColumn: 1 },
      },
    ]);
    expect(run.results.map((result) => result.level)).toEqual(['error', 'error']);
    const text = JSON.stringify(run);
    expect(text).not.toContain('AWS_ACCESS_KEY_ID=');
    expect(text).not.toContain('ghp_');
    expectConsistentRules(run);
  });

  it('shows only the reported findings, and keeps a run for a platform without any', () => {
    const only = evaluatePolicy(scans, { ...REPORT_ALL, reportSeverities: ['CRITICAL'] });
    const runs = toSarif(scans, only, '0.74.0').runs;
    expect(runs.map((run) => [run.results.length, run.tool.driver.rules.length])).toEqual([
      [0, 0],
      [2, 1],
    ]);
  });

  it('maps severities to levels', () => {
    const levels = (['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as Severity[]).map(sarifLevel);
    expect(levels).toEqual(['error', 'error', 'warning', 'note', 'note']);
  });

  it.each([
    ['/app/deploy.env', 'app/deploy.env'],
    ['registry.example.com/app@sha256:abc (debian 12.5)', 'registry.example.com/app@sha256:abc'],
    ['usr/lib/node_modules/x/package.json', 'usr/lib/node_modules/x/package.json'],
    ['Dockerfile', 'Dockerfile'],
    ['/app/my key.pem', 'app/my%20key.pem'],
    ['/srv/100%/ünï [1].env', 'srv/100%25/%C3%BCn%C3%AF%20%5B1%5D.env'],
    ['/app/a#b?.env', 'app/a%23b%3F.env'],
    ['', '.'],
  ])('artifact uri of %j', (target, uri) => {
    expect(artifactUri(target)).toBe(uri);
  });
});
