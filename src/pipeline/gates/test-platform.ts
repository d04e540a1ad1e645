/**
 * One platform of the test gate: pulled (retried) and run with `docker run --rm` on the job's engine, or run as a
 * generated Dockerfile's `RUN` in the builder; the health check first when asked for; within the time limit, past
 * which the container is removed. Its lines go to the platform's held block (`say`).
 */
import { CommandError, type Runner } from '../../exec/runner.js';
import { isTransient } from '../../exec/retry.js';
import type { TestPlan } from '../../plan/types.js';
import {
  builderTestArgs,
  dockerRunTestArgs,
  parseRunProgress,
  testDockerfile,
  TESTED_IMAGE_CONTEXT,
  type DockerRun,
} from '../../tools/test-run.js';
import { retrying, type ScanTarget, type StepContext } from '../step.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { awaitHealthy } from './test-health.js';
import { TAIL_LINES, type PlatformTest } from './test-report.js';

/** What a platform's run ended with, before its time is added. */
type Ended = Omit<PlatformTest, 'platform' | 'digest' | 'seconds'>;

export interface PlatformRun {
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

export function duration(ms: number): string {
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
    const attempt = async () => {
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
      if (result.code !== 0 && progress.exitCode === undefined) {
        const tail = lastLines(result.stderr.trimEnd().split('\n')).join('\n');
        const failed = new CommandError('docker buildx build', result.code, tail);
        // The registry failed for a moment while the builder read the image: tried again, as a push is.
        if (isTransient(failed)) throw failed;
      }
      return { result, progress };
    };
    const { result, progress } = await retrying(p.step, `testing ${platform} in the builder`, attempt);
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

export async function testPlatform(p: PlatformRun): Promise<PlatformTest> {
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
          signal: limit.signal,
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
  } catch (error) {
    // The limit passed while the image was pulled, or the health check's container started: the platform failed.
    const late = limit.timedOut();
    if (late === undefined || !(error instanceof CommandError)) throw error;
    ended = { passed: false, exitCode: undefined, reason: late, tail: [] };
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
