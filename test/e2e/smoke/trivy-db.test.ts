// The lab's fixture vulnerability database (test/lab/vulndb) as the real Trivy sees it: published in the lab registry
// the way ghcr.io/aquasecurity/trivy-db:2 is, downloaded with --db-repository into a fresh cache dir, and matched
// against an image that declares Alpine 3.22 packages (test/e2e/fixtures/vuln-app, PACKAGES=all). The table below is
// the one in test/lab/vulndb/README.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBuilder, DockerClient, removeBuilder, unique } from '../helpers/docker.js';
import { run, type RunResult } from '../helpers/run.js';

const lab = inject('lab');
const VULN_APP = new URL('../fixtures/vuln-app/', import.meta.url).pathname;

const EXPECTED = [
  { id: 'CVE-2099-0001', pkg: 'demo-critical', installed: '1.0.0-r0', fixed: '1.0.1-r0', severity: 'CRITICAL' },
  { id: 'CVE-2099-0002', pkg: 'demo-high', installed: '2.0.0-r0', fixed: '2.0.1-r0', severity: 'HIGH' },
  { id: 'CVE-2099-0003', pkg: 'demo-medium', installed: '3.0.0-r0', fixed: '3.0.1-r0', severity: 'MEDIUM' },
  { id: 'CVE-2099-0004', pkg: 'demo-low', installed: '4.0.0-r0', fixed: '4.0.1-r0', severity: 'LOW' },
  { id: 'CVE-2099-0005', pkg: 'demo-unfixed', installed: '5.0.0-r0', fixed: 'none', severity: 'HIGH' },
];

interface Vulnerability {
  VulnerabilityID: string;
  PkgName: string;
  InstalledVersion: string;
  FixedVersion?: string;
  Status?: string;
  Severity: string;
  SeveritySource?: string;
  DataSource?: { ID: string; Name: string };
  Title?: string;
  Description?: string;
  References?: string[];
  CVSS?: Record<string, { V3Score?: number; V3Vector?: string }>;
}

interface Report {
  Metadata?: { OS?: { Family: string; Name: string } };
  Results?: { Target: string; Class?: string; Type?: string; Vulnerabilities?: Vulnerability[] }[];
}

interface Scan {
  result: RunResult;
  report: Report;
  vulns: Vulnerability[];
}

/** What the table above says of a finding. */
function row(v: Vulnerability) {
  return {
    id: v.VulnerabilityID,
    pkg: v.PkgName,
    installed: v.InstalledVersion,
    fixed: v.FixedVersion ?? 'none',
    severity: v.Severity,
  };
}

interface Metadata {
  Version: number;
  NextUpdate: string;
  UpdatedAt: string;
  DownloadedAt: string;
}

describe('the fixture vulnerability database, downloaded and used by the real Trivy', () => {
  const client = new DockerClient();
  const image = `${lab.registry}/smoke/vuln-app:${unique('t')}`;
  const cacheDir = mkdtempSync(join(tmpdir(), 'e2e-trivy-db-cache-'));
  const metadataFile = join(cacheDir, 'db', 'metadata.json');
  // A repository that does not exist: a Trivy that tried to download from it would fail.
  const absent = `${lab.registry}/smoke/no-trivy-db-here:2`;
  let builder = '';

  async function scan(dbRepository: string, ...extra: string[]): Promise<Scan> {
    const result = await run(
      'trivy',
      [
        'image',
        '--scanners',
        'vuln',
        '--format',
        'json',
        '--no-progress',
        '--skip-version-check',
        '--image-src',
        'remote',
        '--platform',
        'linux/amd64',
        '--cache-dir',
        cacheDir,
        '--db-repository',
        dbRepository,
        ...extra,
        image,
      ],
      { env: client.env, timeoutMs: 300_000 },
    );
    const report = (result.code === 0 ? JSON.parse(result.stdout) : {}) as Report;
    const vulns = (report.Results ?? []).flatMap((r) => r.Vulnerabilities ?? []);
    vulns.sort((a, b) => a.VulnerabilityID.localeCompare(b.VulnerabilityID));
    return { result, report, vulns };
  }

  const metadata = () => JSON.parse(readFileSync(metadataFile, 'utf8')) as Metadata;

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    builder = await createBuilder(client, lab.buildkitImage);
    await client.mustDocker(
      [
        'buildx',
        'build',
        `--builder=${builder}`,
        '--platform=linux/amd64',
        `--build-arg=BASE=${lab.baseImage}`,
        '--build-arg=PACKAGES=all',
        '--provenance=false',
        `--tag=${image}`,
        '--push',
        VULN_APP,
      ],
      { timeoutMs: 600_000 },
    );
  });

  afterAll(async () => {
    await removeBuilder(client, builder);
    client.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('is published as trivy-db:2 is: one db.tar.gz layer of the DB media type, an artifactType, the empty config', async () => {
    const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', '--raw', lab.trivyDbRepository]);
    expect(JSON.parse(stdout)).toMatchObject({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.aquasec.trivy.config.v1+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2, data: 'e30=' },
      layers: [
        {
          mediaType: 'application/vnd.aquasec.trivy.db.layer.v1.tar+gzip',
          annotations: { 'org.opencontainers.image.title': 'db.tar.gz' },
        },
      ],
    });
  });

  it('a fresh cache dir: Trivy downloads it and finds every advisory, with its severity and fixed version', async () => {
    const { result, report, vulns } = await scan(lab.trivyDbRepository);
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).toContain('Downloading vulnerability DB...');
    expect(result.stderr).toContain(`Artifact successfully downloaded\trepo="${lab.trivyDbRepository}"`);
    expect(report.Metadata?.OS).toMatchObject({ Family: 'alpine', Name: '3.22.1' });
    expect(report.Results?.map((r) => [r.Class, r.Type])).toEqual([['os-pkgs', 'alpine']]);
    expect(vulns.map(row)).toEqual(EXPECTED);
    expect(vulns.map((v) => v.Status)).toEqual(['fixed', 'fixed', 'fixed', 'fixed', 'affected']);
    // Full findings: the details come from the vulnerability bucket, the source from the data-source bucket.
    expect(vulns[0]).toMatchObject({
      SeveritySource: 'alpine',
      DataSource: { ID: 'alpine', Name: 'Alpine Secdb' },
      Title: 'demo-critical: remote code execution in the demo parser',
      References: ['https://example.invalid/advisories/CVE-2099-0001'],
      CVSS: { nvd: { V3Score: 9.8, V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' } },
    });
    for (const v of vulns) expect(v.Description, v.VulnerabilityID).toMatch(/invented for docker-build's lab/);
    // What Trivy keeps: schema 2, its download time, and a NextUpdate to come (lab:up rebuilds the database in time).
    const held = metadata();
    expect(held.Version).toBe(2);
    expect(Date.parse(held.DownloadedAt)).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(Date.parse(held.NextUpdate), 'the lab database has lapsed: run npm run lab:up').toBeGreaterThan(Date.now());
  });

  it('--ignore-unfixed leaves out the advisory without a fixed version', async () => {
    const { result, vulns } = await scan(lab.trivyDbRepository, '--ignore-unfixed', '--skip-db-update');
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(vulns.map(row)).toEqual(EXPECTED.filter((e) => e.fixed !== 'none'));
  });

  it('--skip-db-update with the same cache dir scans with the database it holds and asks no registry for one', async () => {
    const before = metadata();
    const { result, vulns } = await scan(absent, '--skip-db-update');
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).not.toContain('Downloading vulnerability DB');
    expect(vulns.map(row)).toEqual(EXPECTED);
    expect(metadata()).toEqual(before);
  });

  it('without --skip-db-update, a held database whose NextUpdate is to come is not downloaded again', async () => {
    // Trivy also skips a download within an hour of the last one (pkg/db/db.go isNewDB): date it back two hours, so
    // that only NextUpdate can keep Trivy from the (absent) repository.
    const held = metadata();
    writeFileSync(
      metadataFile,
      JSON.stringify({ ...held, DownloadedAt: new Date(Date.now() - 2 * 3600_000).toISOString() }),
    );
    const { result, vulns } = await scan(absent);
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).not.toContain('Downloading vulnerability DB');
    expect(vulns.map(row)).toEqual(EXPECTED);
  });

  it('--skip-db-update on an empty cache dir fails: the first run cannot skip the download', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'e2e-trivy-db-empty-'));
    try {
      const result = await run(
        'trivy',
        ['image', '--skip-version-check', '--skip-db-update', '--cache-dir', empty, '--image-src', 'remote', image],
        { env: client.env, timeoutMs: 120_000 },
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('--skip-db-update cannot be specified on the first run');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
