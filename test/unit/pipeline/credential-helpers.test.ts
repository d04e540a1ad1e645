import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretMask } from '../../../src/exec/mask.js';
import { askCredentialHelpers } from '../../../src/pipeline/credential-helpers.js';
import type { Plan, PlannedCredential } from '../../../src/plan/types.js';
import { testStep } from '../helpers/step.js';

const SECRET = 'helper-s3cret-value';

/** A stand-in `docker-credential-lab` that records what it was asked and answers with `script`. */
function helper(dir: string, script: string) {
  const file = join(dir, 'docker-credential-lab');
  writeFileSync(file, `#!/bin/sh\nread server\necho "$1 $server" >> ${join(dir, 'calls')}\n${script}\n`);
  chmodSync(file, 0o755);
}

const viaHelper: PlannedCredential = {
  registry: 'registry2.lab.test:5444',
  push: true,
  source: 'credential helper lab (credHelpers)',
  copy: { kind: 'helper', helper: 'lab', key: 'registry2.lab.test:5444', from: 'credHelpers' },
};

function planWith(credentials: PlannedCredential[], push = true): Plan {
  return { platform: 'github', push: { push, reason: '' }, credentials } as unknown as Plan;
}

describe('asking credential helpers before a push', () => {
  it('asks as Docker does (get, the server on stdin) and masks the answer', async () => {
    const mask = new SecretMask();
    const { dir, step, calls } = testStep('helpers-', { standIns: true, mask });
    helper(dir, `echo '{"ServerURL":"registry2.lab.test:5444","Username":"lab","Secret":"${SECRET}"}'`);
    await askCredentialHelpers(planWith([viaHelper]), step.runner, mask, step.reporter);
    expect(calls()).toEqual(['get registry2.lab.test:5444']);
    expect(mask.apply(`x ${SECRET} y`)).toBe('x *** y');
  });

  it('a helper with nothing for the registry: a usage error before the build, with the ways out', async () => {
    const mask = new SecretMask();
    const { dir, step } = testStep('helpers-', { standIns: true, mask });
    helper(dir, 'echo "credentials not found in native keychain"; exit 1');
    await expect(askCredentialHelpers(planWith([viaHelper]), step.runner, mask, step.reporter)).rejects.toThrow(
      /^docker-credential-lab \(credHelpers\) has no credential for registry2\.lab\.test:5444: no credential for registry2\.lab\.test:5444, and this run pushes there/,
    );
  });

  it('a helper that fails: a failed run, its stderr shown and never its stdout', async () => {
    const mask = new SecretMask();
    const { dir, step } = testStep('helpers-', { standIns: true, mask });
    helper(dir, `echo '{"Secret":"${SECRET}"}'; echo "AccessDenied: the role cannot read ECR" >&2; exit 3`);
    const run = askCredentialHelpers(planWith([viaHelper]), step.runner, mask, step.reporter);
    await expect(run).rejects.toThrow(
      'credential helper docker-credential-lab failed for registry2.lab.test:5444 with exit code 3: AccessDenied: the role cannot read ECR',
    );
    await expect(run).rejects.not.toThrow(SECRET);
  });

  it('asks nothing when the run does not push, or for registries it does not push to', async () => {
    const mask = new SecretMask();
    const { dir, step, calls } = testStep('helpers-', { standIns: true, mask });
    helper(dir, 'exit 1');
    await askCredentialHelpers(planWith([viaHelper], false), step.runner, mask, step.reporter);
    await askCredentialHelpers(planWith([{ ...viaHelper, push: false }]), step.runner, mask, step.reporter);
    expect(calls()).toEqual([]);
  });
});
