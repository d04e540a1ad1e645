// The new builder's driver, nodes and TLS files: inputs refused with the input and value, the plan, buildx's argv.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { branchPlan, parsedInputs } from '../helpers/plan.js';
import type { BuilderPlan } from '../../../src/plan/types.js';
import {
  buildkitdArgs,
  buildkitdAttempts,
  hasSysAdmin,
  logTail,
  rootlessUser,
} from '../../../src/pipeline/steps/buildkitd.js';
import { appendNodeArgs, createBuilderArgs } from '../../../src/tools/buildx.js';

const inputs = parsedInputs;

/** The plan of a GitLab branch pipeline on a job with a Docker engine, for r.example/app and `given`. */
const planOf = (given: Record<string, string>) => branchPlan({ images: 'r.example/app', ...given });

function builderOf(given: Record<string, string>): Extract<BuilderPlan, { kind: 'create' }> {
  const plan = planOf(given);
  if (plan.builder.kind !== 'create') throw new Error('expected a new builder');
  return plan.builder;
}

const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

describe('the driver inputs, checked before anything runs', () => {
  it.each([
    [{ driver: 'docker' }, /Invalid driver "docker": expected one of docker-container, remote, kubernetes, buildkitd/],
    [{ driver: 'remote' }, /Invalid endpoint "": driver: remote needs the address of BuildKit/],
    [{ driver: 'remote', endpoint: 'buildkit:1234' }, /Invalid endpoint "buildkit:1234": expected tcp:\/\/host:port/],
    [
      { endpoint: 'tcp://b:1234' },
      /Invalid endpoint "tcp:\/\/b:1234": is for driver: remote, and driver is docker-container/,
    ],
    [{ driver: 'buildkitd', 'tls-cert': 'c.pem' }, /Invalid tls-cert: is for driver: remote, and driver is buildkitd/],
    [
      { driver: 'remote', endpoint: 'unix:///run/buildkit/buildkitd.sock', 'tls-ca-cert': 'ca.pem' },
      /Invalid tls-ca-cert: is for an endpoint over TCP/,
    ],
    [
      { driver: 'remote', endpoint: 'tcp://b:1234', 'tls-cert': 'c.pem' },
      /Invalid tls-key "": tls-cert and tls-key go together/,
    ],
    [
      { driver: 'remote', endpoint: 'tcp://b:1234', builder: 'mine' },
      /Invalid driver "remote": is for a builder docker-build creates/,
    ],
    [
      { driver: 'remote', endpoint: 'tcp://b:1234', append: 'platforms=linux/arm64' },
      /Invalid append "platforms=linux\/arm64": a node of a remote builder needs its endpoint/,
    ],
    [
      { driver: 'remote', endpoint: 'tcp://b:1234', append: 'endpoint=tcp://c:1234' },
      /a node declares the platforms it builds/,
    ],
    [{ append: 'platforms=linux/arm64' }, /a docker-container builder has one node/],
    [{ driver: 'kubernetes', append: 'endpoint=tcp://c:1,platforms=linux/arm64' }, /endpoint= is for driver: remote/],
    [
      {
        driver: 'remote',
        endpoint: 'tcp://b:1',
        append: 'endpoint=tcp://c:1,platforms=linux/arm64\nendpoint=tcp://d:1,platforms=linux/arm64',
      },
      /Invalid append "linux\/arm64": is declared by two nodes/,
    ],
  ])('%j is refused', (given, message) => {
    expect(() => inputs(given)).toThrow(message);
  });

  it('a tls-key given as PEM text is a secret: never repeated in an error, masked line by line', () => {
    try {
      inputs({ driver: 'buildkitd', 'tls-key': PEM_KEY });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).toBe('InputError: Invalid tls-key: is for driver: remote, and driver is buildkitd');
    }
  });
});

describe('the plan of a new builder', () => {
  it('docker-container by default: one node, the BuildKit image, today’s argv', () => {
    const builder = builderOf({});
    expect(builder.driver).toBe('docker-container');
    expect(createBuilderArgs(builder)).toEqual([
      'buildx',
      'create',
      '--name=b',
      '--driver=docker-container',
      '--driver-opt=image=moby/buildkit:buildx-stable-1',
      '--bootstrap',
    ]);
  });

  it('remote over mutual TLS: the files as driver options, the endpoint last after --', () => {
    const builder = builderOf({
      driver: 'remote',
      endpoint: 'tcp://buildkit.example.com:1234',
      'tls-ca-cert': 'certs/ca.pem',
      'tls-cert': 'certs/cert.pem',
      'tls-key': PEM_KEY,
    });
    expect(builder.tls).toEqual({
      caCert: { kind: 'path', path: 'certs/ca.pem' },
      cert: { kind: 'path', path: 'certs/cert.pem' },
      key: { kind: 'pem' },
    });
    expect(JSON.stringify(builder)).not.toContain('MIIE');
    expect(createBuilderArgs(builder, { caCert: '/w/ca.pem', cert: '/w/cert.pem', key: '/run/tls/key.pem' })).toEqual([
      'buildx',
      'create',
      '--name=b',
      '--driver=remote',
      '--driver-opt=cacert=/w/ca.pem',
      '--driver-opt=cert=/w/cert.pem',
      '--driver-opt=key=/run/tls/key.pem',
      '--bootstrap',
      '--',
      'tcp://buildkit.example.com:1234',
    ]);
  });

  it('two nodes: each declares its platforms, the first serves the ones no appended node declares', () => {
    const builder = builderOf({
      driver: 'remote',
      endpoint: 'tcp://amd64.example.com:1234',
      platforms: 'linux/amd64,linux/arm64',
      append: 'endpoint=tcp://arm64.example.com:1234,platforms=linux/arm64',
    });
    expect(builder.nodes).toEqual([
      { endpoint: 'tcp://amd64.example.com:1234', platforms: ['linux/amd64'], driverOpts: [] },
      { endpoint: 'tcp://arm64.example.com:1234', platforms: ['linux/arm64'], driverOpts: [] },
    ]);
    expect(createBuilderArgs(builder)).toContain('--platform=linux/amd64');
    expect(appendNodeArgs(builder, 1)).toEqual([
      'buildx',
      'create',
      '--append',
      '--name=b',
      '--node=b1',
      '--driver=remote',
      '--platform=linux/arm64',
      '--bootstrap',
      '--',
      'tcp://arm64.example.com:1234',
    ]);
  });

  it('kubernetes: the image and the driver options, a node per platform by node selector', () => {
    const builder = builderOf({
      driver: 'kubernetes',
      'driver-opts': 'namespace=ci\nrootless=true',
      platforms: 'linux/amd64,linux/arm64',
      append: '"platforms=linux/arm64",nodeselector=kubernetes.io/arch=arm64',
    });
    expect(createBuilderArgs(builder)).toEqual([
      'buildx',
      'create',
      '--name=b',
      '--driver=kubernetes',
      '--driver-opt=image=moby/buildkit:buildx-stable-1',
      '--driver-opt=namespace=ci',
      '--driver-opt=rootless=true',
      '--platform=linux/amd64',
      '--bootstrap',
    ]);
    expect(appendNodeArgs(builder, 1)).toContain('--driver-opt=nodeselector=kubernetes.io/arch=arm64');
  });

  it('buildkitd: the remote driver at the socket of the daemon the run starts; no proxy driver option', () => {
    const builder = builderOf({ driver: 'buildkitd' });
    expect(createBuilderArgs(builder, {}, 'unix:///tmp/d/buildkitd/buildkitd.sock')).toEqual([
      'buildx',
      'create',
      '--name=b',
      '--driver=remote',
      '--bootstrap',
      '--',
      'unix:///tmp/d/buildkitd/buildkitd.sock',
    ]);
  });
});

describe('the test gate off the job’s engine', () => {
  it('a remote, kubernetes or buildkitd builder runs the tests itself, even where DOCKER_HOST names an engine', () => {
    for (const driver of ['remote', 'kubernetes', 'buildkitd']) {
      const plan = planOf({ driver, test: 'true', ...(driver === 'remote' ? { endpoint: 'tcp://b:1234' } : {}) });
      expect(plan.test?.runner, driver).toBe('builder');
      expect(plan.test?.runnerReason).toBe(`in the builder: driver ${driver} needs no Docker engine`);
    }
  });
});

describe("the job's buildkitd", () => {
  // docker run's default capabilities, and a privileged container's.
  const unprivileged = 'Name:\tnode\nCapEff:\t00000000a80425fb\n';
  const privileged = 'CapEff:\t000001ffffffffff\n';
  const buildkit = { name: 'buildkit', uid: 1000, gid: 1000 };

  it('rootless first: as the job’s user, or as the image’s rootless user when the job is root; says why', () => {
    expect(buildkitdAttempts(1000, false, undefined)).toEqual({ rootless: { reason: 'the job runs as uid 1000' } });
    // root in a privileged container with the runner image's user: rootless, rootful if user namespaces are refused
    expect(buildkitdAttempts(0, true, buildkit)).toEqual({
      rootless: { user: buildkit, reason: "as buildkit (uid 1000), the image's rootless user" },
      rootful: { reason: 'the job runs as root with CAP_SYS_ADMIN' },
    });
    // root in an unprivileged container: rootless only
    expect(buildkitdAttempts(0, false, buildkit)).toEqual({
      rootless: { user: buildkit, reason: "as buildkit (uid 1000), the image's rootless user" },
    });
    // root on a machine with no rootless user: rootful
    expect(buildkitdAttempts(0, true, undefined)).toEqual({
      rootful: { reason: 'the job runs as root with CAP_SYS_ADMIN' },
    });
    expect(buildkitdAttempts(0, undefined, undefined).rootful).toBeDefined();
  });

  it('finds the rootless user in /etc/subuid, /etc/subgid and /etc/passwd, never root', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/sh\nbuildkit:x:1000:1000::/home/buildkit:/bin/sh\n';
    expect(rootlessUser(passwd, 'buildkit:100000:65536\n', 'buildkit:100000:65536\n')).toEqual(buildkit);
    // by uid, as shadow allows
    expect(rootlessUser(passwd, '1000:100000:65536\n', '1000:100000:65536\n')).toEqual(buildkit);
    expect(rootlessUser(passwd, 'root:100000:65536\n', 'root:100000:65536\n')).toBeUndefined();
    expect(rootlessUser(passwd, 'buildkit:100000:65536\n', '')).toBeUndefined();
    expect(rootlessUser(passwd, 'nobody:100000:65536\n', 'nobody:100000:65536\n')).toBeUndefined();
    expect(rootlessUser('', '', '')).toBeUndefined();
  });

  it('root in an unprivileged container with no rootless user is refused before anything starts, saying what works', () => {
    expect(hasSysAdmin(unprivileged)).toBe(false);
    expect(hasSysAdmin(privileged)).toBe(true);
    expect(hasSysAdmin(undefined)).toBeUndefined();
    expect(() => buildkitdAttempts(0, false, undefined)).toThrow(
      /^driver buildkitd: the job runs as root without CAP_SYS_ADMIN \(an unprivileged container\) and the image has no user/,
    );
  });

  it('listens on a socket in the run’s private directory, its state there too', () => {
    expect(buildkitdArgs('/tmp/d', 'rootful', undefined)).toEqual([
      '--addr=unix:///tmp/d/buildkitd.sock',
      '--root=/tmp/d/root',
      '--otel-socket-path=/tmp/d/otel-grpc.sock',
      '--containerd-worker=false',
    ]);
    expect(buildkitdArgs('/tmp/d', 'rootless', '/tmp/d/buildkitd.toml')).toEqual([
      '--addr=unix:///tmp/d/buildkitd.sock',
      '--root=/tmp/d/root',
      '--otel-socket-path=/tmp/d/otel-grpc.sock',
      '--containerd-worker=false',
      '--config=/tmp/d/buildkitd.toml',
      '--oci-worker-no-process-sandbox',
    ]);
  });

  it('a daemon that exits says why: its log without the Go stack buildkitd ends a fatal error with', () => {
    // buildkitd v0.32.2 given `[worker.oci] enabled = "x"`: two lines of reason, then 16 of stack
    const log = readFileSync(new URL('../../fixtures/buildkitd/bad-config.txt', import.meta.url), 'utf8');
    expect(logTail(log)).toBe(
      'buildkitd: toml: cannot decode TOML string into struct field config.OCIConfig.Enabled of type *bool\n' +
        'failed to parse config',
    );
    expect(logTail('a\nb\nc\n', 2)).toBe('b\nc');
  });
});
