/**
 * Before a push, each credential helper the plan relies on for a pushed registry is asked for its credential, the way
 * Docker asks it (`docker-credential-<name> get`, the server on stdin): a helper with nothing for the registry is a
 * configuration error found before the build (exit 2), a helper that fails is a failed run (exit 1). What it answers
 * is masked at once, and never shown: on failure only its stderr is.
 */
import { missingMessage } from '../plan/credentials.js';
import { UsageError } from '../errors.js';
import type { SecretMask } from '../exec/mask.js';
import type { Runner } from '../exec/runner.js';
import type { Plan } from '../plan/types.js';
import type { Reporter } from '../platform/types.js';

/** What `docker-credential-* get` prints when it has nothing for the server (docker-credential-helpers' message). */
const NOT_FOUND = /credentials not found/i;

export async function askCredentialHelpers(
  plan: Plan,
  runner: Runner,
  mask: SecretMask,
  reporter: Reporter,
): Promise<void> {
  if (!plan.push.push) return;
  for (const credential of plan.credentials) {
    const copy = credential.copy;
    if (!credential.push || copy?.kind !== 'helper') continue;
    const program = `docker-credential-${copy.helper}`;
    const result = await runner.run(program, ['get'], { stdin: copy.key, quiet: true, allowFailure: true });
    if (result.code === 0) {
      const secret = secretOf(result.stdout);
      if (secret !== undefined) {
        mask.add(secret);
        reporter.addMask(secret);
        reporter.info(`${program} has a credential for ${credential.registry}`);
        continue;
      }
    }
    if (result.code === 0 || NOT_FOUND.test(result.stdout) || NOT_FOUND.test(result.stderr)) {
      throw new UsageError(
        `${program} (${copy.from}) has no credential for ${copy.key}: ` +
          missingMessage([credential.registry], plan.platform),
      );
    }
    const tail = mask.apply(result.stderr.trim().split(/\r?\n/).slice(-5).join('\n'));
    throw new Error(
      `credential helper ${program} failed for ${credential.registry} with exit code ${result.code}` +
        (tail === '' ? '' : `: ${tail}`),
    );
  }
}

/** The `Secret` of a helper's answer (`{"ServerURL":...,"Username":...,"Secret":...}`), when it has one. */
function secretOf(stdout: string): string | undefined {
  try {
    const answer = JSON.parse(stdout) as { Secret?: unknown };
    return typeof answer.Secret === 'string' && answer.Secret !== '' ? answer.Secret : undefined;
  } catch {
    return undefined;
  }
}
