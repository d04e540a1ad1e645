// The gate's fail-closed paths, with stand-in `trivy` programs (shell scripts) in place of the real one.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretMask } from '../../../../src/exec/mask.js';
import { Runner } from '../../../../src/exec/runner.js';
import { parseInputs } from '../../../../src/inputs/parse.js';
import { inputVariables, rawInputs } from '../../../../src/inputs/read.js';
import { CleanupStack } from '../../../../src/pipeline/cleanup.js';
import { planScan } from '../../../../src/plan/scan.js';
import { SCAN_CONCURRENCY, SCAN_GATE, scanGate, type DbReadiness } from '../../../../src/pipeline/gates/scan.js';
import type { Plan } from '../../../../src/plan/types.js';
import type { StepContext } from '../../../../src/pipeline/step.js';
import { LocalReporter } from '../../../../src/platform/local.js';
import { GateError } from '../../../../src/scan/gate-error.js';

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

/** The gate over DIGESTS, reports in `cwd/r`. */
function gate(step: StepContext, trivy: string, inputs: ReturnType<typeof parseInputs>, cwd: string, db?: DbReadiness) {
  return scanGate(step, {
    trivy,
    scan: planScan(inputs, []) ?? fail('scan is false'),
    imageName: 'r/app',
    targets: DIGESTS,
    reportDir: join(cwd, 'r'),
    ignoreFile: undefined,
    db,
  });
}

const DIGESTS = [
  { platform: 'linux/amd64', digest: 'sha256:aa', source: { kind: 'registry', reference: 'r/app@sha256:aa' } },
  { platform: 'linux/arm64', digest: 'sha256:bb', source: { kind: 'archive', path: '/tmp/image-linux-arm64.tar' } },
] as const;

describe('the scan gate fails closed', () => {
  it('passes clean reports on every platform and writes the reports', async () => {
    const { step, inputs, cwd } = setup();
    const outcome = await gate(step, fakeTrivy(`echo '${CLEAN_REPORT}'`), inputs, cwd);
    expect(outcome.result).toBe('passed');
    expect(Object.keys(outcome.reports)).toEqual(['sarif', 'gitlab', 'junit']);
  });

  it('when Trivy crashes', async () => {
    const { step, inputs, cwd } = setup();
    await expect(gate(step, fakeTrivy('echo "panic: runtime error" >&2; exit 2'), inputs, cwd)).rejects.toThrow(
      /Trivy failed on linux\/amd64 \(exit code 2\):\npanic: runtime error/,
    );
  });

  it('when Trivy prints something that is not its JSON', async () => {
    const { step, inputs, cwd } = setup();
    await expect(gate(step, fakeTrivy('echo "{not json"'), inputs, cwd)).rejects.toThrow(
      /Trivy's JSON for linux\/amd64 could not be read/,
    );
  });

  it('when Trivy times out (its own --timeout, exit 1)', async () => {
    const { step, inputs, cwd } = setup();
    const trivy = fakeTrivy('echo "FATAL run error: context deadline exceeded" >&2; exit 1');
    await expect(gate(step, trivy, inputs, cwd)).rejects.toThrow(/deadline exceeded/);
  });

  it('when there is no vulnerability database, with a message saying what to do', async () => {
    const { step, inputs, cwd } = setup();
    const trivy = fakeTrivy('echo "FATAL init error: DB error: failed to download vulnerability DB" >&2; exit 1');
    await expect(gate(step, trivy, inputs, cwd)).rejects.toThrow(
      /the gate fails closed\. Name a mirror in db-repository, or set scan-fail-open: true/,
    );
  });

  it('but with scan-fail-open, passes on the other scanners with a warning', async () => {
    const { step, inputs, cwd, log } = setup({ 'scan-fail-open': 'true' });
    // Fails while the vuln scanner is asked for, answers a clean report without it.
    const trivy = fakeTrivy(
      `case "$*" in *--scanners=vuln*) echo "DB error: failed to download vulnerability DB" >&2; exit 1;; esac\necho '${CLEAN_REPORT}'`,
    );
    const outcome = await gate(step, trivy, inputs, cwd);
    expect(outcome.result).toBe('passed');
    expect(log.join('')).toMatch(/no vulnerability database; scan-fail-open is true: scanning for secret only/);
  });

  it('is not in the plan when scan is false, so the pipeline does not run it', () => {
    const { inputs } = setup({ scan: 'false' });
    expect(planScan(inputs, [])).toBeUndefined();
    expect(SCAN_GATE.applies({ scan: undefined } as unknown as Plan)).toBe(false);
  });
});

describe('the scan gate and the vulnerability database', () => {
  const PREPARED: DbReadiness = {
    ok: true,
    state: { cacheDir: '/cache/trivy', ready: true, saveKey: undefined },
  };

  it('scans with the database fetched before, never updating it again', async () => {
    const { step, inputs, cwd } = setup({ 'db-repository': 'mirror.example.com/trivy-db:2' });
    const args = join(cwd, 'args');
    const outcome = await gate(step, fakeTrivy(`echo "$*" >>${args}; echo '${CLEAN_REPORT}'`), inputs, cwd, PREPARED);
    expect(outcome.result).toBe('passed');
    const runs = readFileSync(args, 'utf8').trim().split('\n');
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run).toContain('--cache-dir=/cache/trivy --db-repository=mirror.example.com/trivy-db:2 --skip-db-update');
    }
  });

  it('fails closed, before any scan, when there is none', async () => {
    const { step, inputs, cwd } = setup();
    const error = new GateError('Trivy could not download its vulnerability database from mirror', 'no-db');
    await expect(gate(step, '/nonexistent/trivy', inputs, cwd, { ok: false, error })).rejects.toThrow(
      /could not download its vulnerability database from mirror\nTrivy could not get its vulnerability database: the gate fails closed/,
    );
  });

  it('with scan-fail-open, scans for the rest only, with a warning', async () => {
    const { step, inputs, cwd, log } = setup({ 'scan-fail-open': 'true' });
    const args = join(cwd, 'args');
    const error = new GateError('no database', 'no-db');
    const outcome = await gate(step, fakeTrivy(`echo "$*" >>${args}; echo '${CLEAN_REPORT}'`), inputs, cwd, {
      ok: false,
      error,
    });
    expect(outcome.result).toBe('passed');
    expect(log.join('')).toMatch(/no vulnerability database; scan-fail-open is true: scanning for secret only/);
    expect(readFileSync(args, 'utf8')).not.toContain('vuln');
  });

  it('fails closed on any other failure to prepare it, even with scan-fail-open', async () => {
    const { step, inputs, cwd } = setup({ 'scan-fail-open': 'true' });
    await expect(
      gate(step, '/nonexistent/trivy', inputs, cwd, { ok: false, error: new Error('boom') }),
    ).rejects.toThrow('boom');
  });
});

describe('the scan gate runs the platforms concurrently, bounded', () => {
  const THREE = [
    ...DIGESTS,
    { platform: 'linux/s390x', digest: 'sha256:cc', source: { kind: 'registry', reference: 'r/app@sha256:cc' } },
  ] as const;

  /** A Trivy that writes `start`/`end` lines (with the platform's digest) around a pause, then its exit. */
  function timedTrivy(cwd: string, body: string) {
    const events = join(cwd, 'events');
    const script =
      `for a in "$@"; do case "$a" in *@sha256:*) ref="$a";; --input=*) ref="$a";; esac; done\n` +
      `echo "start $ref" >>${events}; sleep 0.3; echo "end $ref" >>${events}\n${body}`;
    return { trivy: fakeTrivy(script), events: () => readFileSync(events, 'utf8').trim().split('\n') };
  }

  it(`scans ${SCAN_CONCURRENCY} at a time, in the order given, and keeps the reports in that order`, async () => {
    const { step, inputs, cwd } = setup();
    const { trivy, events } = timedTrivy(cwd, `echo '${CLEAN_REPORT}'`);
    const outcome = await scanGate(step, {
      trivy,
      scan: planScan(inputs, []) ?? fail('scan is false'),
      imageName: 'r/app',
      targets: THREE,
      reportDir: join(cwd, 'r'),
      ignoreFile: undefined,
      db: undefined,
    });
    expect(outcome.result).toBe('passed');
    const lines = events().map((line) => line.split(' ')[0]);
    // the first two start before either ends; the third starts only when one has ended
    expect(lines.slice(0, 2)).toEqual(['start', 'start']);
    expect(lines[2]).toBe('end');
    expect(lines.filter((line) => line === 'start')).toHaveLength(3);
    expect(outcome.verdict?.counts === undefined ? [] : Object.keys(outcome.verdict.counts)).toEqual(
      THREE.map((target) => target.platform),
    );
  });

  it('a failed platform fails the gate once every scan has ended: no Trivy outlives the verdict', async () => {
    const { step, inputs, cwd } = setup();
    const { trivy, events } = timedTrivy(
      cwd,
      `case "$ref" in *sha256:aa) echo "panic: boom" >&2; exit 2;; esac; sleep 0.3; echo "done $ref" >>${join(cwd, 'events')}; echo '${CLEAN_REPORT}'`,
    );
    await expect(gate(step, trivy, inputs, cwd)).rejects.toThrow(/Trivy failed on linux\/amd64 \(exit code 2\)/);
    expect(events().at(-1)).toMatch(/^done --input=/);
  });
});

function fail(why: string): never {
  throw new Error(why);
}
