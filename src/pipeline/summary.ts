/**
 * The GitHub job summary of a run, whatever its end: what was built, where, and how long each step took; and when it
 * failed, first of all which step failed and why (a failed gate's verdict and findings follow), or the bad input that
 * stopped it before anything ran. Pure: the reporter masks secrets in it as in every line it writes.
 */
import type { Plan } from '../plan/types.js';
import type { Outputs, StepTime } from './run.js';

export interface Failure {
  /** the step (log group) that failed; undefined when it was none: before the first step, or between two */
  step: string | undefined;
  /** the error, as the log shows it */
  message: string;
  /** refused before anything ran (a bad input, a push with no credential: exit code 2) */
  refused: boolean;
  cancelled: boolean;
}

export interface RunReport {
  /** undefined when the inputs were refused before there was a plan */
  plan: Plan | undefined;
  /** undefined when a step failed before the outputs were known */
  outputs: Outputs | undefined;
  times: readonly StepTime[];
  /** the gates' markdown (verdicts, counts, the findings that fail them), '' when no gate judged */
  gateSummary: string;
  failure: Failure | undefined;
}

export function summaryMarkdown({ plan, outputs, times, gateSummary, failure }: RunReport): string {
  const lines = ['## docker-build', ''];
  if (failure !== undefined) lines.push(...failureLines(failure), '');
  if (gateSummary !== '') lines.push(gateSummary, '');
  if (plan !== undefined) {
    lines.push(plan.push.push ? `Pushed: ${plan.push.reason}.` : `Not pushed: ${plan.push.reason}.`, '');
    lines.push(...operationLines(plan, outputs));
  }
  const builds = plan === undefined || plan.operation.kind === 'build' || plan.operation.kind === 'digest';
  if (outputs !== undefined) lines.push(...outputLines(outputs, builds));
  if (times.length > 0) {
    const failed = failure?.step;
    lines.push(
      '| step | seconds |',
      '| --- | ---: |',
      ...times.map((t) => `| ${t.step}${t.step === failed ? ' (failed)' : ''} | ${t.seconds.toFixed(1)} |`),
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function failureLines(failure: Failure): string[] {
  const title = failure.cancelled
    ? `### Cancelled${failure.step === undefined ? '' : ` during step: ${failure.step}`}`
    : failure.refused
      ? '### Failed before anything ran'
      : `### Failed${failure.step === undefined ? '' : ` in step: ${failure.step}`}`;
  const after = failure.refused ? ['', 'Nothing was built or pushed.'] : [];
  return [title, '', ...fenced(failure.message), ...after];
}

/** What a promote, a merge or a `push: digest` build took and gave, by digest. */
function operationLines(plan: Plan, outputs: Outputs | undefined): string[] {
  const { operation } = plan;
  switch (operation.kind) {
    case 'build':
      return [];
    case 'digest':
      return [
        `**Pushed by digest for a merge job:** ${operation.platform}` +
          (outputs === undefined || outputs.image === '' ? '' : `, \`${outputs.image}\``) +
          ` (in \`${operation.digestFile}\`); no gate, no tag.`,
        '',
      ];
    case 'promote':
      return [`**Promoted:** \`${operation.source}\`, no build.`, ''];
    case 'merge':
      return ['**Merged, no build:**', '', ...operation.sources.map((source) => `- \`${source}\``), ''];
  }
}

function outputLines(outputs: Outputs, builds: boolean): string[] {
  const lines: string[] = [];
  if (outputs.digest !== '') lines.push(`**Digest:** \`${outputs.digest}\``, '');
  if (outputs.tags.length > 0) lines.push('**Tags:**', '', ...outputs.tags.map((tag) => `- \`${tag}\``), '');
  const platforms = Object.entries(outputs.platformDigests);
  if (platforms.length > 0) {
    lines.push('| platform | digest |', '| --- | --- |', ...platforms.map(([p, d]) => `| ${p} | \`${d}\` |`), '');
  }
  if (outputs.signatures.length > 0) {
    lines.push(
      '**Signed** with cosign after the gates, before the tags (each platform too, and the gates attested):',
      '',
      ...outputs.signatures.map((reference) => `- \`${reference}\``),
      '',
      `Verify: \`${outputs.verifyCommand}\``,
      '',
    );
  }
  // Promote and merge build nothing: no cache to speak of.
  if (!builds) return lines;
  const { cache } = outputs;
  lines.push(
    `**Cache:** ${cache.kind}` +
      (cache.steps > 0 ? `, ${cache.cached} of ${cache.steps} build steps cached` : '') +
      (cache.read.length > 0 ? `; read ${cache.read.map((key) => `\`${key}\``).join(', ')}` : '') +
      (cache.write === null ? '' : `; written \`${cache.write}\``),
    '',
  );
  return lines;
}

/** A code block that holds any text as text: its fence is longer than any run of backticks inside. */
export function fenced(text: string): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [fence, text.trimEnd(), fence];
}
