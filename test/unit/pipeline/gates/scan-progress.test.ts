// What a person reads while the gate scans: a stand-in `trivy` that logs as Trivy does and waits for the test between
// its phases, and a fake clock the test advances (no real 30 s waits).
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretMask } from '../../../../src/exec/mask.js';
import { Runner } from '../../../../src/exec/runner.js';
import { parseInputs } from '../../../../src/inputs/parse.js';
import { rawInputs } from '../../../../src/inputs/read.js';
import { CleanupStack } from '../../../../src/pipeline/cleanup.js';
import { planScan } from '../../../../src/plan/scan.js';
import { scanGate } from '../../../../src/pipeline/gates/scan.js';
import type { StepContext } from '../../../../src/pipeline/step.js';
import { LocalReporter } from '../../../../src/platform/local.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const REPORT = new URL('../../../fixtures/trivy/alpine-310.json', import.meta.url).pathname;
const TARGET = {
  platform: 'linux/arm64',
  digest: 'sha256:bb',
  source: { kind: 'registry', reference: 'r/app@sha256:bb' },
} as const;

const trivyLog = (level: string, message: string, fields = '') =>
  `printf '2026-03-02T10:00:00Z\\t${level}\\t${message}${fields === '' ? '' : `\\t${fields}`}\\n' >&2`;

/** A stand-in `trivy` running `script` (given the directory), a step on a fake clock, and the gate over TARGET. */
function setup(script: (dir: string) => string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'gate-progress-'));
  const trivy = join(dir, 'trivy');
  writeFileSync(trivy, ['#!/bin/sh', ...script(dir), ''].join('\n'));
  chmodSync(trivy, 0o755);
  const log: string[] = [];
  const debug: string[] = [];
  const mask = new SecretMask();
  const clock = new FakeClock(30_000);
  const step: StepContext = {
    runner: new Runner(
      mask,
      (line) => log.push(line),
      process.env,
      undefined,
      (line) => debug.push(line),
    ),
    reporter: new LocalReporter(mask, (text) => log.push(text.trimEnd())),
    cleanup: new CleanupStack(),
    docker: { vars: {}, workDir: dir, private: true },
    cwd: dir,
    clock,
  };
  const gate = () =>
    scanGate(step, {
      trivy,
      scan: required(planScan(parseInputs(rawInputs({})), [])),
      imageName: 'r/app',
      targets: [TARGET],
      reportDir: join(dir, 'reports'),
      ignoreFile: undefined,
      db: { ok: true, state: { cacheDir: join(dir, 'cache'), ready: true, saveKey: undefined } },
    });
  /** lets the stand-in go on past its wait for `name` */
  const release = (name: string) => {
    writeFileSync(join(dir, name), '');
  };
  return { dir, log, debug, clock, gate, release };
}

/** Waits for the test to release `name`. */
const waitFor = (dir: string, name: string) => `while [ ! -f ${join(dir, name)} ]; do sleep 0.02; done`;

/** Resolves once `lines` holds a line containing `text`. */
async function seen(lines: readonly string[], text: string): Promise<void> {
  for (let i = 0; i < 500 && !lines.some((line) => line.includes(text)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(lines.join('\n')).toContain(text);
}

describe('a scan says what it is doing', () => {
  it('when it starts, every interval while Trivy runs (from its own log), and when it ends', async () => {
    const { log, debug, clock, release, gate } = setup((dir) => [
      trivyLog('INFO', '[vuln] Vulnerability scanning is enabled'),
      waitFor(dir, 'analysed'),
      trivyLog('INFO', 'Detected OS', 'family="alpine" version="3.10.2"'),
      trivyLog('INFO', '[alpine] Detecting vulnerabilities...', 'os_version="3.10" repository="" pkg_num=18'),
      waitFor(dir, 'matched'),
      `cat ${REPORT}`,
    ]);
    const outcome = gate();
    await seen(debug, 'Vulnerability scanning is enabled');
    expect(log).toContain('scanning linux/arm64: r/app@sha256:bb (vuln, secret)');
    clock.advance(30_000);
    expect(log.at(-1)).toBe("linux/arm64: still scanning after 30 s: pulling and analysing the image's layers");
    clock.advance(30_000);
    expect(log.at(-1)).toBe("linux/arm64: still scanning after 60 s: pulling and analysing the image's layers");
    release('analysed');
    await seen(debug, 'Detecting vulnerabilities');
    clock.advance(30_000);
    expect(log.at(-1)).toBe(
      'linux/arm64: still scanning after 90 s: matching 18 alpine packages against the vulnerability database',
    );
    clock.advance(12_300);
    release('matched');
    expect((await outcome).result).toBe('passed');
    expect(log).toContain('linux/arm64 scanned in 102.3 s: 4 findings (4 MEDIUM)');
    // Trivy's raw lines went to the debug channel, not the log.
    expect(log.join('\n')).not.toContain('Detecting vulnerabilities');
    expect(clock.running).toBe(0);
  });

  it('a scan that ends before the interval says only when it started and ended', async () => {
    const { log, clock, gate } = setup(() => [`cat ${REPORT}`]);
    await gate();
    expect(log.filter((line) => line.includes('linux/arm64'))).toEqual([
      'scanning linux/arm64: r/app@sha256:bb (vuln, secret)',
      'linux/arm64 scanned in 0.0 s: 4 findings (4 MEDIUM)',
    ]);
    expect(clock.running).toBe(0);
  });

  it('a Trivy that fails says so with its time, and the error keeps its problem, not its chatter', async () => {
    const { log, clock, gate, dir } = setup(() => [
      trivyLog('INFO', '[vuln] Vulnerability scanning is enabled'),
      trivyLog('WARN', 'Using severities from other vendors for some vulnerabilities'),
      trivyLog('FATAL', 'Fatal error', 'run error: image scan error: unable to inspect the image'),
      'exit 1',
    ]);
    const failed = gate();
    await expect(failed).rejects.toThrow(
      /^Trivy failed on linux\/arm64 \(exit code 1\):\n.*WARN\tUsing severities.*\n.*FATAL\tFatal error\trun error: image scan error: unable to inspect the image$/,
    );
    await expect(failed).rejects.not.toThrow(/scanning is enabled/);
    expect(log).toContain('linux/arm64: Trivy failed after 0.0 s (exit code 1)');
    expect(clock.running).toBe(0);
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });
});

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('scan is false');
  return value;
}
