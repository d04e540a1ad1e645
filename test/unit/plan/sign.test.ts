// Signing after the gates and verifying before promote: the plan, bad input named before anything runs, cosign's argv.
import { describe, expect, it } from 'vitest';
import { branchPlan, parsedInputs } from '../helpers/plan.js';
import { attestArgs, signArgs, verifyArgs, verifyAttestationArgs, verifyCommand } from '../../../src/tools/cosign.js';

const KEY =
  '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nabcdefghijklmnopqrstuvwxyz0123456789\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----';
const PUB = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----';

const inputs = parsedInputs;
const planOf = (given: Record<string, string>, oidc = false) =>
  branchPlan({ images: 'r.example/app', ...given }, { oidc });

describe('the signing plan', () => {
  it('key-based with the key as text (never in the plan), a file or a KMS URI; keyless with the job’s token', () => {
    expect(planOf({ sign: 'true', 'sign-key': KEY }).sign).toEqual({ key: { kind: 'pem' }, tlog: true });
    expect(JSON.stringify(planOf({ sign: 'true', 'sign-key': KEY }))).not.toContain('abcdefghijklmnop');
    expect(planOf({ sign: 'true', 'sign-key': 'keys/cosign.key', 'sign-tlog': 'false' }).sign).toEqual({
      key: { kind: 'path', path: 'keys/cosign.key' },
      tlog: false,
    });
    expect(planOf({ sign: 'true', 'sign-key': 'awskms:///alias/release' }).sign?.key).toEqual({
      kind: 'kms',
      uri: 'awskms:///alias/release',
    });
    expect(planOf({ sign: 'true' }, true).sign).toEqual({ key: undefined, tlog: true });
    expect(planOf({}).sign).toBeUndefined();
    // nothing pushed (a fork's pull request has no token either): nothing to sign, no error
    expect(planOf({ sign: 'true', push: 'false' }).sign).toBeUndefined();
    expect(planOf({ sign: 'true', 'sign-key': KEY, push: 'digest', platforms: 'linux/amd64' }).sign).toBeUndefined();
  });

  it('refuses, naming the input: no key and no token, keyless without the log, a KMS of an unknown scheme, a key that does not parse', () => {
    expect(() => planOf({ sign: 'true' })).toThrow(/sign.*keyless signing needs the job's OIDC token/);
    expect(() => planOf({ sign: 'true', 'sign-tlog': 'false' }, true)).toThrow(/sign-tlog.*transparency log/);
    expect(() => inputs({ 'sign-key': 'vault://k' })).toThrow(/sign-key.*vault:\/\/\.\.\..*expected a KMS URI/);
    expect(() => inputs({ 'sign-key': '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' })).toThrow(
      /sign-key.*\(PEM text\).*does not parse as a private key/,
    );
    expect(() => planOf({ 'sign-key': KEY })).toThrow(/sign-key.*is for sign: true/);
  });

  it('verify is for promote and merge, with a public key or an identity and issuer', () => {
    const promote = { command: 'promote', source: 'r.example/app@sha256:' + 'a'.repeat(64) };
    expect(planOf({ ...promote, verify: 'key', 'verify-key': PUB, 'sign-tlog': 'false' }).verify).toEqual({
      kind: 'key',
      key: { kind: 'pem' },
      tlog: false,
    });
    expect(
      planOf({
        ...promote,
        verify: 'identity',
        'verify-identity': '^https://gitlab.com/g/p//',
        'verify-issuer': 'https://gitlab.com',
      }).verify,
    ).toEqual({ kind: 'identity', identity: '^https://gitlab.com/g/p//', issuer: 'https://gitlab.com' });
    expect(() => planOf({ verify: 'key', 'verify-key': PUB })).toThrow(/verify.*is for promote and merge/);
    expect(() => planOf({ ...promote, verify: 'key' })).toThrow(/verify-key.*needs the public key/);
    expect(() => planOf({ ...promote, verify: 'identity', 'verify-identity': '(', 'verify-issuer': 'x' })).toThrow(
      /verify-identity.*not a regular expression/,
    );
  });
});

describe("cosign's argument lists", () => {
  const offline = { key: '/w/sign-key.pem', tlog: false };
  it('sign: the index and its platforms, offline without the transparency log; keyless takes no key', () => {
    expect(signArgs('r/app@sha256:ab', offline)).toEqual([
      'sign',
      '--yes',
      '--key=/w/sign-key.pem',
      '--use-signing-config=false',
      '--tlog-upload=false',
      '--recursive',
      '--',
      'r/app@sha256:ab',
    ]);
    expect(signArgs('r/app@sha256:ab', { key: undefined, tlog: true })).toEqual([
      'sign',
      '--yes',
      '--recursive',
      '--',
      'r/app@sha256:ab',
    ]);
  });

  it('attest: docker-build’s gates predicate; verify and verify-attestation by key or identity', () => {
    expect(attestArgs('r/app@sha256:ab', '/w/p.json', offline)).toContain(
      '--type=https://docker-build.dev/attestation/gates/v1',
    );
    expect(verifyArgs('r/app@sha256:ab', { kind: 'key', key: '/w/k.pub', tlog: false })).toEqual([
      'verify',
      '--key=/w/k.pub',
      '--insecure-ignore-tlog',
      '--output=json',
      '--',
      'r/app@sha256:ab',
    ]);
    expect(
      verifyAttestationArgs('r/app@sha256:ab', { kind: 'identity', identity: '^x$', issuer: 'https://gitlab.com' }),
    ).toEqual([
      'verify-attestation',
      '--certificate-identity-regexp=^x$',
      '--certificate-oidc-issuer=https://gitlab.com',
      '--type=https://docker-build.dev/attestation/gates/v1',
      '--output=json',
      '--',
      'r/app@sha256:ab',
    ]);
    expect(verifyCommand('r/app@sha256:ab', offline)).toBe(
      'cosign verify --key=<the public key of sign-key> --insecure-ignore-tlog r/app@sha256:ab',
    );
  });
});
