/**
 * The test gate: the user's command run inside the image of every tested platform, by digest, before any tag (foreign
 * platforms under QEMU), and/or the image started with its own entrypoint until its HEALTHCHECK says healthy. Where
 * the job has a Docker engine, `docker run --rm` on the pushed digest; otherwise (or for an image that is not pushed,
 * from each platform's OCI layout) a generated Dockerfile's `RUN [...]` in the builder, so the gate needs no engine.
 * Two platforms at a time; each platform's lines are held and shown whole when it ends, so the log stays readable.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quote } from 'shell-quote';
import { CommandError, type Runner } from '../../exec/runner.js';
import type { Plan, TestPlan } from '../../plan/types.js';
import {
  builderTestArgs,
  dockerRunTestArgs,
  parseRunProgress,
  testDockerfile,
  TESTED_IMAGE_CONTEXT,
  type DockerRun,
} from '../../tools/test-run.js';
import { retrying, type Gate, type GateRun, type ScanTarget, type StepContext } from '../step.js';
import { awaitHealthy } from './test-health.js';
import {
  TAIL_LINES,
  testFailure,
  testSummaryMarkdown,
  testSummaryText,
  toTestJunit,
  type PlatformTest,
} from './test-report.js';

/** Platforms tested at once: two cores are common on CI runners, and QEMU takes one to itself. */
const CONCURRENCY = 2;

/** What a platform's run ended with, before its time is added. */
type Ended = Omit<PlatformTest, 'platform' | 'digest' | 'seconds'>;

interface PlatformRun {
  step: StepContext;
  test: TestPlan;
  builder: string;
  target: ScanTarget;
  /** the container's name, when the platform runs on the engine */
  name: string;
  /** the held runner: its lines are the platform's block in the log */
  runner: Runner;
  say: (line: string) => void;
}

/** `test-env` as variables of docker's or buildx's environment: the values never reach an argument list. */
function envValues(test: TestPlan): Record<string, string> {
  return Object.fromEntries(test.env.map((entry) => [entry.key, entry.value]));
}

/** A time limit: aborts its signal when it passes, and says so. */
function deadline(ms: number, parent: AbortSignal | undefined) {
  const abort = new AbortController();
  const timer = setTimeout(() => {
    abort.abort();
  }, ms);
  timer.unref();
  const signal = parent === undefined ? abort.signal : AbortSignal.any([parent, abort.signal]);
  return {
    signal,
    timedOut: () => (abort.signal.aborted ? `timed out after ${duration(ms)}` : undefined),
    clear: () => {
      clearTimeout(timer);
    },
  };
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function exitReason(code: number): string {
  if (code === 126) return 'exit code 126: the command cannot be executed';
  if (code === 127) return 'exit code 127: the command was not found in the image';
  return `exit code ${code}`;
}

/** The command with `docker run --rm`, the image's ENTRYPOINT replaced by it. */
async function runOnEngine(p: PlatformRun, command: string[], limit: ReturnType<typeof deadline>): Promise<Ended> {
  const run: DockerRun = { name: p.name, platform: p.target.platform, image: imageOf(p.target), env: keys(p.test) };
  const output: string[] = [];
  const runner = p.step.runner.withLog((line) => {
    p.say(line);
    output.push(line);
  });
  p.step.cleanup.push({ kind: 'container', name: p.name, env: p.step.docker.vars });
  try {
    const result = await runner.run('docker', dockerRunTestArgs(run, command), {
      env: { ...envValues(p.test), ...p.step.docker.vars },
      allowFailure: true,
      signal: limit.signal,
    });
    if (result.code === 0) return { passed: true, exitCode: 0, reason: undefined, tail: [] };
    return { passed: false, exitCode: result.code, reason: exitReason(result.code), tail: lastLines(output.slice(1)) };
  } catch (error) {
    const late = limit.timedOut();
    if (late === undefined || !(error instanceof CommandError)) throw error;
    return { passed: false, exitCode: undefined, reason: late, tail: lastLines(output.slice(1)) };
  } finally {
    // A `docker run` stopped by the time limit leaves its container running: removed here, and by the cleanup stack.
    if (limit.timedOut() !== undefined) {
      await p.step.runner.run('docker', ['container', 'rm', '--force', p.name], {
        env: p.step.docker.vars,
        quiet: true,
        allowFailure: true,
      });
    }
  }
}

/** The command as a `RUN` step in the builder, on the pushed digest or on the platform's OCI layout. */
async function runInBuilder(p: PlatformRun, command: string[], limit: ReturnType<typeof deadline>): Promise<Ended> {
  const { source, digest, platform } = p.target;
  const context = join(p.step.docker.workDir, 'test-context');
  mkdirSync(context, { recursive: true });
  const from = source.kind === 'registry' ? source.reference : TESTED_IMAGE_CONTEXT;
  const dockerfile = testDockerfile(from, command, keys(p.test));
  p.say(`${platform}: Dockerfile on stdin: ${dockerfile.trimEnd().split('\n').join(' | ')}`);
  try {
    const result = await p.runner.run(
      'docker',
      builderTestArgs({
        builder: p.builder,
        platform,
        env: keys(p.test),
        layout: source.kind === 'archive' ? { path: source.path, digest } : undefined,
        context,
      }),
      {
        stdin: dockerfile,
        env: { ...envValues(p.test), ...p.step.docker.vars },
        allowFailure: true,
        quiet: true,
        signal: limit.signal,
      },
    );
    const progress = parseRunProgress(result.stderr);
    for (const line of progress.output) p.say(line);
    if (result.code === 0) return { passed: true, exitCode: 0, reason: undefined, tail: [] };
    if (progress.exitCode !== undefined) {
      const reason = exitReason(progress.exitCode);
      return { passed: false, exitCode: progress.exitCode, reason, tail: lastLines(progress.output) };
    }
    // The RUN never ran (the image could not be read, the builder failed): buildx's own last lines say why.
    const tail = lastLines(result.stderr.trimEnd().split('\n'));
    for (const line of tail) p.say(line);
    return { passed: false, exitCode: undefined, reason: `buildx failed with exit code ${result.code}`, tail };
  } catch (error) {
    const late = limit.timedOut();
    if (late === undefined || !(error instanceof CommandError)) throw error;
    return { passed: false, exitCode: undefined, reason: late, tail: [] };
  }
}

async function testPlatform(p: PlatformRun): Promise<PlatformTest> {
  const { test, target, step } = p;
  const started = performance.now();
  const limit = deadline(test.timeoutMs, step.signal);
  let ended: Ended = { passed: true, exitCode: undefined, reason: undefined, tail: [] };
  try {
    if (test.runner === 'docker') {
      // Pulled apart from the run: a registry's hiccup is retried, and is never taken for the command's failure.
      const image = imageOf(target);
      await retrying(step, `pulling ${image}`, () =>
        p.runner.run('docker', ['pull', '--quiet', `--platform=${target.platform}`, image], {
          env: step.docker.vars,
          quiet: true,
        }),
      );
    }
    if (test.healthcheck) {
      const name = `${p.name}-health`;
      step.cleanup.push({ kind: 'container', name, env: step.docker.vars });
      const run: DockerRun = { name, platform: target.platform, image: imageOf(target), env: keys(test) };
      ended = await awaitHealthy(step, p.runner, run, envValues(test), p.say, limit);
    }
    if (ended.passed && test.command !== undefined) {
      ended =
        test.runner === 'docker'
          ? await runOnEngine(p, test.command, limit)
          : await runInBuilder(p, test.command, limit);
    }
  } finally {
    limit.clear();
  }
  const seconds = (performance.now() - started) / 1000;
  p.say(`${target.platform}: ${ended.passed ? 'passed' : `FAILED, ${ended.reason ?? ''}`} in ${seconds.toFixed(1)}s`);
  return { platform: target.platform, digest: target.digest, seconds, ...ended };
}

function imageOf(target: ScanTarget): string {
  if (target.source.kind !== 'registry') throw new Error(`${target.platform} is not pushed: docker cannot pull it`);
  return target.source.reference;
}

function keys(test: TestPlan): string[] {
  return test.env.map((entry) => entry.key);
}

function lastLines(lines: readonly string[]): string[] {
  return lines.filter((line) => line.trim() !== '').slice(-TAIL_LINES);
}

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
