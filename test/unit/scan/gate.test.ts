// The gate's fail-closed paths, with stand-in `trivy` programs (shell scripts) in place of the real one.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretMask } from '../../../src/exec/mask.js';
import { Runner } from '../../../src/exec/runner.js';
import { parseInputs } from '../../../src/inputs/parse.js';
import { inputVariables, rawInputs } from '../../../src/inputs/read.js';
import { CleanupStack } from '../../../src/pipeline/cleanup.js';
import { scanGate } from '../../../src/pipeline/scan.js';
import type { StepContext } from '../../../src/pipeline/steps.js';
import { LocalReporter } from '../../../src/platform/local.js';

const CLEAN_REPORT = JSON.stringify({ SchemaVersion: 2, ArtifactName: 'r/app', Results: [] });

function fakeTrivy(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-trivy-'));
  const path = join(dir, 'trivy');
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

function setup(given: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'gate-'));
  const log: string[] = [];
  const mask = new SecretMask();
  const reporter = new LocalReporter(mask, (text) => log.push(text));
  const step: StepContext = {
    runner: new Runner(mask, (line) => log.push(line)),
    reporter,
    cleanup: new CleanupStack(),
    docker: { vars: {}, workDir: cwd, private: true },
    cwd,
  };
  const env = Object.fromEntries(Object.entries(given).map(([name, value]) => [inputVariables(name)[0], value]));
  return { step, inputs: parseInputs(rawInputs(env)), cwd, log };
}

const DIGESTS = [
  { platform: 'linux/amd64', digest: 'sha256:aa', source: { kind: 'registry', reference: 'r/app@sha256:aa' } },
  { platform: 'linux/arm64', digest: 'sha256:bb', source: { kind: 'archive', path: '/tmp/image-linux-arm64.tar' } },
] as const;

describe('the scan gate fails closed', () => {
  it('passes clean reports on every platform and writes the reports', async () => {
    const { step, inputs, cwd } = setup();
    const outcome = await scanGate(
      step,
      fakeTrivy(`echo '${CLEAN_REPORT}'`),
      inputs,
      'r/app',
      DIGESTS,
      join(cwd, 'reports'),
      undefined,
    );
    expect(outcome.result).toBe('passed');
    expect(Object.keys(outcome.reports)).toEqual(['sarif', 'gitlab', 'junit']);
  });

  it('when Trivy crashes', async () => {
    const { step, inputs, cwd } = setup();
    await expect(
      scanGate(
        step,
        fakeTrivy('echo "panic: runtime error" >&2; exit 2'),
        inputs,
        'r/app',
        DIGESTS,
        join(cwd, 'r'),
        undefined,
      ),
    ).rejects.toThrow(/Trivy failed on linux\/amd64 \(exit code 2\):\npanic: runtime error/);
  });

  it('when Trivy prints something that is not its JSON', async () => {
    const { step, inputs, cwd } = setup();
    await expect(
      scanGate(step, fakeTrivy('echo "{not json"'), inputs, 'r/app', DIGESTS, join(cwd, 'r'), undefined),
    ).rejects.toThrow(/Trivy's JSON for linux\/amd64 could not be read/);
  });

  it('when Trivy times out (its own --timeout, exit 1)', async () => {
    const { step, inputs, cwd } = setup();
    const trivy = fakeTrivy('echo "FATAL run error: context deadline exceeded" >&2; exit 1');
    await expect(scanGate(step, trivy, inputs, 'r/app', DIGESTS, join(cwd, 'r'), undefined)).rejects.toThrow(
      /deadline exceeded/,
    );
  });

  it('when there is no vulnerability database, with a message saying what to do', async () => {
    const { step, inputs, cwd } = setup();
    const trivy = fakeTrivy('echo "FATAL init error: DB error: failed to download vulnerability DB" >&2; exit 1');
    await expect(scanGate(step, trivy, inputs, 'r/app', DIGESTS, join(cwd, 'r'), undefined)).rejects.toThrow(
      /the gate fails closed\. Point TRIVY_DB_REPOSITORY at a mirror, or set scan-fail-open: true/,
    );
  });

  it('but with scan-fail-open, passes on the other scanners with a warning', async () => {
    const { step, inputs, cwd, log } = setup({ 'scan-fail-open': 'true' });
    // Fails while the vuln scanner is asked for, answers a clean report without it.
    const trivy = fakeTrivy(
      `case "$*" in *--scanners=vuln*) echo "DB error: failed to download vulnerability DB" >&2; exit 1;; esac\necho '${CLEAN_REPORT}'`,
    );
    const outcome = await scanGate(step, trivy, inputs, 'r/app', DIGESTS, join(cwd, 'r'), undefined);
    expect(outcome.result).toBe('passed');
    expect(log.join('')).toMatch(
      /no vulnerability database for linux\/amd64; scan-fail-open is true: scanning for secret only/,
    );
  });

  it('is skipped when scan is false', async () => {
    const { step, inputs, cwd } = setup({ scan: 'false' });
    expect((await scanGate(step, '/nonexistent/trivy', inputs, 'r/app', DIGESTS, cwd, undefined)).result).toBe(
      'skipped',
    );
  });
});
