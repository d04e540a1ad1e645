/**
 * The check gate: BuildKit's Dockerfile checks (`docker buildx build --call=check,format=json`) on the run's builder,
 * before anything is built, so that a Dockerfile the gate rejects is never built or pushed. The Dockerfile's own
 * `# check=skip=...;error=true` directive is BuildKit's to apply; the verdict is `check-fail-on`'s. Each finding is an
 * annotation on its line of the Dockerfile, and the reports (SARIF, GitLab code quality, JUnit) go to the reports'
 * directory. A builder without checks (BuildKit older than 0.14, such as the `docker` driver of Docker Engine 20.10,
 * where buildx's fallback, the docker/dockerfile:1.8 frontend image, cannot be pulled) skips the gate with a warning:
 * that is the engine's limit, not a finding.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCodeQuality } from '../../check/codequality.js';
import { toCheckJunit } from '../../check/junit.js';
import { CheckReportError, parseCheckReport, type CheckReport } from '../../check/report.js';
import { toCheckSarif } from '../../check/sarif.js';
import { checkSkippedMarkdown, checkSummaryMarkdown, checkSummaryText } from '../../check/summary.js';
import { checkVerdict, findingsLine, violationsAreErrors } from '../../check/verdict.js';
import { isTransient } from '../../exec/retry.js';
import { CommandError } from '../../exec/runner.js';
import type { CheckPlan, Plan } from '../../plan/types.js';
import { checkArgs, checksUnsupported } from '../../tools/check.js';
import { retrying, type Gate, type GateResult, type GateRun } from '../step.js';

/** The report files, by kind, in the reports' directory. */
export const CHECK_REPORTS = {
  sarif: 'dockerfile-check.sarif',
  codequality: 'gl-code-quality-report.json',
  junit: 'dockerfile-check-junit.xml',
} as const;

export const CHECK_GATE: Gate = {
  name: 'check',
  title: 'Check gate',
  stage: 'before-build',
  applies: (plan) => plan.check !== undefined,
  judge: (run) => judgeCheck(run, required(run.plan)),
};

async function judgeCheck(run: GateRun, check: CheckPlan): Promise<GateResult> {
  const { step } = run;
  const checked = await retrying(step, 'checking the Dockerfile', () => runChecks(run, check));
  if (checked.kind === 'unsupported') return skipped(run, checked.stderrTail);
  const { report } = checked;
  const verdict = checkVerdict(report, check.failOn);
  const file = check.dockerfile;
  for (const finding of report.findings) {
    const message = `${finding.rule}: ${finding.detail}${finding.url === undefined ? '' : ` (${finding.url})`}`;
    const location = finding.line === undefined ? { file } : { file, line: finding.line };
    if (verdict.failing.includes(finding)) step.reporter.error(message, location);
    else step.reporter.warning(message, location);
  }
  // BuildKit's own error, unless it only sums up the findings above ("lint violation found for rules: ...").
  if (report.error !== undefined && !violationsAreErrors(report)) {
    const location = report.error.line === undefined ? { file } : { file, line: report.error.line };
    if (verdict.passed) step.reporter.warning(report.error.message, location);
    else step.reporter.error(report.error.message, location);
  }

  mkdirSync(run.reportDir, { recursive: true });
  const reports = {
    sarif: join(run.reportDir, CHECK_REPORTS.sarif),
    codequality: join(run.reportDir, CHECK_REPORTS.codequality),
    junit: join(run.reportDir, CHECK_REPORTS.junit),
  };
  writeFileSync(reports.sarif, `${JSON.stringify(toCheckSarif(report, file, verdict), null, 2)}\n`);
  writeFileSync(reports.codequality, `${JSON.stringify(toCodeQuality(report, file), null, 2)}\n`);
  writeFileSync(reports.junit, toCheckJunit(report, file, verdict));

  const outcome = verdict.passed ? 'passed' : 'failed';
  const named = verdict.failing.length > 0 ? `${findingsLine(verdict.failing)}: ` : '';
  return {
    result: outcome,
    failure: verdict.passed
      ? undefined
      : `the check gate failed on ${file}: ${named}${verdict.reason.replace(/\.$/, '')}`,
    summary: checkSummaryMarkdown(report, verdict, file),
    text: checkSummaryText(report, verdict, file),
    reports,
    outputs: {
      'check-result': outcome,
      'check-sarif': reports.sarif,
      'check-codequality': reports.codequality,
      'check-junit': reports.junit,
    },
  };
}

/** BuildKit's error when it could not fetch an image's metadata from a registry (`... : 503 Service Unavailable`). */
const REGISTRY_ERROR = /failed to resolve source metadata|failed to do request|failed to authorize|failed to fetch/i;

type ChecksRun = { kind: 'report'; report: CheckReport } | { kind: 'unsupported'; stderrTail: string };

/**
 * One run of the checks. buildx exits 1 on any rule violation, error or not: the JSON on stdout says what happened.
 * The checks resolve the base images as the build does, so a registry failing for a moment (BuildKit's error in the
 * report: "failed to resolve source metadata ... 503 Service Unavailable") is thrown as the command's failure, for
 * `retrying` to try again as it does the build; a missing image or a bad Dockerfile is the report's, judged.
 */
async function runChecks(run: GateRun, check: CheckPlan): Promise<ChecksRun> {
  const { step } = run;
  const argv = checkArgs(check.build, run.builder);
  const result = await step.runner.run('docker', argv, {
    env: step.docker.vars,
    cwd: step.cwd,
    quiet: true,
    allowFailure: true,
    ...(step.signal === undefined ? {} : { signal: step.signal }),
  });
  const tail = result.stderr.trim().split('\n').slice(-20).join('\n');
  let report: CheckReport;
  try {
    report = parseCheckReport(result.stdout);
  } catch (error) {
    if (!(error instanceof CheckReportError) || result.code === 0) throw error;
    if (checksUnsupported(result.stderr)) return { kind: 'unsupported', stderrTail: tail };
    throw new CommandError(`docker ${argv.join(' ')}`, result.code, tail);
  }
  // Only a registry's answer while resolving an image, never the Dockerfile's own error whatever its words (a parse
  // error may say EOF).
  if (report.error !== undefined && REGISTRY_ERROR.test(report.error.message)) {
    const failure = new CommandError(`docker ${argv.join(' ')}`, result.code, report.error.message);
    if (isTransient(failure)) throw failure;
  }
  return { kind: 'report', report };
}

/** The builder cannot run the checks: said as a warning, and the gate is skipped (no report is written). */
function skipped(run: GateRun, stderrTail: string): GateResult {
  const said = stderrTail.split('\n').findLast((line) => line.includes('frontend.lint')) ?? '';
  const why =
    `the builder ${run.builder} has no Dockerfile checks (they need BuildKit 0.14 or later, or the ` +
    `docker/dockerfile:1.8 frontend image, which it could not get): the check gate is skipped. buildx said: ${said}`;
  run.step.reporter.warning(why);
  return {
    result: 'skipped',
    summary: checkSkippedMarkdown(why),
    text: `Dockerfile checks: SKIPPED (the builder ${run.builder} has none)\n`,
    reports: {},
    outputs: { 'check-result': 'skipped' },
  };
}

function required(plan: Plan): CheckPlan {
  if (plan.check === undefined) throw new Error('the plan has no check gate');
  return plan.check;
}
