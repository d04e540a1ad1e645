import { describe, expect, it } from 'vitest';
import {
  builderTestArgs,
  dockerRunDetachedArgs,
  dockerRunTestArgs,
  parseContainerState,
  parseRunProgress,
  testDockerfile,
} from '../../../src/tools/test-run.js';

const IMAGE = `registry.example.com/app@sha256:${'a'.repeat(64)}`;
const RUN = { name: 'docker-build-test-0a1b2c3d-2', platform: 'linux/arm64', image: IMAGE, env: ['MODE', 'TOKEN'] };

describe('the test gate: its commands', () => {
  it('docker run: the command in place of the ENTRYPOINT, variables by name only, the image after --', () => {
    expect(dockerRunTestArgs(RUN, ['sh', '-c', 'uname -m; cat /app/ok'])).toEqual([
      'run',
      '--rm',
      '--name=docker-build-test-0a1b2c3d-2',
      '--platform=linux/arm64',
      '--env=MODE',
      '--env=TOKEN',
      '--entrypoint=sh',
      '--',
      IMAGE,
      '-c',
      'uname -m; cat /app/ok',
    ]);
  });

  it("the health check's container: the image's own entrypoint, detached", () => {
    expect(dockerRunDetachedArgs({ ...RUN, env: [] })).toEqual([
      'run',
      '--detach',
      '--name=docker-build-test-0a1b2c3d-2',
      '--platform=linux/arm64',
      '--',
      IMAGE,
    ]);
  });

  it('in the builder: a generated Dockerfile, exec-form RUN, the variables as ARGs', () => {
    expect(testDockerfile(IMAGE, ['sh', '-c', 'echo "hi"; exit 3'], ['MODE'])).toBe(
      `FROM ${IMAGE}\nARG MODE\nRUN ["sh","-c","echo \\"hi\\"; exit 3"]\n`,
    );
    expect(
      builderTestArgs({
        builder: 'b',
        platform: 'linux/arm64',
        env: ['MODE'],
        layout: { path: '/tmp/x/image-linux-arm64', digest: 'sha256:1' },
        context: '/tmp/x/test-context',
      }),
    ).toEqual([
      'buildx',
      'build',
      '--builder=b',
      '--progress=plain',
      '--platform=linux/arm64',
      '--no-cache',
      '--build-arg=MODE',
      '--build-context=docker-build-tested-image=oci-layout:///tmp/x/image-linux-arm64@sha256:1',
      '--provenance=false',
      '--output=type=cacheonly',
      '--file=-',
      '--',
      '/tmp/x/test-context',
    ]);
  });
});

describe("the test gate: reading buildx's plain progress", () => {
  // buildx 0.x --progress=plain, a failing RUN of a generated Dockerfile (the lab's, trimmed)
  const FAILED = [
    '#0 building with "b" instance using docker-container driver',
    '',
    '#1 [internal] load build definition from Dockerfile',
    '#1 transferring dockerfile: 120B done',
    '#1 DONE 0.0s',
    '',
    `#2 [1/2] FROM ${IMAGE}`,
    '#2 DONE 0.1s',
    '',
    '#3 [2/2] RUN ["sh","-c","uname -m; cat /app/ok"]',
    '#3 0.112 aarch64',
    "#3 0.120 cat: can't open '/app/ok': No such file or directory",
    '#3 ERROR: process "sh -c uname -m; cat /app/ok" did not complete successfully: exit code: 1',
    '------',
    ' > [2/2] RUN ["sh","-c","uname -m; cat /app/ok"]:',
    '0.112 aarch64',
    '------',
    'ERROR: failed to solve: process "sh -c uname -m; cat /app/ok" did not complete successfully: exit code: 1',
  ].join('\n');

  it("the RUN step's output and exit code", () => {
    expect(parseRunProgress(FAILED)).toEqual({
      output: ['aarch64', "cat: can't open '/app/ok': No such file or directory"],
      exitCode: 1,
      seconds: undefined,
    });
  });

  it('its time when it passed', () => {
    const passed = ['#3 [2/2] RUN ["true"]', '#3 0.2 fine', '#3 DONE 0.4s'].join('\n');
    expect(parseRunProgress(passed)).toEqual({ output: ['fine'], exitCode: undefined, seconds: 0.4 });
  });

  it('nothing when the RUN never started', () => {
    expect(parseRunProgress('ERROR: failed to solve: not found')).toEqual({
      output: [],
      exitCode: undefined,
      seconds: undefined,
    });
  });
});

describe("the test gate: a container's state", () => {
  it('health and the last check', () => {
    const json = JSON.stringify({
      State: {
        Status: 'running',
        Running: true,
        ExitCode: 0,
        Health: { Status: 'unhealthy', Log: [{ ExitCode: 1, Output: 'wget: refused\n' }] },
      },
      Config: { Healthcheck: { Test: ['CMD-SHELL', 'wget -q localhost'] } },
    });
    expect(parseContainerState(json)).toEqual({
      status: 'running',
      running: true,
      exitCode: 0,
      health: 'unhealthy',
      healthOutput: 'wget: refused',
      healthcheck: ['CMD-SHELL', 'wget -q localhost'],
    });
  });

  it('no health check', () => {
    const json = JSON.stringify({ State: { Status: 'exited', Running: false, ExitCode: 3 }, Config: {} });
    expect(parseContainerState(json)).toMatchObject({
      running: false,
      exitCode: 3,
      health: undefined,
      healthcheck: undefined,
    });
  });
});
