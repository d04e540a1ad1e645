import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBuilder, DockerClient, removeBuilder, unique } from '../helpers/docker.js';
import { run, type RunResult } from '../helpers/run.js';

const lab = inject('lab');

// The lab's supply-chain tools, as docker-build would drive them on an air-gapped runner: BuildKit's SBOM generator
// from the lab registry, and cosign with a key, no transparency log and no Sigstore TUF root (both need the internet).
describe('SBOM generator and cosign in the lab', () => {
  const client = new DockerClient();
  const work = mkdtempSync(join(tmpdir(), 'e2e-supply-chain-'));
  const context = join(work, 'context');
  const keys = join(work, 'keys');
  const password = unique('key');
  let builder = '';
  let repo = '';
  let digest = '';
  let platformDigests: Record<string, string> = {};

  const cosign = (args: readonly string[]): Promise<RunResult> =>
    run('cosign', args, { cwd: keys, env: { ...client.env, COSIGN_PASSWORD: password } });
  // v3 asks Sigstore's TUF repository for a signing config and a trusted root unless told not to
  const offlineSign = ['--yes', '--key', 'cosign.key', '--use-signing-config=false', '--tlog-upload=false'];
  const offlineVerify = (key: string): string[] => ['--key', key, '--insecure-ignore-tlog'];

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    builder = await createBuilder(client, lab.buildkitImage);
    for (const dir of [context, keys]) mkdirSync(dir);
    writeFileSync(
      join(context, 'Dockerfile'),
      ['ARG BASE', 'FROM $BASE', 'COPY status /var/lib/dpkg/status', 'RUN echo hello > /hello', ''].join('\n'),
    );
    // a Debian package database with one package the SBOM must list
    writeFileSync(
      join(context, 'status'),
      'Package: lab-demo\nStatus: install ok installed\nArchitecture: all\nVersion: 1.2.3-1\nDescription: demo\n\n',
    );
    repo = `${lab.registry}/smoke/supply-chain`;
    const ref = `${repo}:${unique('t')}`;
    await client.mustDocker(
      [
        'buildx',
        'build',
        `--builder=${builder}`,
        `--platform=${lab.platforms.join(',')}`,
        `--build-arg=BASE=${lab.baseImage}`,
        `--sbom=generator=${lab.sbomScannerImage}`,
        `--tag=${ref}`,
        '--push',
        context,
      ],
      { timeoutMs: 600_000 },
    );
    const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', '--raw', ref]);
    const index = JSON.parse(stdout) as {
      manifests: { digest: string; platform: { os: string; architecture: string } }[];
    };
    platformDigests = Object.fromEntries(
      index.manifests
        .filter((m) => m.platform.os !== 'unknown')
        .map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest]),
    );
    const manifest = await client.mustDocker([
      'buildx',
      'imagetools',
      'inspect',
      ref,
      '--format',
      '{{json .Manifest}}',
    ]);
    digest = (JSON.parse(manifest.stdout) as { digest: string }).digest;
    expect((await cosign(['generate-key-pair'])).code).toBe(0);
    expect((await cosign(['generate-key-pair', '--output-key-prefix', 'other'])).code).toBe(0);
  });

  afterAll(async () => {
    await removeBuilder(client, builder);
    client.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it("attaches an SPDX SBOM made by the lab's generator to each platform", async () => {
    const { stdout } = await client.mustDocker([
      'buildx',
      'imagetools',
      'inspect',
      `${repo}@${digest}`,
      '--format',
      '{{json .SBOM}}',
    ]);
    const sboms = JSON.parse(stdout) as Record<
      string,
      {
        SPDX: {
          spdxVersion: string;
          creationInfo: { creators: string[] };
          packages: { name: string; versionInfo?: string }[];
        };
      }
    >;
    expect(Object.keys(sboms).sort()).toEqual(lab.platforms);
    for (const platform of lab.platforms) {
      const spdx = sboms[platform]?.SPDX;
      expect(spdx?.spdxVersion, platform).toBe('SPDX-2.3');
      expect(spdx?.creationInfo.creators, platform).toEqual(
        expect.arrayContaining([expect.stringMatching(/^Tool: syft-/)]),
      );
      expect(
        spdx?.packages.map((p) => `${p.name}@${p.versionInfo ?? ''}`),
        platform,
      ).toEqual(expect.arrayContaining(['lab-demo@1.2.3-1', expect.stringMatching(/^busybox@1\./)]));
    }
  });

  it('signs the index and each platform manifest with a key, offline, and verifies them with that key only', async () => {
    const signed = await cosign(['sign', ...offlineSign, '--recursive', `${repo}@${digest}`]);
    expect(signed.code, signed.stderr).toBe(0);
    for (const d of [digest, ...Object.values(platformDigests)]) {
      const verified = await cosign(['verify', ...offlineVerify('cosign.pub'), `${repo}@${d}`]);
      expect(verified.code, verified.stderr).toBe(0);
      expect(JSON.parse(verified.stdout)).toEqual([
        expect.objectContaining({
          critical: expect.objectContaining({ image: { 'docker-manifest-digest': d } }) as unknown,
        }),
      ]);
    }
    const other = await cosign(['verify', ...offlineVerify('other.pub'), `${repo}@${digest}`]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('accepted signatures do not match threshold');
  });

  it('stores the signature as an OCI 1.1 referrer, in the tag schema this registry needs', async () => {
    const tag = `${repo}:${digest.replace(':', '-')}`;
    const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', '--raw', tag]);
    const index = JSON.parse(stdout) as { manifests: { artifactType?: string }[] };
    expect(index.manifests.map((m) => m.artifactType)).toContain('application/vnd.dev.sigstore.bundle.v0.3+json');
  });

  it('attests a predicate and verifies the attestation', async () => {
    const type = 'https://example.test/docker-build/gates/v1';
    writeFileSync(join(keys, 'predicate.json'), JSON.stringify({ gates: { scan: 'passed' } }));
    const attested = await cosign([
      'attest',
      ...offlineSign,
      '--type',
      type,
      '--predicate',
      'predicate.json',
      `${repo}@${digest}`,
    ]);
    expect(attested.code, attested.stderr).toBe(0);
    const verified = await cosign([
      'verify-attestation',
      ...offlineVerify('cosign.pub'),
      '--type',
      type,
      `${repo}@${digest}`,
    ]);
    expect(verified.code, verified.stderr).toBe(0);
    const envelope = JSON.parse(verified.stdout.trim().split('\n')[0] ?? '') as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      predicateType: string;
      predicate: unknown;
      subject: { digest: { sha256: string } }[];
    };
    expect(statement.predicateType).toBe(type);
    expect(statement.predicate).toEqual({ gates: { scan: 'passed' } });
    expect(statement.subject[0]?.digest.sha256).toBe(digest.replace('sha256:', ''));
    const other = await cosign([
      'verify-attestation',
      ...offlineVerify('other.pub'),
      '--type',
      type,
      `${repo}@${digest}`,
    ]);
    expect(other.code).toBe(1);
  });
});
