import { describe, expect, it } from 'vitest';
import type { BuilderPlan, BuildPlan } from '../../../src/plan/types.js';
import {
  buildArgs,
  createBuilderArgs,
  csvField,
  imagetoolsCreateArgs,
  inspectBuilderArgs,
  loginArgs,
  removeBuilderArgs,
} from '../../../src/tools/buildx.js';

const MINIMAL: BuildPlan = {
  context: '.',
  file: undefined,
  target: undefined,
  platforms: [],
  buildArgs: [],
  buildContexts: [],
  secretIds: [],
  secretEnvs: [],
  secretFiles: [],
  ssh: [],
  labels: [],
  annotations: [],
  pull: false,
  noCache: false,
  provenance: undefined,
  sbom: undefined,
  cacheFrom: [],
  cacheTo: [],
  output: { kind: 'none' },
};

/** A docker-container builder of one node, as the plan has it without `driver`, `endpoint` or `append`. */
const ONE_NODE: Pick<CreatePlan, 'driver' | 'nodes' | 'tls'> = {
  driver: 'docker-container',
  nodes: [{ endpoint: undefined, platforms: [], driverOpts: [] }],
  tls: { caCert: undefined, cert: undefined, key: undefined },
};

type CreatePlan = Extract<BuilderPlan, { kind: 'create' }>;

describe('docker and buildx argument lists', () => {
  it('login: the password goes to stdin, never argv', () => {
    expect(loginArgs('ghcr.io', 'octo')).toEqual(['login', '--username=octo', '--password-stdin', 'ghcr.io']);
  });

  it('a new docker-container builder', () => {
    expect(
      createBuilderArgs(
        {
          kind: 'create',
          ...ONE_NODE,
          ...ONE_NODE,
          ...ONE_NODE,
          name: 'docker-build-1',
          image: 'registry.example.com/buildkit:v0.32.2',
          config: '[registry."r.example.com"]\n',
          driverOpts: [{ key: 'network', value: 'host' }],
        },
        { config: '/tmp/x/buildkitd.toml' },
      ),
    ).toEqual([
      'buildx',
      'create',
      '--name=docker-build-1',
      '--driver=docker-container',
      '--driver-opt=image=registry.example.com/buildkit:v0.32.2',
      '--driver-opt=network=host',
      '--buildkitd-config=/tmp/x/buildkitd.toml',
      '--bootstrap',
    ]);
    expect(removeBuilderArgs('b')).toEqual(['buildx', 'rm', '--force', 'b']);
    expect(inspectBuilderArgs('b')).toEqual(['buildx', 'inspect', '--bootstrap', 'b']);
  });

  it.each([
    // buildx reads --driver-opt and --secret as CSV records: a field with a comma, quote or line break is quoted.
    ['network=host', 'network=host'],
    ['env.no_proxy=localhost,127.0.0.1,.example.com', '"env.no_proxy=localhost,127.0.0.1,.example.com"'],
    ['src=./say "hi".txt', '"src=./say ""hi"".txt"'],
    ['src=a\nb', '"src=a\nb"'],
    ['', ''],
  ])('csvField(%j) is %j', (field, want) => {
    expect(csvField(field)).toBe(want);
  });

  it('driver options and secret files whose values hold commas stay one field for buildx', () => {
    const create = createBuilderArgs({
      kind: 'create',
      ...ONE_NODE,
      name: 'b',
      image: 'buildkit',
      config: undefined,
      driverOpts: [{ key: 'env.no_proxy', value: 'localhost,127.0.0.1' }],
    });
    expect(create).toContain('--driver-opt="env.no_proxy=localhost,127.0.0.1"');
    const build = buildArgs({ ...MINIMAL, secretFiles: [{ key: 'k', value: './a,b.txt' }] }, 'b', '/tmp/m.json');
    expect(build).toContain('--secret=id=k,"src=./a,b.txt"');
  });

  it('a driver option with commas or quotes is one quoted CSV field, as buildx reads each --driver-opt', () => {
    const args = createBuilderArgs({
      kind: 'create',
      ...ONE_NODE,
      name: 'b',
      image: 'buildkit',
      config: undefined,
      driverOpts: [
        { key: 'env.HTTPS_PROXY', value: 'http://proxy.corp:3128' },
        { key: 'env.NO_PROXY', value: 'registry.corp,.internal,localhost' },
        { key: 'env.ODD', value: 'say "hi"' },
      ],
    });
    expect(args.filter((arg) => arg.startsWith('--driver-opt=env.') || arg.startsWith('--driver-opt="'))).toEqual([
      '--driver-opt=env.HTTPS_PROXY=http://proxy.corp:3128',
      '--driver-opt="env.NO_PROXY=registry.corp,.internal,localhost"',
      '--driver-opt="env.ODD=say ""hi"""',
    ]);
  });

  it('the smallest build', () => {
    expect(buildArgs(MINIMAL, 'b', '/tmp/m.json')).toEqual([
      'buildx',
      'build',
      '--builder=b',
      '--progress=plain',
      '--output=type=cacheonly',
      '--metadata-file=/tmp/m.json',
      '--',
      '.',
    ]);
  });

  it('a multi-platform build pushed by digest to two registries, with every option', () => {
    const plan: BuildPlan = {
      ...MINIMAL,
      context: 'app',
      file: 'app/Dockerfile.prod',
      target: 'runtime',
      platforms: ['linux/amd64', 'linux/arm64'],
      buildArgs: [{ key: 'VERSION', value: '1.2.3' }],
      buildContexts: [{ key: 'base', value: 'docker-image://alpine:3.20' }],
      secretIds: ['npmrc', 'token'],
      secretEnvs: [{ key: 'gh', value: 'GH_TOKEN' }],
      secretFiles: [{ key: 'aws', value: '/home/me/.aws/credentials' }],
      ssh: ['default'],
      labels: [{ key: 'org.opencontainers.image.version', value: '1.2.3' }],
      annotations: ['index:org.opencontainers.image.version=1.2.3'],
      pull: true,
      noCache: true,
      provenance: 'mode=max',
      sbom: 'true',
      output: { kind: 'push-by-digest', repositories: ['ghcr.io/o/app', 'registry.example.com/o/app'] },
    };
    expect(buildArgs(plan, 'b', '/tmp/m.json')).toEqual([
      'buildx',
      'build',
      '--builder=b',
      '--progress=plain',
      '--file=app/Dockerfile.prod',
      '--target=runtime',
      '--platform=linux/amd64,linux/arm64',
      '--build-arg=VERSION=1.2.3',
      '--build-context=base=docker-image://alpine:3.20',
      '--secret=id=npmrc,env=DOCKER_BUILD_SECRET_0',
      '--secret=id=token,env=DOCKER_BUILD_SECRET_1',
      '--secret=id=gh,env=GH_TOKEN',
      '--secret=id=aws,src=/home/me/.aws/credentials',
      '--ssh=default',
      '--label=org.opencontainers.image.version=1.2.3',
      '--annotation=index:org.opencontainers.image.version=1.2.3',
      '--pull',
      '--no-cache',
      '--provenance=mode=max',
      '--sbom=true',
      '--output=type=image,"name=ghcr.io/o/app,registry.example.com/o/app",push-by-digest=true,name-canonical=true,push=true',
      '--metadata-file=/tmp/m.json',
      '--',
      'app',
    ]);
  });

  it('a loaded single-platform build is tagged in the engine', () => {
    expect(buildArgs({ ...MINIMAL, output: { kind: 'load', tags: ['app:dev'] } }, 'b', '/m')).toEqual([
      'buildx',
      'build',
      '--builder=b',
      '--progress=plain',
      '--load',
      '--tag=app:dev',
      '--metadata-file=/m',
      '--',
      '.',
    ]);
  });

  it('one platform to an OCI archive, for the scan of an unpushed build', () => {
    expect(
      buildArgs({ ...MINIMAL, platforms: ['linux/arm64'], output: { kind: 'oci-archive', dest: '/w/a' } }, 'b', '/m'),
    ).toEqual([
      'buildx',
      'build',
      '--builder=b',
      '--progress=plain',
      '--platform=linux/arm64',
      '--output=type=oci,dest=/w/a,tar=false',
      '--metadata-file=/m',
      '--',
      '.',
    ]);
  });

  it('a context that looks like an option stays a path', () => {
    expect(buildArgs({ ...MINIMAL, context: '--help' }, 'b', '/m').slice(-2)).toEqual(['--', '--help']);
  });

  it('imagetools attaches tags to a digest', () => {
    expect(
      imagetoolsCreateArgs('b', ['ghcr.io/o/app:1.2.3', 'ghcr.io/o/app:latest'], 'ghcr.io/o/app@sha256:abc'),
    ).toEqual([
      'buildx',
      'imagetools',
      'create',
      '--builder=b',
      '--prefer-index=false',
      '--tag=ghcr.io/o/app:1.2.3',
      '--tag=ghcr.io/o/app:latest',
      'ghcr.io/o/app@sha256:abc',
    ]);
  });
});
