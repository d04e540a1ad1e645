// The scan gate on licenses (`scanners: license`), with real Trivy: an image whose Alpine packages declare
// GPL-3.0-only (restricted: HIGH) and MPL-2.0 (reciprocal: MEDIUM). A license finding is a finding like any other: it
// fails the gate when `fail-on` covers its severity, and is reported otherwise. No vulnerability database is needed.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { runLocal } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';

const lab = inject('lab');

describe('the scan gate on licenses', () => {
  const client = new DockerClient();
  const image = `${lab.registry}/e2e/${unique('license')}`;
  let repo = '';

  async function build(tag: string, failOn: string) {
    const result = await runLocal(
      lab,
      repo,
      {
        images: image,
        tags: `type=raw,value=${tag}`,
        platforms: 'linux/amd64',
        'build-args': [`BASE=${lab.baseImage}`, 'PACKAGES=licenses'],
        scanners: 'license',
        'fail-on': failOn,
        'reports-dir': `reports-${tag}`,
      },
      { timeoutMs: 600_000 },
    );
    const outputs = result.stdout === '' ? {} : (JSON.parse(result.stdout) as Record<string, string>);
    const counts = JSON.parse(outputs['scan-counts'] ?? '{}') as Record<string, Record<string, number>>;
    const junit = readFileSync(join(repo, `reports-${tag}`, 'trivy-junit.xml'), 'utf8');
    return { result, outputs, counts, junit };
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
  });

  it('a restricted license (HIGH) fails the gate when fail-on covers HIGH: named, reported, and no tag', async () => {
    const { result, outputs, counts, junit } = await build('strict', 'CRITICAL,HIGH');
    expect(result.code, result.stderr.slice(-3000)).toBe(1);
    // no database is fetched for licenses
    expect(result.stderr).not.toContain('--download-db-only');
    expect(result.stderr).toMatch(/the scan gate failed on linux\/amd64: 1 finding\(s\) of severity CRITICAL, HIGH/);
    expect(result.stderr).toContain('GPL-3.0-only');
    expect(result.stderr).toContain('demo-high');
    expect(outputs['scan-result']).toBe('failed');
    expect(counts['linux/amd64']).toMatchObject({ CRITICAL: 0, HIGH: 1, MEDIUM: 1 });
    expect(junit).toMatch(/<failure[^>]*>[\s\S]*GPL-3\.0-only/);
    expect(await tagged('strict')).toBe(false);
  });

  it('the same image passes, the licenses still reported, when fail-on covers only CRITICAL', async () => {
    const { result, outputs, counts, junit } = await build('lenient', 'CRITICAL');
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(outputs['scan-result']).toBe('passed');
    expect(counts['linux/amd64']).toMatchObject({ HIGH: 1, MEDIUM: 1 });
    expect(junit).toContain('GPL-3.0-only');
    expect(junit).toContain('MPL-2.0');
    expect(await tagged('lenient')).toBe(true);
  });
});
