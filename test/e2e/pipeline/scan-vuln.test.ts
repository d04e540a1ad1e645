// The scan gate's policy against real Trivy and a real vulnerability database: the lab's fixture database (downloaded
// from the lab registry with db-repository, as from a mirror) and an image that declares Alpine 3.22 packages with
// the invented CVE-2099-0001..0005 (CRITICAL, HIGH, MEDIUM, LOW fixed; HIGH unfixed).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { runAction } from '../helpers/action.js';
import { labInputs, runLocal, type LocalInputs } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import type { RunResult } from '../helpers/run.js';

const lab = inject('lab');

const PUSH = { name: 'push', ref: 'refs/heads/main' };

/** `text` as a literal in a regular expression. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

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

  /** A build of the vulnerable fixture; `extra` inputs replace these (build-args: give BASE and PACKAGES too). */
  async function build(tag: string, packages: 'all' | 'unfixed', extra: LocalInputs = {}): Promise<Outcome> {
    const inputs = {
      images: image,
      tags: `type=raw,value=${tag}`,
      platforms: 'linux/amd64',
      'build-args': [`BASE=${lab.baseImage}`, `PACKAGES=${packages}`],
      'reports-dir': `reports-${tag}`,
      'trivy-cache-dir': cacheDir,
      ...extra,
    };
    const result = await runLocal(lab, repo, inputs, { timeoutMs: 600_000 });
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
    // Progress a person can follow: the database in a group of its own, with its source, size and time; the scan's
    // start (with its scanners) and end (with its time and findings); the verdict after the gate's group.
    const dbGroup = result.stderr.slice(result.stderr.indexOf('==> Trivy database\n'));
    expect(dbGroup).toMatch(
      new RegExp(
        `^==> Trivy database\\nTrivy DB: downloading from ${escape(lab.trivyDbRepository)}\\n\\$ trivy image --download-db-only .*\\n` +
          `Trivy DB: downloaded from ${escape(lab.trivyDbRepository)} in \\d+\\.\\d s: ${escape(cacheDir)}/db/trivy\\.db is [\\d.]+ kB, updated 20`,
      ),
    );
    expect(result.stderr.indexOf('==> Trivy database')).toBeGreaterThan(result.stderr.indexOf('==> Build'));
    const digest = (JSON.parse(outputs['platform-digests'] ?? '{}') as Record<string, string>)['linux/amd64'] ?? '';
    expect(result.stderr).toContain(`scanning linux/amd64: ${image}@${digest} (vuln, secret)\n`);
    expect(result.stderr).toMatch(
      /\nlinux\/amd64 scanned in \d+\.\d s: 5 findings \(1 CRITICAL, 2 HIGH, 1 MEDIUM, 1 LOW\)\n/,
    );
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
    const lenient = await build('unfixed', 'unfixed', { 'ignore-unfixed': true });
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
    const onlyCritical = await build('critical', 'unfixed', { 'fail-on': 'CRITICAL' });
    expect(onlyCritical.result.code, onlyCritical.result.stderr.slice(-3000)).toBe(0);
    expect(onlyCritical.sarifIds).toHaveLength(3);
    const reported = await build('reported', 'unfixed', { 'fail-on': 'CRITICAL', 'scan-severity': 'CRITICAL,HIGH' });
    expect(reported.result.code).toBe(0);
    expect(reported.counts['linux/amd64']).toEqual({ CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 0, UNKNOWN: 0 });
    expect(reported.sarifIds).toEqual(['CVE-2099-0005']);
  });

  it('only the arm64 variant vulnerable: the gate fails and names linux/arm64', async () => {
    const { result, counts } = await build('arm64', 'all', {
      platforms: 'linux/amd64,linux/arm64',
      'build-args': [`BASE=${lab.baseImage}`, 'PACKAGES=all', 'ARM64_ONLY=true'],
    });
    expect(result.code, result.stderr.slice(-3000)).toBe(1);
    expect(result.stderr).toMatch(/the scan gate failed on linux\/arm64:/);
    expect(result.stderr).toMatch(/\nscanning linux\/amd64: \S+@sha256:[0-9a-f]{64} \(vuln, secret\)\n/);
    expect(result.stderr).toMatch(/\nlinux\/amd64 scanned in \d+\.\d s: no findings\n/);
    expect(result.stderr).toMatch(/\nscanning linux\/arm64: \S+@sha256:[0-9a-f]{64} \(vuln, secret\)\n/);
    expect(result.stderr).toMatch(
      /\nlinux\/arm64 scanned in \d+\.\d s: 5 findings \(1 CRITICAL, 2 HIGH, 1 MEDIUM, 1 LOW\)\n/,
    );
    expect(counts['linux/amd64']).toMatchObject({ CRITICAL: 0, HIGH: 0 });
    expect(counts['linux/arm64']).toMatchObject({ CRITICAL: 1, HIGH: 2 });
    expect(await tagged('arm64')).toBe(false);
  });

  it('as the GitHub Action, a failing gate writes the job summary: the failure, the failing platform, the findings', async () => {
    const { main, post, summary } = await runAction(repo, PUSH, {
      ...labInputs(lab),
      INPUT_IMAGES: image,
      INPUT_TAGS: 'type=raw,value=action',
      INPUT_PLATFORMS: 'linux/amd64,linux/arm64',
      'INPUT_BUILD-ARGS': `BASE=${lab.baseImage}\nPACKAGES=all\nARM64_ONLY=true`,
      'INPUT_TRIVY-CACHE-DIR': cacheDir,
      'INPUT_REPORTS-DIR': 'reports-action',
    });
    const log = main.stdout;
    expect(main.code, log.slice(-3000)).toBe(1);
    expect(post.code).toBe(0);
    expect(summary).toContain('### Failed in step: Scan gate');
    expect(summary).toMatch(
      /```\nthe scan gate failed on linux\/arm64: 3 finding\(s\) of severity CRITICAL, HIGH; no tag/,
    );
    expect(summary).toMatch(/\| linux\/amd64 \| `sha256:[0-9a-f]{12}…` \| 0 \| 0 \| 0 \| 0 \| 0 \|/);
    expect(summary).toMatch(/\| linux\/arm64 \| `sha256:[0-9a-f]{12}…` \| 1 \| 2 \| 1 \| 1 \| 0 \|/);
    expect(summary).toContain('#### Findings that fail the gate');
    for (const [severity, id] of [
      ['Critical', 'CVE-2099-0001'],
      ['High', 'CVE-2099-0002'],
      ['High', 'CVE-2099-0005'],
    ]) {
      expect(summary).toMatch(
        new RegExp(`\\| linux/arm64 \\| ${severity} \\| \\[?${id}.* \\| image \\(alpine 3\\.22\\.1\\) \\|`),
      );
    }
    expect(summary).toContain('**Failed**: 3 findings fail the gate on linux/arm64.');
    expect(summary).toMatch(/\| Scan gate \(failed\) \| \d+\.\d \|/);
    // The log: each platform's scan started and ended with its time, inside the gate's group; the verdict after it.
    const gate = log.slice(
      log.indexOf('::group::Scan gate'),
      log.indexOf('::endgroup::', log.indexOf('::group::Scan gate')),
    );
    expect(gate).toMatch(/\nscanning linux\/amd64: \S+@sha256:[0-9a-f]{64} \(vuln, secret\)\n/);
    expect(gate).toMatch(/\nlinux\/amd64 scanned in \d+\.\d s: no findings\n/);
    expect(gate).toMatch(/\nlinux\/arm64 scanned in \d+\.\d s: 5 findings \(1 CRITICAL, 2 HIGH, 1 MEDIUM, 1 LOW\)\n/);
    expect(gate).not.toContain('Image scan (Trivy)');
    expect(log.slice(log.indexOf('::group::Scan gate'))).toMatch(/::endgroup::\nImage scan \(Trivy\)\n/);
    expect(log).toMatch(/::group::Trivy database\nTrivy DB: /);
    expect(log).toMatch(/::error::the scan gate failed on linux\/arm64/);
    expect(await tagged('action')).toBe(false);
  });

  it('no database to be had: fails closed with the reason and tags nothing; scan-fail-open passes on secrets', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'e2e-trivy-empty-'));
    try {
      const nowhere = { 'db-repository': `${lab.registry}/lab/no-such-db:2`, 'trivy-cache-dir': empty };
      const closed = await build('nodb', 'all', nowhere);
      expect(closed.result.code).toBe(1);
      expect(closed.result.stderr).toMatch(
        /could not download its vulnerability database from registry\.lab\.test:5443\/lab\/no-such-db:2/,
      );
      expect(closed.result.stderr).toMatch(/the gate fails closed/);
      expect(await tagged('nodb')).toBe(false);
      const open = await build('nodb', 'all', { ...nowhere, 'scan-fail-open': true });
      expect(open.result.code, open.result.stderr.slice(-3000)).toBe(0);
      expect(open.result.stderr).toMatch(/no vulnerability database; scan-fail-open is true: scanning for secret only/);
      expect(await tagged('nodb')).toBe(true);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
