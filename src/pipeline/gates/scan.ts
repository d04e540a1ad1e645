/**
 * The scan gate: Trivy on the pushed digest of every platform (image manifests only), the policy evaluated here from
 * Trivy's JSON, the reports written, and a verdict. Anything that keeps the gate from judging (Trivy missing, of
 * another version, crashing, timing out, unparsable output, no vulnerability database) fails it closed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { join, resolve } from 'node:path';
import { InputError } from '../../errors.js';
import { CommandError } from '../../exec/runner.js';
import type { Inputs } from '../../inputs/parse.js';
import { GateError } from '../../scan/gate-error.js';
import { toGitlabReport } from '../../scan/gitlab.js';
import { toJunit } from '../../scan/junit.js';
import { evaluatePolicy, reportedScans } from '../../scan/policy.js';
import { toSarif } from '../../scan/sarif.js';
import { summaryMarkdown, summaryText } from '../../scan/summary.js';
import { parseTrivyReport } from '../../scan/trivy.js';
import { trivyImageArgs } from '../../scan/trivy-args.js';
import type { PlatformScan, Verdict } from '../../scan/types.js';
import { scanEnded, scanFailed, scanRunning, scanStarted } from '../../scan/progress.js';
import { parseTrivyLogLine, problemLines, trivyActivity, type TrivyLogLine } from '../../scan/trivy-log.js';
import { systemClock } from '../clock.js';
import type { ScanTarget, StepContext } from '../step.js';
import type { DbState } from '../steps/trivy-db.js';
import type { DbSources } from '../../scan/db.js';

export interface GateOutcome {
  result: 'passed' | 'failed' | 'skipped';
  verdict: Verdict | undefined;
  /** report files, by kind */
  reports: Record<string, string>;
  /** markdown for the job summary */
  summary: string;
  /** the verdict and its tables for the log, shown after the gate's (collapsible) section */
  text: string;
}

/** The ignore file for Trivy: the given one(s), or the working directory's `.trivyignore(.yaml)`. */
export function resolveIgnoreFile(cwd: string, given: readonly string[], workDir: string): string | undefined {
  const files = given.length > 0 ? given.map((file) => resolve(cwd, file)) : defaultIgnoreFile(cwd);
  for (const [index, file] of files.entries()) {
    if (!existsSync(file)) throw new InputError('trivyignores', given[index] ?? file, 'no such file');
  }
  const yaml = files.filter((file) => /\.ya?ml$/.test(file));
  if (yaml.length > 0 && files.length > 1) {
    throw new InputError('trivyignores', given.join(', '), 'a .trivyignore.yaml file must be the only ignore file');
  }
  for (const file of yaml) {
    try {
      parseYaml(readFileSync(file, 'utf8'));
    } catch (error) {
      const line = error instanceof YAMLParseError ? error.linePos?.[0].line : undefined;
      throw new InputError('trivyignores', file, `is not valid YAML${line === undefined ? '' : ` (line ${line})`}`);
    }
  }
  if (files.length <= 1) return files[0];
  // Several plain files: Trivy reads one, so they are merged.
  const merged = join(workDir, 'trivyignore');
  writeFileSync(merged, files.map((file) => readFileSync(file, 'utf8')).join('\n'));
  return merged;
}

function defaultIgnoreFile(cwd: string): string[] {
  return ['.trivyignore.yaml', '.trivyignore']
    .map((name) => join(cwd, name))
    .filter((file) => existsSync(file))
    .slice(0, 1);
}

const DB_FAILURE = /(vulnerability DB|DB error|db\.Download|failed to download|database)/i;

/** Where the vulnerability database stands when the scans start: prepared, or why there is none. */
export type DbReadiness = { ok: true; state: DbState } | { ok: false; error: unknown };

export interface GateRun {
  trivy: string;
  inputs: Inputs;
  /** names the image in the reports */
  imageName: string;
  targets: readonly ScanTarget[];
  reportDir: string;
  ignoreFile: string | undefined;
  /** the database fetched before the scans; undefined when the scanners need none */
  db: DbReadiness | undefined;
}

/**
 * One platform's scan, said as it goes: a line when it starts, one every `progressMs` while Trivy runs saying what it
 * is doing (read from Trivy's own log, whose raw lines go to the debug channel), and one when it ends.
 */
async function scanPlatform(
  step: StepContext,
  run: GateRun,
  { platform, digest, source }: ScanTarget,
  scanners: readonly string[],
  db: DbState | undefined,
): Promise<PlatformScan> {
  const { inputs } = run;
  const clock = step.clock ?? systemClock;
  const started = clock.now();
  let last: TrivyLogLine | undefined;
  step.reporter.info(scanStarted(platform, source, digest, scanners));
  const stop = clock.every(clock.progressMs, () => {
    step.reporter.info(scanRunning(platform, clock.now() - started, trivyActivity(last)));
  });
  try {
    const { stdout } = await step.runner.run(
      run.trivy,
      trivyImageArgs({
        source,
        scanners,
        timeout: inputs.scanTimeout,
        ignoreFile: run.ignoreFile,
        db: db === undefined ? undefined : { cacheDir: db.cacheDir, sources: dbSources(inputs), prepared: db.ready },
      }),
      {
        env: step.docker.vars,
        quiet: true,
        onStderrLine: (line) => {
          last = parseTrivyLogLine(line) ?? last;
        },
      },
    );
    const scan = parseTrivyReport(stdout, platform, digest);
    step.reporter.info(scanEnded(scan, clock.now() - started));
    return scan;
  } catch (error) {
    if (error instanceof CommandError) {
      // A cancelled job says "cancelled" once, where it stops; a scan it stopped did not fail.
      if (step.signal?.aborted !== true) step.reporter.info(scanFailed(platform, clock.now() - started, error.code));
      // Trivy's INFO lines say nothing about why it failed, and one of them may name the database it was not asked
      // to download: the reason, and the `no-db` decision, are read from the rest.
      const problems = problemLines(error.stderrTail);
      const why = DB_FAILURE.test(problems) ? 'no-db' : 'other';
      throw new GateError(`Trivy failed on ${platform} (exit code ${error.code}):\n${problems}`, why);
    }
    throw error;
  } finally {
    stop();
  }
}

export function dbSources(inputs: Inputs): DbSources {
  return { dbRepositories: inputs.dbRepositories, javaDbRepositories: inputs.javaDbRepositories };
}

function failClosed(error: unknown): unknown {
  return error instanceof GateError && error.kind === 'no-db'
    ? new GateError(
        `${error.message}\nTrivy could not get its vulnerability database: the gate fails closed. ` +
          'Name a mirror in db-repository, or set scan-fail-open: true to pass without vulnerability scanning.',
      )
    : error;
}

/** Scans each platform and judges the image; writes the reports into `reportDir`. */
export async function scanGate(step: StepContext, run: GateRun): Promise<GateOutcome> {
  const { inputs, targets, reportDir, imageName } = run;
  if (!inputs.scan)
    return {
      result: 'skipped',
      verdict: undefined,
      reports: {},
      summary: 'Scan gate: skipped (scan is false).\n',
      text: 'Scan gate: skipped (scan is false).\n',
    };
  const started = new Date();
  let scanners = inputs.scanners;
  const withoutDb = () => {
    const rest = scanners.filter((scanner) => scanner !== 'vuln');
    step.reporter.warning(
      `no vulnerability database; scan-fail-open is true: scanning for ${rest.join(', ') || 'nothing'} only`,
    );
    return rest;
  };
  let db: DbState | undefined;
  const readiness = run.db;
  if (readiness?.ok === true) db = readiness.state;
  else if (readiness !== undefined) {
    if (!(readiness.error instanceof GateError && readiness.error.kind === 'no-db' && inputs.scanFailOpen)) {
      throw failClosed(readiness.error);
    }
    scanners = withoutDb();
  }
  const scans: PlatformScan[] = [];
  for (const target of targets) {
    const { platform } = target;
    if (scanners.length === 0) {
      step.reporter.info(`${platform}: not scanned, no scanner left`);
      scans.push({ platform, digest: target.digest, artifactName: imageName, findings: [] });
      continue;
    }
    try {
      scans.push(await scanPlatform(step, run, target, scanners, db));
    } catch (error) {
      // The Java DB is fetched by the scan itself, when an image holds JARs.
      if (!(error instanceof GateError && error.kind === 'no-db' && inputs.scanFailOpen)) throw failClosed(error);
      scanners = withoutDb();
      if (scanners.length > 0) scans.push(await scanPlatform(step, run, target, scanners, db));
    }
  }
  const verdict = evaluatePolicy(scans, {
    reportSeverities: inputs.scanSeverity,
    failOn: inputs.failOn,
    ignoreUnfixed: inputs.ignoreUnfixed,
  });

  mkdirSync(reportDir, { recursive: true });
  const trivyVersion = inputs.trivyVersion.replace(/^v/, '');
  const reports = {
    sarif: join(reportDir, 'trivy.sarif'),
    gitlab: join(reportDir, 'gl-container-scanning-report.json'),
    junit: join(reportDir, 'trivy-junit.xml'),
  };
  writeFileSync(reports.sarif, JSON.stringify(toSarif(scans, verdict, trivyVersion), null, 2));
  writeFileSync(
    reports.gitlab,
    JSON.stringify(
      toGitlabReport(reportedScans(scans, verdict), {
        trivyVersion,
        start: started,
        end: new Date(),
        imageName,
      }),
      null,
      2,
    ),
  );
  writeFileSync(reports.junit, toJunit(scans, verdict));
  return {
    result: verdict.passed ? 'passed' : 'failed',
    verdict,
    reports,
    summary: summaryMarkdown(scans, verdict),
    text: summaryText(scans, verdict),
  };
}

export type { ScanTarget };
