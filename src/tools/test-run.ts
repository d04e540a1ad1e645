/**
 * The test gate's commands, built apart from running them, and readers of what they print. Two ways to run one
 * argument vector in one platform's image, kept equivalent: `docker run` with the image's ENTRYPOINT replaced by the
 * command's first word (Docker then drops the image's CMD too), and a generated Dockerfile whose exec-form `RUN [...]`
 * runs it in the builder (a RUN ignores ENTRYPOINT and CMD). Both keep the image's USER, WORKDIR and ENV, and both run
 * no shell. `test-env` goes by name only (`--env=NAME`, `--build-arg=NAME`): docker and buildx read the values from
 * their own environment.
 */

/** The named build context a not-pushed platform's OCI layout is given as, for the generated Dockerfile's FROM. */
export const TESTED_IMAGE_CONTEXT = 'docker-build-tested-image';

export interface DockerRun {
  /** the container's name: on the cleanup stack before it exists */
  name: string;
  platform: string;
  /** `registry/repo@sha256:...` */
  image: string;
  /** names of `test-env` variables */
  env: readonly string[];
}

/** `docker run --rm` of the command in place of the image's ENTRYPOINT and CMD. */
export function dockerRunTestArgs(run: DockerRun, command: readonly string[]): string[] {
  const [program = '', ...args] = command;
  return [
    'run',
    '--rm',
    `--name=${run.name}`,
    `--platform=${run.platform}`,
    ...run.env.map((name) => `--env=${name}`),
    `--entrypoint=${program}`,
    // After `--`, nothing is read as docker's option: the image, then the command's arguments.
    '--',
    run.image,
    ...args,
  ];
}

/** The image started as it would be deployed (its own ENTRYPOINT and CMD), in the background, for its health check. */
export function dockerRunDetachedArgs(run: DockerRun): string[] {
  return [
    'run',
    '--detach',
    `--name=${run.name}`,
    `--platform=${run.platform}`,
    ...run.env.map((name) => `--env=${name}`),
    '--',
    run.image,
  ];
}

export function containerInspectArgs(name: string): string[] {
  return ['container', 'inspect', '--format={{json .}}', name];
}

export function containerLogsArgs(name: string, lines: number): string[] {
  return ['container', 'logs', `--tail=${lines}`, name];
}

export function containerRemoveArgs(name: string): string[] {
  return ['container', 'rm', '--force', '--volumes', name];
}

/**
 * The Dockerfile of a test in the builder: the tested image, the variables of `test-env` as ARGs (a RUN sees them in
 * its environment), and the command in exec form (JSON: every argument as it is, no shell).
 */
export function testDockerfile(from: string, command: readonly string[], env: readonly string[]): string {
  return [`FROM ${from}`, ...env.map((name) => `ARG ${name}`), `RUN ${JSON.stringify(command)}`, ''].join('\n');
}

export interface BuilderTest {
  builder: string;
  platform: string;
  /** names of `test-env` variables */
  env: readonly string[];
  /** a not-pushed platform's OCI layout and its manifest digest, given as the named context TESTED_IMAGE_CONTEXT */
  layout?: { path: string; digest: string } | undefined;
  /** an empty directory: the build's context (the Dockerfile comes on stdin) */
  context: string;
}

/** `buildx build` of testDockerfile: never cached (the RUN always runs), its result discarded. */
export function builderTestArgs(test: BuilderTest): string[] {
  return [
    'buildx',
    'build',
    `--builder=${test.builder}`,
    '--progress=plain',
    `--platform=${test.platform}`,
    '--no-cache',
    ...test.env.map((name) => `--build-arg=${name}`),
    ...(test.layout === undefined
      ? []
      : [`--build-context=${TESTED_IMAGE_CONTEXT}=oci-layout://${test.layout.path}@${test.layout.digest}`]),
    // Provenance would be computed for nothing: the result goes nowhere.
    '--provenance=false',
    '--output=type=cacheonly',
    '--file=-',
    '--',
    test.context,
  ];
}

export interface RunProgress {
  /** what the command printed, in order */
  output: string[];
  /** the command's exit code, when it ran and failed */
  exitCode: number | undefined;
  /** how long the RUN step took, by BuildKit's count */
  seconds: number | undefined;
}

/**
 * The RUN step's part of buildx's plain progress: its output lines (`#7 0.153 text`), its time (`#7 DONE 0.3s`), and
 * on failure the command's exit code (`#7 ERROR: process "..." did not complete successfully: exit code: 3`).
 */
export function parseRunProgress(stderr: string): RunProgress {
  const lines = stderr.split(/\r?\n/);
  let vertex: string | undefined;
  for (const line of lines) {
    const match = /^#(\d+) \[\s*\d+\/\d+\] RUN /.exec(line);
    if (match !== null) vertex = match[1];
  }
  const output: string[] = [];
  let exitCode: number | undefined;
  let seconds: number | undefined;
  if (vertex === undefined) return { output, exitCode, seconds };
  const prefix = `#${vertex} `;
  for (const line of lines) {
    if (!line.startsWith(prefix)) continue;
    const rest = line.slice(prefix.length);
    const printed = /^\d+\.\d+ (.*)$/.exec(rest);
    if (printed !== null) {
      output.push(printed[1] ?? '');
      continue;
    }
    const done = /^(?:DONE|ERROR:?.*?) ?(\d+(?:\.\d+)?)s$/.exec(rest);
    if (rest.startsWith('DONE') && done !== null) seconds = Number(done[1]);
    const code = /^ERROR: .*exit code: (\d+)/.exec(rest);
    if (code !== null) exitCode = Number(code[1]);
  }
  return { output, exitCode, seconds };
}

export interface ContainerState {
  status: string;
  running: boolean;
  exitCode: number;
  /** `starting`, `healthy`, `unhealthy`; undefined when the container has no health check */
  health: string | undefined;
  /** the last health check's output, when there was one */
  healthOutput: string | undefined;
  /** the image config's HEALTHCHECK test, when it has one (`["CMD-SHELL", "..."]`) */
  healthcheck: string[] | undefined;
}

interface InspectJson {
  State?: {
    Status?: string;
    Running?: boolean;
    ExitCode?: number;
    Health?: { Status?: string; Log?: { ExitCode?: number; Output?: string }[] | null } | null;
  };
  Config?: { Healthcheck?: { Test?: string[] | null } | null };
}

/** `docker container inspect --format={{json .}}` of one container. */
export function parseContainerState(json: string): ContainerState {
  const data = JSON.parse(json) as InspectJson;
  const state = data.State ?? {};
  const test = data.Config?.Healthcheck?.Test ?? undefined;
  return {
    status: state.Status ?? 'unknown',
    running: state.Running === true,
    exitCode: state.ExitCode ?? 0,
    health: state.Health?.Status ?? undefined,
    healthOutput: state.Health?.Log?.at(-1)?.Output?.trimEnd() ?? undefined,
    healthcheck: test === undefined || test.length === 0 || test[0] === 'NONE' ? undefined : test,
  };
}
