/**
 * The scan gate: Trivy on the pushed digest of every platform (image manifests only), the policy evaluated here from
 * Trivy's JSON, the reports written, and a verdict. Anything that keeps the gate from judging (Trivy missing, of
 * another version, crashing, timing out, unparsable output, no vulnerability database) fails it closed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { CommandError } from '../../exec/runner.js';
import type { ScanPlan } from '../../plan/types.js';
import { GateError } from '../../scan/gate-error.js';
import { toGitlabReport } from '../../scan/gitlab.js';
import { toJunit } from '../../scan/junit.js';
import { evaluatePolicy, reportedScans } from '../../scan/policy.js';
import { toSarif } from '../../scan/sarif.js';
import { summaryMarkdown, summaryText } from '../../scan/summary.js';
import { parseTrivyReport } from '../../scan/trivy.js';
import { sbomFileName, trivyImageArgs, trivySbomArgs } from '../../scan/trivy-args.js';
import type { PlatformScan, Verdict } from '../../scan/types.js';
import { scanEnded, scanFailed, scanRunning, scanStarted } from '../../scan/progress.js';
import { parseTrivyLogLine, problemLines, trivyActivity, type TrivyLogLine } from '../../scan/trivy-log.js';
import { systemClock } from '../clock.js';
import { startHeld, type HeldStep } from '../held.js';
import { ensureTrivy } from '../steps/trivy.js';
import { prepareDb, saveDb } from '../steps/trivy-db.js';
import { dbWaiting } from '../../scan/progress.js';
import type { Gate, Host, ScanTarget, Started, StepContext } from '../step.js';
import type { DbState } from '../steps/trivy-db.js';
import type { Plan } from '../../plan/types.js';

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

/** The one ignore file Trivy reads: the only one given, or several plain files merged into the run's directory. */
export function ignoreFileFor(files: readonly string[], workDir: string): string | undefined {
  if (files.length <= 1) return files[0];
  const merged = join(workDir, 'trivyignore');
  writeFileSync(merged, files.map((file) => readFileSync(file, 'utf8')).join('\n'));
  return merged;
}

const DB_FAILURE = /(vulnerability DB|DB error|db\.Download|failed to download|database)/i;

/** Where the vulnerability database stands when the scans start: prepared, or why there is none. */
export type DbReadiness = { ok: true; state: DbState } | { ok: false; error: unknown };

export interface ScanRun {
  trivy: string;
  scan: ScanPlan;
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
  run: ScanRun,
  { platform, digest, source }: ScanTarget,
  scanners: readonly string[],
  db: DbState | undefined,
): Promise<PlatformScan> {
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
        timeout: run.scan.timeout,
        ignoreFile: run.ignoreFile,
        db: db === undefined ? undefined : { cacheDir: db.cacheDir, sources: run.scan.db, prepared: db.ready },
      }),
      {
        env: step.docker.vars,
        quiet: true,
        onStderrLine: (line) => {
          last = parseTrivyLogLine(line) ?? last;
        },
      },
    );
    const result = parseTrivyReport(stdout, platform, digest);
    step.reporter.info(scanEnded(result, clock.now() - started));
    return result;
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

function failClosed(error: unknown): unknown {
  return error instanceof GateError && error.kind === 'no-db'
    ? new GateError(
        `${error.message}\nTrivy could not get its vulnerability database: the gate fails closed. ` +
          'Name a mirror in db-repository, or set scan-fail-open: true to pass without vulnerability scanning.',
      )
    : error;
}

/**
 * How many platforms are scanned at once. Each Trivy run spends much of its time waiting on the registry and reading
 * its database; two at once beat one after the other on a 2-core runner, and keep the memory of a runner with many
 * platforms bounded.
 */
export const SCAN_CONCURRENCY = 2;

/**
 * Settles every promise before it returns: the results in order, or the first error (by position) once nothing is left
 * running, so no Trivy outlives the gate's verdict.
 */
async function allOrFirstError<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/**
 * Scans the platforms, `SCAN_CONCURRENCY` at a time, and judges the image; writes the reports into `reportDir`. Each
 * scan's lines name its platform, so two at once read apart.
 */
export async function scanGate(step: StepContext, run: ScanRun): Promise<GateOutcome> {
  const { scan, targets, reportDir, imageName } = run;
  const limit = pLimit(SCAN_CONCURRENCY);
  const started = new Date();
  let scanners = scan.scanners;
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
    if (!(readiness.error instanceof GateError && readiness.error.kind === 'no-db' && scan.failOpen)) {
      throw failClosed(readiness.error);
    }
    scanners = withoutDb();
  }
  const scanOne = async (target: ScanTarget): Promise<PlatformScan> => {
    if (scanners.length === 0) {
      step.reporter.info(`${target.platform}: not scanned, no scanner left`);
      return { platform: target.platform, digest: target.digest, artifactName: imageName, findings: [] };
    }
    try {
      return await scanPlatform(step, run, target, scanners, db);
    } catch (error) {
      // The Java DB is fetched by the scan itself, when an image holds JARs.
      if (!(error instanceof GateError && error.kind === 'no-db' && scan.failOpen)) throw failClosed(error);
      if (scanners.includes('vuln')) scanners = withoutDb();
      return scanners.length === 0
        ? { platform: target.platform, digest: target.digest, artifactName: imageName, findings: [] }
        : await scanPlatform(step, run, target, scanners, db);
    }
  };
  const scans = await allOrFirstError(targets.map((target) => limit(() => scanOne(target))));
  const verdict = evaluatePolicy(scans, {
    reportSeverities: scan.severities,
    failOn: scan.failOn,
    ignoreUnfixed: scan.ignoreUnfixed,
  });

  mkdirSync(reportDir, { recursive: true });
  const trivyVersion = scan.trivyVersion.replace(/^v/, '');
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
  const sboms = scan.sbomFormat === undefined ? [] : await writeSboms(step, run, scan.sbomFormat);
  if (sboms.length > 0) Object.assign(reports, { sbom: sboms.join('\n') });
  return {
    result: verdict.passed ? 'passed' : 'failed',
    verdict,
    reports,
    summary: summaryMarkdown(scans, verdict),
    text: summaryText(scans, verdict),
  };
}

/**
 * One SBOM file per platform, from the very image the gate scanned (packages only, no database needed), written
 * whatever the verdict: a failed gate's reports say what the image held too.
 */
async function writeSboms(step: StepContext, run: ScanRun, format: 'cyclonedx' | 'spdx-json'): Promise<string[]> {
  const limit = pLimit(SCAN_CONCURRENCY);
  return allOrFirstError(
    run.targets.map((target) =>
      limit(async () => {
        const file = join(run.reportDir, sbomFileName(target.platform, format));
        await step.runner.run(run.trivy, trivySbomArgs(target.source, format, file, run.scan.timeout), {
          env: step.docker.vars,
          quiet: true,
        });
        step.reporter.info(`${target.platform}: SBOM (${format}) in ${file}`);
        return file;
      }),
    ),
  );
}

/** What the scan gate starts ahead of its turn: Trivy checked (or installed), and its database fetched. */
interface ScanState {
  trivy: string;
  db: DbReadiness | undefined;
}

/**
 * The scan gate in the pipeline. Trivy is checked (or installed) while the builder starts, and a wrong one fails before
 * anything is built; the vulnerability database is fetched while the image builds (after the logins: a mirror may need
 * them), its log held for a group of its own; after the tags, the database is saved for the next jobs of the day.
 */
export const SCAN_GATE: Gate<ScanState> = {
  name: 'scan',
  title: 'Scan gate',
  stage: 'after-push',
  applies: (plan) => plan.scan !== undefined,
  start(step, plan, host): Started<ScanState> {
    const scan = required(plan);
    const trivyCheck = startHeld(step, (held) => ensureTrivy(held, scan.trivyVersion, host.toolCache));
    const dbFetch: HeldStep<DbReadiness> | undefined = scan.scanners.includes('vuln')
      ? startHeld(step, (held) =>
          trivyCheck.result.then(
            (trivy) => fetchDb(held, trivy, scan, host),
            (error: unknown) => ({ ok: false, error }) as const,
          ),
        )
      : undefined;
    let readiness: DbReadiness | undefined;
    return {
      prerequisite: {
        title: 'Set up Trivy',
        wait: async () => {
          await trivyCheck.shown();
        },
      },
      state: {
        title: dbFetch === undefined ? undefined : 'Trivy database',
        wait: async () => {
          const trivy = await trivyCheck.result;
          if (dbFetch !== undefined) readiness ??= await dbShown(step, dbFetch);
          return { trivy, db: readiness };
        },
      },
      after: () => {
        if (readiness?.ok !== true || readiness.state.saveKey === undefined) return undefined;
        const { state } = readiness;
        return { title: 'Save the Trivy DB', run: () => saveDb(step, state, scan.dbCache ? host.jobCache : undefined) };
      },
      abandon: async () => {
        trivyCheck.abandon();
        dbFetch?.abandon();
        await dbFetch?.result.catch(() => undefined);
      },
    };
  },
  async judge(run, state) {
    const scan = required(run.plan);
    if (state === undefined) throw new Error('the scan gate was not started');
    const outcome = await scanGate(run.step, {
      trivy: state.trivy,
      scan,
      imageName: run.imageName,
      targets: run.targets,
      reportDir: run.reportDir,
      ignoreFile: ignoreFileFor(scan.ignoreFiles, run.step.docker.workDir),
      db: state.db,
    });
    const failing = outcome.verdict?.failing ?? [];
    return {
      result: outcome.result,
      failure:
        outcome.result === 'failed'
          ? `the scan gate failed on ${[...new Set(failing.map((f) => f.platform))].join(', ')}: ` +
            `${failing.length} finding(s) of severity ${scan.failOn.join(', ')}`
          : undefined,
      summary: outcome.summary,
      text: outcome.text,
      reports: outcome.reports,
      outputs: {
        'scan-result': outcome.result,
        'scan-counts': JSON.stringify(outcome.verdict?.counts ?? {}),
        sarif: outcome.reports.sarif ?? '',
        'gitlab-report': outcome.reports.gitlab ?? '',
        junit: outcome.reports.junit ?? '',
        'sbom-files': outcome.reports.sbom ?? '',
      },
    };
  },
};

function required(plan: Plan): ScanPlan {
  if (plan.scan === undefined) throw new Error('the plan has no scan gate');
  return plan.scan;
}

/**
 * The database's held lines, when the gate is about to use it (it was fetched meanwhile); while the gate still waits
 * for it, a line every `progressMs` says so (its own lines come when it is done).
 */
async function dbShown(step: StepContext, fetch: HeldStep<DbReadiness>): Promise<DbReadiness> {
  const clock = step.clock ?? systemClock;
  const started = clock.now();
  const stop = clock.every(clock.progressMs, () => {
    step.reporter.info(dbWaiting(clock.now() - started));
  });
  try {
    return await fetch.shown();
  } finally {
    stop();
  }
}

/** Starts fetching the vulnerability database; settles (never rejects) with the database or why there is none. */
async function fetchDb(step: StepContext, trivy: string, scan: ScanPlan, host: Host): Promise<DbReadiness> {
  try {
    const state = await prepareDb(step, {
      trivy,
      cacheDir: host.trivyCacheDir,
      sources: scan.db,
      timeout: scan.timeout,
      cache: scan.dbCache ? host.jobCache : undefined,
      now: host.now(),
      ...(step.signal === undefined ? {} : { signal: step.signal }),
    });
    return { ok: true, state };
  } catch (error) {
    return { ok: false, error };
  }
}
