/**
 * The test gate: the user's command run inside the image of every tested platform, by digest, before any tag (foreign
 * platforms under QEMU), and/or the image started with its own entrypoint until its HEALTHCHECK says healthy. Where
 * the job has a Docker engine, `docker run --rm` on the pushed digest; otherwise (or for an image that is not pushed,
 * from each platform's OCI layout) a generated Dockerfile's `RUN [...]` in the builder, so the gate needs no engine
 * (test-platform.ts runs one platform). Two platforms at a time; each platform's lines are held and shown whole when
 * it ends, so the log stays readable.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quote } from 'shell-quote';
import type { Plan, TestPlan } from '../../plan/types.js';
import type { Gate, GateRun, ScanTarget } from '../step.js';
import { duration, testPlatform } from './test-platform.js';
import { testFailure, testSummaryMarkdown, testSummaryText, toTestJunit, type PlatformTest } from './test-report.js';

/** Platforms tested at once: two cores are common on CI runners, and QEMU takes one to itself. */
const CONCURRENCY = 2;

/** The targets of the tested platforms: a platform asked for and not built is an error, not a silent pass. */
export function testedTargets(test: TestPlan, targets: readonly ScanTarget[]): ScanTarget[] {
  if (test.platforms.length === 0) return [...targets];
  const missing = test.platforms.filter((platform) => !targets.some((target) => target.platform === platform));
  if (missing.length > 0) {
    throw new Error(
      `test-platforms names ${missing.join(', ')}, and the image has ${targets.map((t) => t.platform).join(', ')}`,
    );
  }
  return targets.filter((target) => test.platforms.includes(target.platform));
}

/** What the gate checks, in words: `sh -c 'test -f /ok' (entrypoint cleared)` and/or `HEALTHCHECK healthy`. */
export function describeTest(test: TestPlan): string {
  return [
    ...(test.healthcheck ? ['HEALTHCHECK healthy (own entrypoint)'] : []),
    ...(test.command === undefined ? [] : [`\`${quote(test.command)}\` (entrypoint cleared)`]),
  ].join(', then ');
}

/** Runs `fn` on every item, at most `limit` at a time; the results in the items' order. */
async function pooled<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await fn(items[index] as T, index);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function testGate(run: GateRun, test: TestPlan): Promise<PlatformTest[]> {
  const { step } = run;
  if (test.warning !== undefined) step.reporter.warning(test.warning);
  const targets = testedTargets(test, run.targets);
  const id = randomBytes(4).toString('hex');
  step.reporter.info(
    `testing ${targets.map((t) => t.platform).join(', ')}: ${describeTest(test)}; ${test.runnerReason}; ` +
      `limit ${duration(test.timeoutMs)} each`,
  );
  return pooled(targets, CONCURRENCY, async (target, index) => {
    const lines: string[] = [];
    const say = (line: string) => lines.push(line);
    try {
      return await testPlatform({
        step,
        test,
        builder: run.builder,
        target,
        name: `docker-build-test-${id}-${index + 1}`,
        runner: step.runner.withLog(say),
        say,
      });
    } finally {
      // The platform's block, whole, when it ends: two platforms' lines never interleave.
      for (const line of lines) step.reporter.info(line);
    }
  });
}

export const TEST_GATE: Gate = {
  name: 'test',
  title: 'Test gate',
  stage: 'after-push',
  applies: (plan) => plan.test !== undefined,
  async judge(run) {
    const test = required(run.plan);
    const tests = await testGate(run, test);
    mkdirSync(run.reportDir, { recursive: true });
    const junit = join(run.reportDir, 'test-junit.xml');
    const what = describeTest(test);
    writeFileSync(junit, toTestJunit(tests, what.replace(/`/g, ''), run.imageName));
    const failure = testFailure(tests);
    const result = failure === undefined ? 'passed' : 'failed';
    return {
      result,
      failure,
      summary: testSummaryMarkdown(tests, what),
      text: testSummaryText(tests),
      reports: { junit },
      outputs: { 'test-result': result, 'test-junit': junit },
    };
  },
};

function required(plan: Plan): TestPlan {
  if (plan.test === undefined) throw new Error('the plan has no test gate');
  return plan.test;
}
