// Signing what the gates passed, and verifying before promote: cosign (the lab's v3.1.3) with a key, offline (no
// Rekor: sign-tlog false), against the lab registries. A build signs the index and each platform and attests its
// gates; a failed gate leaves no signature; promote with verify: key takes only a source signed by that key; bad
// input is refused before anything runs. The key's text and password reach the run as INPUT_ variables only.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labActVars, runAct } from '../helpers/act.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { labGitlabVariables, runGitlabCiLocal } from '../helpers/gitlab.js';
import { runLocal, type LocalInputs } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { must, run, type RunResult } from '../helpers/run.js';

const lab = inject('lab');
const PASSWORD = 'e2e-cosign-password';

function outputsOf(result: RunResult): Record<string, string> {
  return result.stdout === '' ? {} : (JSON.parse(result.stdout) as Record<string, string>);
}

describe('sign after the gates, verify before promote (cosign, key-based, offline)', () => {
  // Keys and the client's config stay under the lab's home, out of the shared temp directory.
  const scratch = mkdtempSync(join(lab.home, 'e2e-sign-'));
  const client = new DockerClient(scratch);
  const image = `${lab.registry}/e2e/${unique('sign')}`;
  const target = `${lab.registry2}/e2e/${unique('signed-release')}`;
  let repo = '';
  let vulnRepo = '';
  const keys = { key: '', pub: '', otherKey: '', otherPub: '' };
  let built: Record<string, string> = {};

  async function keyPair(prefix: string): Promise<{ key: string; pub: string }> {
    await must('cosign', ['generate-key-pair', `--output-key-prefix=${prefix}`], {
      cwd: scratch,
      env: { ...process.env, COSIGN_PASSWORD: PASSWORD },
    });
    return {
      key: readFileSync(join(scratch, `${prefix}.key`), 'utf8'),
      pub: readFileSync(join(scratch, `${prefix}.pub`), 'utf8'),
    };
  }

  /** cosign against the lab registry with the test client's logins. */
  const cosign = (...args: string[]) => run('cosign', args, { cwd: scratch, env: client.env });

  /** The local command signing with `key` (PEM text through INPUT_SIGN-KEY, never argv). */
  function signed(cwd: string, inputs: LocalInputs, key = keys.key): Promise<RunResult> {
    return runLocal(
      lab,
      cwd,
      { 'sign-tlog': false, ...inputs },
      {
        env: { INPUT_SIGN: 'true', 'INPUT_SIGN-KEY': key, 'INPUT_SIGN-KEY-PASSWORD': PASSWORD },
      },
    );
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    expect((await client.login(lab.registry2, lab.registry2User, lab.registry2Password)).code).toBe(0);
    Object.assign(keys, await keyPair('release'));
    const other = await keyPair('other');
    keys.otherKey = other.key;
    keys.otherPub = other.pub;
    repo = await repoFromFixture('hello-app');
    vulnRepo = await repoFromFixture('vuln-app');
    const result = await signed(repo, { images: image, platforms: lab.platforms.join(','), tags: 'type=sha' });
    expect(result.code, result.stderr.slice(-4000)).toBe(0);
    // neither the password nor a line of the key in the log
    expect(result.stderr).not.toContain(PASSWORD);
    expect(result.stderr).not.toContain(keys.key.split('\n')[1] ?? '-');
    built = outputsOf(result);
  });

  afterAll(() => {
    client.dispose();
    for (const dir of [scratch, repo, vulnRepo]) if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('signs the index and each platform, attests the gates, before the tags; the outputs say how to verify', async () => {
    const pub = join(scratch, 'release.pub');
    const index = `${image}@${built.digest ?? ''}`;
    expect(built.signatures).toBe(index);
    expect(built['verify-command']).toBe(
      `cosign verify --key=<the public key of sign-key> --insecure-ignore-tlog ${index}`,
    );
    expect((await cosign('verify', `--key=${pub}`, '--insecure-ignore-tlog', index)).code).toBe(0);
    for (const digest of Object.values(JSON.parse(built['platform-digests'] ?? '{}') as Record<string, string>)) {
      expect((await cosign('verify', `--key=${pub}`, '--insecure-ignore-tlog', `${image}@${digest}`)).code).toBe(0);
    }
    const attested = await cosign(
      'verify-attestation',
      `--key=${pub}`,
      '--insecure-ignore-tlog',
      '--type=https://docker-build.dev/attestation/gates/v1',
      index,
    );
    expect(attested.code, attested.stderr).toBe(0);
    const envelope = JSON.parse(attested.stdout.trim().split('\n')[0] ?? '{}') as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      subject: { digest: { sha256: string } }[];
      predicate: { gates: Record<string, string>; platforms: Record<string, string> };
    };
    expect(statement.subject[0]?.digest.sha256).toBe((built.digest ?? '').replace('sha256:', ''));
    expect(statement.predicate.gates).toMatchObject({ scan: 'passed' });
    expect(Object.keys(statement.predicate.platforms)).toEqual(['linux/amd64', 'linux/arm64']);
    // another key does not verify it
    const other = await cosign('verify', `--key=${join(scratch, 'other.pub')}`, '--insecure-ignore-tlog', index);
    expect(other.code).not.toBe(0);
  });

  it('a failed gate leaves no signature and no tag', async () => {
    const failing = `${lab.registry}/e2e/${unique('sign-vuln')}`;
    const result = await signed(vulnRepo, { images: failing, tags: 'type=raw,value=v1' });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('$ cosign sign');
    const outputs = outputsOf(result);
    expect(outputs.signatures ?? '').toBe('');
    const unsigned = await cosign(
      'verify',
      `--key=${join(scratch, 'release.pub')}`,
      '--insecure-ignore-tlog',
      `${failing}@${outputs.digest ?? ''}`,
    );
    expect(unsigned.code).toBe(10);
    expect(unsigned.stderr).toContain('no signatures found');
  });

  it('promote with verify: key takes the signed source and signs its copy; refuses one signed by another key', async () => {
    const promote = (source: string, pub: string) =>
      runLocal(
        lab,
        repo,
        { source, images: target, tags: 'type=raw,value=release', verify: 'key', 'sign-tlog': false },
        {
          command: 'promote',
          env: {
            INPUT_REGISTRY: '',
            INPUT_USERNAME: '',
            INPUT_PASSWORD: '',
            'INPUT_REGISTRY-AUTH':
              `- registry: ${lab.registry}\n  username: ${lab.registryUser}\n  password: ${lab.registryPassword}\n` +
              `- registry: ${lab.registry2}\n  username: ${lab.registry2User}\n  password: ${lab.registry2Password}\n`,
            'INPUT_VERIFY-KEY': pub,
            INPUT_SIGN: 'true',
            'INPUT_SIGN-KEY': keys.key,
            'INPUT_SIGN-KEY-PASSWORD': PASSWORD,
          },
        },
      );
    const source = `${image}@${built.digest ?? ''}`;
    // an unsigned image of the same project
    const unsignedImage = `${lab.registry}/e2e/${unique('unsigned')}`;
    const plain = outputsOf(await runLocal(lab, repo, { images: unsignedImage, tags: 'type=sha' }));
    const unsigned = await promote(`${unsignedImage}@${plain.digest ?? ''}`, keys.pub);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toMatch(
      /its signature does not verify \(verify: key\), so it is not taken: Error: no signatures found/,
    );
    const refused = await promote(source, keys.otherPub);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/its signature does not verify \(verify: key\), so it is not taken/);
    expect((await client.docker(['buildx', 'imagetools', 'inspect', `${target}:release`])).code).not.toBe(0);
    const taken = await promote(source, keys.pub);
    expect(taken.code, taken.stderr.slice(-3000)).toBe(0);
    expect(taken.stderr).toContain('signature and gates attestation verified (verify: key)');
    // the copy in the second registry is signed there too
    const copy = `${target}@${built.digest ?? ''}`;
    expect(outputsOf(taken).signatures).toContain(copy);
    expect((await cosign('verify', `--key=${join(scratch, 'release.pub')}`, '--insecure-ignore-tlog', copy)).code).toBe(
      0,
    );
  });

  it('bad input, before anything runs: no key and no OIDC token, a KMS of an unknown scheme, a key that does not parse', async () => {
    for (const [env, message] of [
      [{ INPUT_SIGN: 'true' }, /sign.*keyless signing needs the job's OIDC token/],
      [{ INPUT_SIGN: 'true', 'INPUT_SIGN-KEY': 'vault://release' }, /sign-key.*expected a KMS URI/],
      [
        { INPUT_SIGN: 'true', 'INPUT_SIGN-KEY': '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' },
        /sign-key.*does not parse/,
      ],
    ] as const) {
      const result = await runLocal(lab, repo, { images: image }, { env: { ...env } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain('$ docker');
    }
  });

  /** The digest a run printed (act's `output digest=` line, or the dotenv report a GitLab job wrote). */
  const verified = async (reference: string) =>
    (await cosign('verify', `--key=${join(scratch, 'release.pub')}`, '--insecure-ignore-tlog', reference)).code;

  it('the action through act: sign-key and its password as secrets; the digest verifies with the public key; SBOM files per platform', async () => {
    const actRepo = await repoFromFixture(['hello-app', 'act-sign'], undefined, true);
    const actImage = `${lab.registry}/e2e/${unique('sign-act')}`;
    try {
      const result = await runAct(
        actRepo,
        '.github/workflows/sign.yml',
        [
          ...labActVars(lab, actImage),
          `--var=SBOM_GENERATOR=${lab.sbomScannerImage}`,
          '--secret=REGISTRY_PASSWORD',
          '--secret=COSIGN_KEY',
          '--secret=COSIGN_PASSWORD',
        ],
        undefined,
        { REGISTRY_PASSWORD: lab.registryPassword, COSIGN_KEY: keys.key, COSIGN_PASSWORD: PASSWORD },
      );
      const log = result.stdout + result.stderr;
      expect(result.code, log.slice(-4000)).toBe(0);
      const digest = /output digest=(sha256:[0-9a-f]{64})/.exec(log)?.[1] ?? '';
      expect(log).toContain(`output signatures=${actImage}@${digest}`);
      expect(await verified(`${actImage}@${digest}`)).toBe(0);
      expect(log).not.toContain(PASSWORD);
      // the SBOM files of both platforms, where a later step uploads them from
      expect(log).toMatch(/output sbom-files=\S*gl-sbom-linux-amd64\.cdx\.json \S*gl-sbom-linux-arm64\.cdx\.json/);
    } finally {
      rmSync(actRepo, { recursive: true, force: true });
    }
  });

  it('the GitLab component through gitlab-ci-local: the key in masked variables named by the inputs', async () => {
    const glRepo = await repoFromFixture(['hello-app', 'gitlab-sign'], 'https://gitlab.example.com/lab/app.git', true);
    const glImage = `${lab.registry}/e2e/${unique('sign-gitlab')}`;
    try {
      const result = await runGitlabCiLocal(glRepo, {
        ...labGitlabVariables(lab, glImage),
        COSIGN_KEY: keys.key,
        COSIGN_PASSWORD: PASSWORD,
      });
      const log = result.stdout + result.stderr;
      expect(result.code, log.slice(-4000)).toBe(0);
      const dotenv = readFileSync(join(glRepo, 'docker-build.env'), 'utf8');
      const digest = /^DOCKER_BUILD_DIGEST=(\S+)$/m.exec(dotenv)?.[1] ?? '';
      expect(log).toContain(`signed ${glImage}@${digest} and its platforms; attested its gates`);
      expect(await verified(`${glImage}@${digest}`)).toBe(0);
      expect(log).not.toContain(PASSWORD);
    } finally {
      rmSync(glRepo, { recursive: true, force: true });
    }
  });
});
