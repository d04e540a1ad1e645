// The SBOM: BuildKit's attestation on every platform (the lab's generator image, syft behind BuildKit's generator
// protocol, named by sbom-generator as a mirror would be), and one file per platform written by the scan gate's
// Trivy from the pushed digest, in the format asked: what the image holds, listed.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { runLocal } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import type { RunResult } from '../helpers/run.js';

const lab = inject('lab');

function outputsOf(result: RunResult): Record<string, string> {
  return result.stdout === '' ? {} : (JSON.parse(result.stdout) as Record<string, string>);
}

describe('sbom: the attestation on every platform, and a file per platform', () => {
  const client = new DockerClient();
  let repo = '';

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture('vuln-app');
  });

  afterAll(() => {
    client.dispose();
    if (repo !== '') rmSync(repo, { recursive: true, force: true });
  });

  /** A two-platform build of the packages fixture with the SBOM on; the gate reports only (fail-on empty). */
  async function build(format: 'cyclonedx' | 'spdx-json'): Promise<{ image: string; outputs: Record<string, string> }> {
    const image = `${lab.registry}/e2e/${unique('sbom')}`;
    const result = await runLocal(lab, repo, {
      images: image,
      tags: 'type=raw,value=v1',
      platforms: lab.platforms.join(','),
      sbom: 'true',
      'sbom-generator': lab.sbomScannerImage,
      'sbom-format': format,
      'fail-on': '',
    });
    expect(result.code, result.stderr.slice(-4000)).toBe(0);
    return { image, outputs: outputsOf(result) };
  }

  it('cyclonedx: BuildKit attests an SBOM on each platform; Trivy writes gl-sbom-<platform>.cdx.json listing the packages', async () => {
    const { image, outputs } = await build('cyclonedx');
    const { stdout } = await client.mustDocker([
      'buildx',
      'imagetools',
      'inspect',
      `${image}:v1`,
      '--format',
      '{{json .SBOM}}',
    ]);
    const sboms = JSON.parse(stdout) as Record<string, { SPDX?: { packages?: { name: string }[] } }>;
    expect(Object.keys(sboms).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    for (const sbom of Object.values(sboms)) {
      expect(sbom.SPDX?.packages?.map((p) => p.name)).toEqual(expect.arrayContaining(['demo-critical', 'demo-high']));
    }
    const files = (outputs['sbom-files'] ?? '').split('\n');
    expect(files).toEqual([
      join(repo, 'docker-build-reports', 'gl-sbom-linux-amd64.cdx.json'),
      join(repo, 'docker-build-reports', 'gl-sbom-linux-arm64.cdx.json'),
    ]);
    for (const file of files) {
      const bom = JSON.parse(readFileSync(file, 'utf8')) as { bomFormat: string; components: { name: string }[] };
      expect(bom.bomFormat).toBe('CycloneDX');
      expect(bom.components.map((c) => c.name)).toEqual(
        expect.arrayContaining(['demo-critical', 'demo-high', 'demo-medium', 'demo-low']),
      );
    }
  });

  it('spdx-json: sbom-<platform>.spdx.json', async () => {
    const { outputs } = await build('spdx-json');
    const files = (outputs['sbom-files'] ?? '').split('\n');
    expect(files.map((file) => file.split('/').at(-1))).toEqual([
      'sbom-linux-amd64.spdx.json',
      'sbom-linux-arm64.spdx.json',
    ]);
    const doc = JSON.parse(readFileSync(files[0] ?? '', 'utf8')) as {
      spdxVersion: string;
      packages: { name: string }[];
    };
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    expect(doc.packages.map((p) => p.name)).toEqual(expect.arrayContaining(['demo-critical']));
  });
});
