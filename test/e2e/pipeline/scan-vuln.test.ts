// The scan gate's policy against real Trivy and a real vulnerability database: the lab's fixture database (downloaded
// from the lab registry with db-repository, as from a mirror) and an image that declares Alpine 3.22 packages with
// the invented CVE-2099-0001..0005 (CRITICAL, HIGH, MEDIUM, LOW fixed; HIGH unfixed).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { DIST, labInputs } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { run, type RunResult } from '../helpers/run.js';

const lab = inject('lab');

interface Outcome {
  result: RunResult;
  outputs: Record<string, string>;
  counts: Record<string, Record<string, number>>;
  sarifIds: string[];
  gitlabIds: string[];
}

describe('the scan gate on vulnerabilities, with the fixture database', () => {
  const client = new DockerClient();
  const image = `${lab.registry}/e2e/${unique('vuln')}`;
  const cacheDir = mkdtempSync(join(tmpdir(), 'e2e-trivy-cache-'));
  let repo = '';

  async function build(tag: string, packages: 'all' | 'unfixed', ...extra: string[]): Promise<Outcome> {
    const result = await run(
      'node',
      [
        DIST,
        'build',
        '--images',
        image,
        '--tags',
        `type=raw,value=${tag}`,
        '--platforms',
        'linux/amd64',
        // Repeated flags are lines of one input: BASE from the lab, then the package list.
        '--build-args',
        `BASE=${lab.baseImage}`,
        '--build-args',
        `PACKAGES=${packages}`,
        '--reports-dir',
        `reports-${tag}`,
        '--trivy-cache-dir',
        cacheDir,
        ...extra,
      ],
      { cwd: repo, env: { ...process.env, ...labInputs(lab) }, timeoutMs: 600_000 },
    );
    const outputs = result.stdout === '' ? {} : (JSON.parse(result.stdout) as Record<string, string>);
    const report = (name: string) => readFileSync(join(repo, `reports-${tag}`, name), 'utf8');
    const sarif = outputs.sarif === '' || outputs.sarif === undefined ? undefined : report('trivy.sarif');
    return {
      result,
      outputs,
      counts: JSON.parse(outputs['scan-counts'] ?? '{}') as Record<string, Record<string, number>>,
      sarifIds:
        sarif === undefined
          ? []
          : (JSON.parse(sarif) as { runs: { results: { ruleId: string }[] }[] }).runs
              .flatMap((r) => r.results.map((x) => x.ruleId))
              .sort(),
      gitlabIds:
        sarif === undefined
          ? []
          : (
              JSON.parse(report('gl-container-scanning-report.json')) as { vulnerabilities: { name: string }[] }
            ).vulnerabilities
              .map((v) => v.name)
              .sort(),
    };
  }

  async function tagged(tag: string): Promise<boolean> {
    return (await client.docker(['buildx', 'imagetools', 'inspect', `${image}:${tag}`])).code === 0;
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture('vuln-app');
  });

  afterAll(() => {
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('downloads the database from the mirror once, and fails on CRITICAL and HIGH by default, naming them', async () => {
    const { result, outputs, counts, sarifIds } = await build('all', 'all');
    expect(result.code, result.stderr.slice(-3000)).toBe(1);
    expect(result.stderr).toContain(`--download-db-only`);
    expect(result.stderr).toContain(`--db-repository=${lab.trivyDbRepository}`);
    expect(result.stderr).toMatch(/the scan gate failed on linux\/amd64: 3 finding\(s\) of severity CRITICAL, HIGH/);
    for (const id of ['CVE-2099-0001', 'CVE-2099-0002', 'CVE-2099-0005']) expect(result.stderr).toContain(id);
    expect(outputs['scan-result']).toBe('failed');
    expect(counts['linux/amd64']).toEqual({ CRITICAL: 1, HIGH: 2, MEDIUM: 1, LOW: 1, UNKNOWN: 0 });
    expect(sarifIds).toEqual(['CVE-2099-0001', 'CVE-2099-0002', 'CVE-2099-0003', 'CVE-2099-0004', 'CVE-2099-0005']);
    expect(await tagged('all')).toBe(false);
  });

  it('an unfixed HIGH fails the gate; ignore-unfixed leaves it out, and the image is tagged', async () => {
    const strict = await build('unfixed', 'unfixed');
    expect(strict.result.code).toBe(1);
    expect(strict.result.stderr).toContain('CVE-2099-0005');
    expect(await tagged('unfixed')).toBe(false);
    const lenient = await build('unfixed', 'unfixed', '--ignore-unfixed', 'true');
    expect(lenient.result.code, lenient.result.stderr.slice(-3000)).toBe(0);
    expect(lenient.outputs['scan-result']).toBe('passed');
    expect(lenient.sarifIds).toEqual(['CVE-2099-0003', 'CVE-2099-0004']);
    expect(lenient.gitlabIds).toHaveLength(2);
    expect(await tagged('unfixed')).toBe(true);
  });

  it('.trivyignore drops the ignored ID from the gate and the reports', async () => {
    writeFileSync(join(repo, '.trivyignore'), '# accepted until a fix is released\nCVE-2099-0005\n');
    try {
      const { result, sarifIds } = await build('ignored', 'unfixed');
      expect(result.code, result.stderr.slice(-3000)).toBe(0);
      expect(sarifIds).toEqual(['CVE-2099-0003', 'CVE-2099-0004']);
      expect(await tagged('ignored')).toBe(true);
    } finally {
      rmSync(join(repo, '.trivyignore'));
    }
  });

  it('fail-on and scan-severity: CRITICAL fails nothing here; HIGH,CRITICAL reports only those', async () => {
    const onlyCritical = await build('critical', 'unfixed', '--fail-on', 'CRITICAL');
    expect(onlyCritical.result.code, onlyCritical.result.stderr.slice(-3000)).toBe(0);
    expect(onlyCritical.sarifIds).toHaveLength(3);
    const reported = await build('reported', 'unfixed', '--fail-on', 'CRITICAL', '--scan-severity', 'CRITICAL,HIGH');
    expect(reported.result.code).toBe(0);
    expect(reported.counts['linux/amd64']).toEqual({ CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 0, UNKNOWN: 0 });
    expect(reported.sarifIds).toEqual(['CVE-2099-0005']);
  });

  it('only the arm64 variant vulnerable: the gate fails and names linux/arm64', async () => {
    const { result, counts } = await build(
      'arm64',
      'all',
      '--platforms',
      'linux/amd64,linux/arm64',
      '--build-args',
      'ARM64_ONLY=true',
    );
    expect(result.code, result.stderr.slice(-3000)).toBe(1);
    expect(result.stderr).toMatch(/the scan gate failed on linux\/arm64:/);
    expect(counts['linux/amd64']).toMatchObject({ CRITICAL: 0, HIGH: 0 });
    expect(counts['linux/arm64']).toMatchObject({ CRITICAL: 1, HIGH: 2 });
    expect(await tagged('arm64')).toBe(false);
  });

  it('no database to be had: fails closed with the reason and tags nothing; scan-fail-open passes on secrets', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'e2e-trivy-empty-'));
    try {
      const nowhere = ['--db-repository', `${lab.registry}/lab/no-such-db:2`, '--trivy-cache-dir', empty];
      const closed = await build('nodb', 'all', ...nowhere);
      expect(closed.result.code).toBe(1);
      expect(closed.result.stderr).toMatch(
        /could not download its vulnerability database from registry\.lab\.test:5443\/lab\/no-such-db:2/,
      );
      expect(closed.result.stderr).toMatch(/the gate fails closed/);
      expect(await tagged('nodb')).toBe(false);
      const open = await build('nodb', 'all', ...nowhere, '--scan-fail-open', 'true');
      expect(open.result.code, open.result.stderr.slice(-3000)).toBe(0);
      expect(open.result.stderr).toMatch(/no vulnerability database; scan-fail-open is true: scanning for secret only/);
      expect(await tagged('nodb')).toBe(true);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
