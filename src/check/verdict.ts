/**
 * The check gate's verdict on buildx's check report, by `check-fail-on`: `error` fails on what BuildKit itself reports
 * as an error (a Dockerfile that does not parse, violations under the Dockerfile's `# check=error=true`), `warning` on
 * any rule violation too, `none` never (the build itself then stops on a Dockerfile that does not parse, or on violations
 * under `# check=error=true`: BuildKit applies the directive in every build).
 */
import type { CheckFinding, CheckReport } from './report.js';

export const CHECK_FAIL_ON = ['error', 'warning', 'none'] as const;
export type CheckFailOn = (typeof CHECK_FAIL_ON)[number];

export interface CheckVerdict {
  passed: boolean;
  /** the findings that fail the gate (all of them when it fails on a rule violation, none when it passes) */
  failing: CheckFinding[];
  /** why, in one sentence: "3 warnings; check-fail-on is error, and BuildKit reported no error" */
  reason: string;
}

export function checkVerdict(report: CheckReport, failOn: CheckFailOn): CheckVerdict {
  const { findings, error } = report;
  const count = plural(findings.length, 'rule violation');
  if (failOn === 'none') {
    const what = error === undefined ? count : `${count} and BuildKit's error (${error.message})`;
    return { passed: true, failing: [], reason: `${what}; check-fail-on is none: report only.` };
  }
  if (error !== undefined) {
    // A lint error fails on the findings; any other (a parse error, a base image not found) on itself, and on the
    // findings only where warnings fail too.
    const failing = violationsAreErrors(report) || failOn === 'warning' ? findings : [];
    const at = error.line === undefined || error.message.includes(`line ${error.line}`) ? '' : ` (line ${error.line})`;
    return { passed: false, failing, reason: `${inLineOrder(error.message, findings)}${at}.` };
  }
  if (failOn === 'warning' && findings.length > 0) {
    return { passed: false, failing: findings, reason: `${count}, and check-fail-on is warning.` };
  }
  if (findings.length === 0) return { passed: true, failing: [], reason: 'no rule violation.' };
  return {
    passed: true,
    failing: [],
    reason: `${count} as warnings; check-fail-on is error, and none is an error (the directive # check=error=true makes them errors).`,
  };
}

/**
 * BuildKit made the rule violations errors (`# check=error=true`): its error is "lint violation found for rules: ...",
 * not a parse error or a base image it could not resolve.
 */
export function violationsAreErrors(report: CheckReport): boolean {
  return report.error?.message.startsWith('lint violation found for rules') === true;
}

/**
 * BuildKit lists the rules of "lint violation found for rules: A, B" in no stable order (a Go map's): listed here in the
 * order of their first line in the Dockerfile, so that the same Dockerfile always says the same.
 */
function inLineOrder(message: string, findings: readonly CheckFinding[]): string {
  const match = /^(lint violation found for rules: )(.+)$/.exec(message);
  if (match === null) return message;
  const first = (rule: string) => findings.findIndex((finding) => finding.rule === rule);
  const rules = (match[2] ?? '').split(', ').map((rule, index) => ({ rule, at: first(rule), index }));
  rules.sort((a, b) => (a.at < 0 ? Infinity : a.at) - (b.at < 0 ? Infinity : b.at) || a.index - b.index);
  return `${match[1] ?? ''}${rules.map((entry) => entry.rule).join(', ')}`;
}

/** `FromAsCasing (line 1), JSONArgsRecommended (line 5)`: the rules and lines, for the one line of a failure. */
export function findingsLine(findings: readonly CheckFinding[]): string {
  return findings
    .map((finding) => `${finding.rule}${finding.line === undefined ? '' : ` (line ${finding.line})`}`)
    .join(', ');
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
