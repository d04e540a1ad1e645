import { describe, expect, it } from 'vitest';
import { gitlabTime, toGitlabReport, type GitlabReport } from '../../../src/scan/gitlab.js';
import type { PlatformScan } from '../../../src/scan/types.js';
import { scanOf, trivyFixture } from './helpers.js';

const AMD64 = `sha256:${'1'.repeat(64)}`;
const ARM64 = `sha256:${'2'.repeat(64)}`;
const INFO = {
  trivyVersion: '0.74.0',
  start: new Date('2024-03-01T12:34:56.789Z'),
  end: new Date('2024-03-01T12:35:07.001Z'),
  imageName: 'registry.example.com/group/app',
};

const report = (scans: PlatformScan[]): GitlabReport => toGitlabReport(scans, INFO);

describe('toGitlabReport', () => {
  const twoPlatforms = [
    scanOf('alpine-310.json', 'linux/amd64', AMD64),
    scanOf('alpine-310.json', 'linux/arm64', ARM64),
  ];
  const gitlab = report(twoPlatforms);

  it('is a container-scanning report of schema 15.0.7', () => {
    expect(gitlab.version).toBe('15.0.7');
    expect(gitlab.remediations).toEqual([]);
    expect(gitlab.scan).toMatchObject({
      analyzer: { id: 'docker-build', name: 'docker-build', vendor: { name: 'docker-build' } },
      scanner: { id: 'trivy', name: 'Trivy', version: '0.74.0', vendor: { name: 'Aqua Security' } },
      type: 'container_scanning',
      start_time: '2024-03-01T12:34:56',
      end_time: '2024-03-01T12:35:07',
      status: 'success',
    });
    expect(gitlab.scan.analyzer.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const time of [gitlab.scan.start_time, gitlab.scan.end_time]) {
      expect(time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    }
  });

  it("describes each vulnerability as Trivy's own GitLab template does", () => {
    const trivys = (JSON.parse(trivyFixture('alpine-310.gitlab')) as GitlabReport).vulnerabilities;
    const amd64 = gitlab.vulnerabilities.filter((vulnerability) => vulnerability.location.image.endsWith(AMD64));
    expect(amd64).toHaveLength(trivys.length);
    amd64.forEach((ours, index) => {
      const theirs = trivys[index];
      expect(ours).toMatchObject({
        name: theirs?.name,
        description: theirs?.description,
        severity: theirs?.severity,
        solution: theirs?.solution,
        identifiers: theirs?.identifiers,
        links: theirs?.links,
      });
      expect(ours.location).toEqual({ ...theirs?.location, image: `registry.example.com/group/app@${AMD64}` });
    });
  });

  it('keeps two platforms apart: their own image, distinct and stable ids', () => {
    expect(gitlab.vulnerabilities).toHaveLength(8);
    const ids = gitlab.vulnerabilities.map((vulnerability) => vulnerability.id);
    expect(new Set(ids).size).toBe(8);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(report(twoPlatforms).vulnerabilities.map((vulnerability) => vulnerability.id)).toEqual(ids);
    expect(new Set(gitlab.vulnerabilities.map((vulnerability) => vulnerability.location.image))).toEqual(
      new Set([`registry.example.com/group/app@${AMD64}`, `registry.example.com/group/app@${ARM64}`]),
    );
  });

  it('capitalises severities and leaves out the solution when there is no fix', () => {
    const debian = report([scanOf('debian-buster.json')]).vulnerabilities;
    expect(debian.map((vulnerability) => vulnerability.severity)).toEqual(['Low', 'Critical']);
    expect(debian[0]).not.toHaveProperty('solution');
    expect(debian[1]?.solution).toBe('Upgrade libidn2-0 to 2.0.5-1+deb10u1');
    expect(debian[0]?.location.operating_system).toBe('debian 10.1');
  });

  it('names non-CVE identifiers "trivy", and language packages an Unknown OS', () => {
    const npm = scanOf('npm.json');
    const ghsa = { ...npm, findings: npm.findings.map((finding) => ({ ...finding, id: 'GHSA-6c3j-c64m-qhgq' })) };
    const [cve] = report([npm]).vulnerabilities;
    const [other] = report([ghsa]).vulnerabilities;
    expect(cve?.identifiers).toEqual([
      {
        type: 'cve',
        name: 'CVE-2019-11358',
        value: 'CVE-2019-11358',
        url: 'https://avd.aquasec.com/nvd/cve-2019-11358',
      },
    ]);
    expect(other?.identifiers[0]).toMatchObject({ type: 'trivy', name: 'GHSA-6c3j-c64m-qhgq' });
    expect(cve?.location).toMatchObject({
      dependency: { package: { name: 'jquery' }, version: '3.3.9' },
      operating_system: 'Unknown',
    });
  });

  it('leaves secrets and misconfigurations out', () => {
    expect(report([scanOf('secrets.json'), scanOf('dockerfile.json')]).vulnerabilities).toEqual([]);
  });

  it('does not append a digest to an image name that has one', () => {
    const [first] = toGitlabReport([scanOf('npm.json', 'linux/amd64', AMD64)], {
      ...INFO,
      imageName: `registry.example.com/group/app@${ARM64}`,
    }).vulnerabilities;
    expect(first?.location.image).toBe(`registry.example.com/group/app@${AMD64}`);
  });

  it('keeps only the links the schema takes (http, https, ftp), and holds texts to its limits', () => {
    const npm = scanOf('npm.json');
    const [finding] = npm.findings;
    if (finding === undefined) throw new Error('npm.json has a finding');
    const odd = {
      ...finding,
      primaryUrl: 'urn:cve:CVE-2019-11358',
      references: [
        'mailto:security@example.com',
        'git://example.com/x.git',
        'http:/example.com',
        ' ftp://example.com/a ',
      ],
      description: 'd'.repeat(1_048_577),
      fixedVersion: 'v'.repeat(7000),
    };
    const [vulnerability] = report([{ ...npm, findings: [odd] }]).vulnerabilities;
    expect(vulnerability?.identifiers[0]).not.toHaveProperty('url');
    expect(vulnerability?.links).toEqual([{ url: 'ftp://example.com/a' }]);
    expect(vulnerability?.description).toHaveLength(1_048_576);
    expect(vulnerability?.solution).toHaveLength(7000);
    expect(vulnerability?.solution?.endsWith('…')).toBe(true);
  });

  it('writes times in UTC without zone or milliseconds', () => {
    expect(gitlabTime(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)))).toBe('2025-01-02T03:04:05');
  });
});
