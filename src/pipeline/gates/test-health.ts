/**
 * The test gate's health check: the image started as it would be deployed (its own ENTRYPOINT and CMD, detached), and
 * its HEALTHCHECK awaited through `docker container inspect`: healthy passes; unhealthy, an exit before that, or the
 * time limit fails. The container is removed whatever happens (and is on the cleanup stack before it exists).
 */
import type { Runner } from '../../exec/runner.js';
import {
  containerInspectArgs,
  containerLogsArgs,
  containerRemoveArgs,
  dockerRunDetachedArgs,
  parseContainerState,
  type DockerRun,
} from '../../tools/test-run.js';
import type { StepContext } from '../step.js';
import { TAIL_LINES } from './test-report.js';

/** How often the container's health is read: a HEALTHCHECK's interval is seconds at the least. */
const POLL_MS = 500;

export interface HealthOutcome {
  passed: boolean;
  reason: string | undefined;
  exitCode: number | undefined;
  /** the container's last log lines and the last health check's output, on failure */
  tail: string[];
}

export async function awaitHealthy(
  step: StepContext,
  runner: Runner,
  run: DockerRun,
  env: Record<string, string>,
  say: (line: string) => void,
  deadline: { signal: AbortSignal; timedOut: () => string | undefined },
): Promise<HealthOutcome> {
  // Its looks at the container, every half second, go to the debug log: the platform's block says what changed.
  const looking = step.runner.withLog((line) => {
    step.reporter.debug(line);
  });
  const docker = (args: string[], allowFailure = false) =>
    looking.run('docker', args, { env: step.docker.vars, quiet: true, allowFailure });
  try {
    await runner.run('docker', dockerRunDetachedArgs(run), { env: { ...env, ...step.docker.vars }, quiet: true });
    let noted = '';
    for (;;) {
      const state = parseContainerState((await docker(containerInspectArgs(run.name))).stdout);
      if (state.healthcheck === undefined) {
        return failed('no HEALTHCHECK in the image config', undefined, []);
      }
      if (state.health !== noted && state.health !== undefined) {
        noted = state.health;
        say(`${run.platform}: health ${state.health}`);
      }
      if (state.health === 'healthy') return { passed: true, reason: undefined, exitCode: undefined, tail: [] };
      const lastCheck =
        state.healthOutput === undefined
          ? []
          : ['last health check:', ...(state.healthOutput === '' ? ['(no output)'] : lines(state.healthOutput))];
      if (state.health === 'unhealthy') return failed('unhealthy', undefined, await tail(lastCheck));
      if (!state.running) {
        return failed(
          `exited with code ${state.exitCode} before it was healthy`,
          state.exitCode,
          await tail(lastCheck),
        );
      }
      const late = deadline.timedOut();
      if (late !== undefined)
        return failed(`${late}, still ${state.health ?? 'starting'}`, undefined, await tail(lastCheck));
      await sleep(POLL_MS, deadline.signal);
    }
  } finally {
    await runner.run('docker', containerRemoveArgs(run.name), {
      env: step.docker.vars,
      quiet: true,
      allowFailure: true,
    });
  }

  async function tail(lastCheck: string[]): Promise<string[]> {
    const logs = await docker(containerLogsArgs(run.name, TAIL_LINES), true);
    const output = lines(`${logs.stdout}${logs.stderr}`);
    return [...output, ...lastCheck].slice(-TAIL_LINES);
  }
}

function failed(reason: string, exitCode: number | undefined, tail: string[]): HealthOutcome {
  return { passed: false, reason, exitCode, tail };
}

function lines(text: string): string[] {
  const trimmed = text.trimEnd();
  return trimmed === '' ? [] : trimmed.split(/\r?\n/);
}

/** Waits `ms`, or less when `signal` aborts (the deadline passed: the next look says so). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
