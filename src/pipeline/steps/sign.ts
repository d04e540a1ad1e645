/**
 * Signing what the gates passed, and checking what promote and merge take. After every gate passed on every
 * platform of a digest, and before any tag: cosign signs the index and each platform manifest in every repository the
 * digest was pushed to, and attests docker-build's gates predicate (each gate's verdict, the digest's platforms) on
 * the index. promote and merge, before anything else, refuse a source whose signature or gates attestation does not
 * verify. Key text and password are the run's secrets: the key is written to the run's private directory (0600), the
 * password reaches cosign as COSIGN_PASSWORD.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../errors.js';
import { CommandError } from '../../exec/runner.js';
import type { KeyPlan, SignPlan, VerifyPlan } from '../../plan/types.js';
import {
  attestArgs,
  signArgs,
  verifyArgs,
  verifyAttestationArgs,
  verifyCommand,
  type CosignSigner,
  type CosignVerifier,
} from '../../tools/cosign.js';
import type { StepContext } from '../step.js';

/** The secrets signing needs: PEM text of `sign-key` or `verify-key` when given as text, the key's password. */
export interface SignSecrets {
  keyText?: string | undefined;
  verifyKeyText?: string | undefined;
  password?: string | undefined;
}

/** What the gates found, as docker-build's attestation states it. */
export interface GatesStatement {
  /** gate name → `passed` | `skipped` */
  gates: Record<string, string>;
  platforms: Record<string, string>;
  /** what made and judged the image: docker-build's version, the commit and ref of the run */
  builder: { id: string; version: string };
  source: { commit: string; ref: string };
}

export interface Signed {
  references: string[];
  verifyCommand: string;
}

function keyFile(step: StepContext, key: KeyPlan, text: string | undefined, name: string): string {
  switch (key.kind) {
    case 'kms':
      return key.uri;
    case 'path': {
      const path = resolve(step.cwd, key.path);
      if (!existsSync(path)) throw new InputError(name, key.path, 'no such file');
      return path;
    }
    case 'pem': {
      if (text === undefined) throw new Error(`${name} was given as text, and the run has none`);
      const file = join(step.docker.workDir, `${name}.pem`);
      writeFileSync(file, text, { mode: 0o600 });
      return file;
    }
  }
}

function cosignEnv(step: StepContext, secrets: SignSecrets): Record<string, string> {
  return { ...step.docker.vars, ...(secrets.password === undefined ? {} : { COSIGN_PASSWORD: secrets.password }) };
}

/** Signs `digest` in every repository, then attests the gates' verdicts on it. */
export async function signImage(
  step: StepContext,
  sign: SignPlan,
  secrets: SignSecrets,
  repositories: readonly string[],
  digest: string,
  statement: GatesStatement,
  identity?: { subject: string; issuer: string },
): Promise<Signed> {
  const who: CosignSigner = {
    key: sign.key === undefined ? undefined : keyFile(step, sign.key, secrets.keyText, 'sign-key'),
    tlog: sign.tlog,
  };
  step.reporter.info(
    `signing with ${who.key === undefined ? "the job's OIDC identity (keyless)" : sign.key?.kind === 'kms' ? who.key : 'sign-key'}` +
      (sign.tlog ? ', recorded in the transparency log' : ', no transparency log (sign-tlog: false)'),
  );
  const predicate = join(step.docker.workDir, 'gates-predicate.json');
  writeFileSync(predicate, `${JSON.stringify(statement, null, 2)}\n`, { mode: 0o600 });
  const env = cosignEnv(step, secrets);
  const references = repositories.map((repository) => `${repository}@${digest}`);
  for (const reference of references) {
    await step.runner.run('cosign', signArgs(reference, who), { env });
    await step.runner.run('cosign', attestArgs(reference, predicate, who), { env });
    step.reporter.info(`signed ${reference} and its platforms; attested its gates`);
  }
  return { references, verifyCommand: verifyCommand(references[0] ?? '', who, identity) };
}

/**
 * Refuses a source whose signature, or docker-build's gates attestation, does not verify. Thrown as a failure of the
 * run (exit 1), naming the source and cosign's reason.
 */
export async function verifySource(
  step: StepContext,
  verify: Exclude<VerifyPlan, { kind: 'none' }>,
  secrets: SignSecrets,
  reference: string,
): Promise<void> {
  const who: CosignVerifier =
    verify.kind === 'key'
      ? { kind: 'key', key: keyFile(step, verify.key, secrets.verifyKeyText, 'verify-key'), tlog: verify.tlog }
      : verify;
  for (const [what, args] of [
    ['signature', verifyArgs(reference, who)],
    ['gates attestation', verifyAttestationArgs(reference, who)],
  ] as const) {
    try {
      await step.runner.run('cosign', args, { env: step.docker.vars, quiet: true });
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      const reason =
        error.stderrTail
          .split('\n')
          .filter((line) => line.startsWith('Error:'))
          .at(-1) ?? error.stderrTail;
      throw new Error(
        `${reference}: its ${what} does not verify (verify: ${verify.kind}), so it is not taken: ${reason.trim()}`,
        { cause: error },
      );
    }
  }
  step.reporter.info(`${reference}: signature and gates attestation verified (verify: ${verify.kind})`);
}
