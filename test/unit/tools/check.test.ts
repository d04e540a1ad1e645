import { describe, expect, it } from 'vitest';
import type { CheckPlan } from '../../../src/plan/types.js';
import { checkArgs, checksUnsupported } from '../../../src/tools/check.js';

const MINIMAL: CheckPlan['build'] = {
  context: '.',
  file: undefined,
  target: undefined,
  platforms: [],
  buildArgs: [],
  buildContexts: [],
};

describe('the Dockerfile checks’ argument list', () => {
  it('checks on the run’s builder, the JSON report on stdout, the context last after --', () => {
    expect(checkArgs(MINIMAL, 'docker-build-1a2b')).toEqual([
      'buildx',
      'build',
      '--builder=docker-build-1a2b',
      '--call=check,format=json',
      '--progress=plain',
      '--',
      '.',
    ]);
  });

  it('reads the Dockerfile as the build does: file, target, platforms, build arguments, named contexts', () => {
    expect(
      checkArgs(
        {
          context: 'app',
          file: 'app/Dockerfile.prod',
          target: 'runtime',
          platforms: ['linux/amd64', 'linux/arm64'],
          buildArgs: [{ key: 'BASE', value: 'registry.example.com/base:1' }],
          buildContexts: [{ key: 'deps', value: 'docker-image://registry.example.com/deps:2' }],
        },
        'b',
      ),
    ).toEqual([
      'buildx',
      'build',
      '--builder=b',
      '--call=check,format=json',
      '--progress=plain',
      '--file=app/Dockerfile.prod',
      '--target=runtime',
      '--platform=linux/amd64,linux/arm64',
      '--build-arg=BASE=registry.example.com/base:1',
      '--build-context=deps=docker-image://registry.example.com/deps:2',
      '--',
      'app',
    ]);
  });

  it('a context that looks like an option stays the context', () => {
    expect(checkArgs({ ...MINIMAL, context: '--push' }, 'b').slice(-2)).toEqual(['--', '--push']);
  });
});

describe('a builder without checks', () => {
  it('is told by buildx’s answer on the docker driver of Docker Engine 20.10 (no docker/dockerfile:1.8 to fall back on)', () => {
    const stderr = [
      '#3 resolve image config for docker.io/docker/dockerfile:1.8.1@sha256:e87caa74dcb7d46cd820352bfea12591f3dba3ddc4285e19c7dcd13359f7cefd',
      '#3 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/docker/dockerfile/manifests/sha256:e87c": dial tcp: lookup registry-1.docker.io: no such host',
      'ERROR: failed to build: failed to solve: rpc error: code = Unknown desc = failed to solve with frontend dockerfile.v0: unsupported request frontend.lint',
    ].join('\n');
    expect(checksUnsupported(stderr)).toBe(true);
    expect(checksUnsupported('ERROR: no builder "x" found')).toBe(false);
    expect(checksUnsupported('ERROR: failed to solve: failed to read dockerfile: open Dockerfile: no such file')).toBe(
      false,
    );
  });
});
