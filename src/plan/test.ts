/**
 * The test gate's part of the plan: where the command runs (the job's Docker engine, or the builder), which platforms,
 * and the health check, refused before anything runs when it cannot work (no engine, nothing pushed, a Dockerfile
 * without HEALTHCHECK).
 */
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs/parse.js';
import { declaredHealthcheck } from './dockerfile.js';
import type { TestPlan } from './types.js';

export interface TestFacts {
  /** the image is pushed (else the gate reads each platform's OCI layout, in the builder) */
  push: boolean;
  /** the job has a Docker engine (DOCKER_HOST, or the default socket) */
  engine: boolean;
  /** the Dockerfile's text, when it could be read */
  dockerfile: string | undefined;
}

/**
 * The refusals that need no CI context (no engine, push false, no HEALTHCHECK in the Dockerfile): the edge calls it
 * before the first git or network call, and planTest again.
 */
export function checkTest(inputs: Inputs, facts: Omit<TestFacts, 'push'>): void {
  if (!inputs.healthcheck) return;
  if (!facts.engine) {
    throw new InputError(
      'healthcheck',
      'true',
      'starts the image as a container, and this job has no Docker engine (no DOCKER_HOST, no /var/run/docker.sock)',
    );
  }
  if (inputs.push === 'never') {
    throw new InputError('healthcheck', 'true', 'starts the pushed image, and push is false: nothing is pushed');
  }
  const declared = facts.dockerfile === undefined ? undefined : declaredHealthcheck(facts.dockerfile, inputs.target);
  if (declared !== undefined && declared.kind !== 'declared') {
    const where = inputs.target === undefined ? 'the final stage' : `stage ${inputs.target}`;
    throw new InputError(
      'healthcheck',
      'true',
      declared.kind === 'none'
        ? `${where} of the Dockerfile has no HEALTHCHECK (or HEALTHCHECK NONE)`
        : `${where} of the Dockerfile declares no HEALTHCHECK (one its base image ${declared.image} may have is ` +
            'not known before the build): add a HEALTHCHECK instruction to the Dockerfile',
    );
  }
}

/** Undefined when neither `test` nor `healthcheck` is set. */
export function planTest(inputs: Inputs, facts: TestFacts): TestPlan | undefined {
  if (inputs.test === undefined && !inputs.healthcheck) return undefined;
  checkTest(inputs, facts);
  // push auto that does not push (a pull request from a fork): the test still runs, in the builder; the health check
  // has no image to start.
  const healthcheck = inputs.healthcheck && facts.push;
  const warning =
    inputs.healthcheck && !facts.push
      ? 'healthcheck: skipped, the image is not pushed (there is no image to start a container from)'
      : undefined;
  // A builder off the job's engine (remote, kubernetes, the job's own buildkitd) runs the tests itself: such a run
  // needs no Docker engine at all, and a DOCKER_HOST pointing nowhere must not be asked.
  const offEngine = inputs.builder === undefined && inputs.driver !== 'docker-container';
  const runner = !facts.push
    ? 'builder'
    : inputs.testRunner === 'auto'
      ? facts.engine && !offEngine
        ? 'docker'
        : 'builder'
      : inputs.testRunner;
  const runnerReason = !facts.push
    ? "in the builder, from each platform's OCI layout: the image is not pushed"
    : inputs.testRunner !== 'auto'
      ? `test-runner is ${inputs.testRunner}`
      : offEngine
        ? `in the builder: driver ${inputs.driver} needs no Docker engine`
        : facts.engine
          ? 'docker run on the job’s Docker engine'
          : 'in the builder: this job has no Docker engine';
  if (runner === 'docker' && !facts.engine) {
    throw new InputError(
      'test-runner',
      'docker',
      'this job has no Docker engine (no DOCKER_HOST, no /var/run/docker.sock): use builder or auto',
    );
  }
  return {
    command: inputs.test,
    env: inputs.testEnv,
    timeoutMs: inputs.testTimeoutMs,
    platforms: inputs.testPlatforms,
    healthcheck,
    runner,
    runnerReason,
    ...(warning === undefined ? {} : { warning }),
  };
}
