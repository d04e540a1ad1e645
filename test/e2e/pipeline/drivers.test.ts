// Builders beyond docker-container, in the lab (issue 17): a remote BuildKit on TCP with mutual TLS (certificates from
// the lab CA, as paths and as PEM text), a builder of two nodes (one per platform) yielding one index, the daemonless
// run (`driver: buildkitd`, DOCKER_HOST pointing nowhere) through the local command and act; faults (an endpoint that
// does not answer, a client certificate from another CA, a buildkitd that cannot start) and bad input.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labActVars, runAct } from '../helpers/act.js';
import {
  daemonBuildLogs,
  freePort,
  makeCa,
  makeCert,
  processesWith,
  startDaemon,
  type Daemon,
  type Pem,
} from '../helpers/buildkitd.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { credentialLocations, filesContaining } from '../helpers/leftovers.js';
import { parseInspect, registryTags, runLocal, startLocal, type LocalInputs } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { run, type RunResult } from '../helpers/run.js';

const lab = inject('lab');

const PLATFORMS = 'linux/amd64,linux/arm64';

/** The lab's inputs without those of a docker-container builder: the BuildKit image and its host network. */
const NO_CONTAINER_BUILDER = { 'INPUT_BUILDKIT-IMAGE': '', 'INPUT_DRIVER-OPTS': '' };

/** DOCKER_HOST where nothing answers: a run that asks the engine anything fails. */
const NOWHERE = 'tcp://127.0.0.1:9';

/** The run's private directory, from the metadata file's path on buildx's command line. */
function privateDir(log: string): string {
  return /--metadata-file=(\/[^ ]*)\/metadata\.json/.exec(log)?.[1] ?? '';
}

/** The socket of the buildkitd a run started, from its logged command line. */
function daemonSocket(log: string): string {
  return /\$ buildkitd --addr=unix:\/\/(\/\S+\/buildkitd\.sock)/.exec(log)?.[1] ?? '';
}

/** The OpenTelemetry socket a rootful buildkitd makes by default, as it is now: its inode and time, or absent. */
function otelSocket(): string {
  try {
    const stats = statSync('/run/buildkit/otel-grpc.sock');
    return `${stats.ino} ${stats.mtimeMs}`;
  } catch {
    return 'absent';
  }
}

describe('builders beyond docker-container: remote with mutual TLS, two nodes, daemonless', () => {
  const client = new DockerClient();
  const image = `${lab.registry}/e2e/${unique('drivers')}`;
  // Certificates, keys and the test's daemons' state: removed at the end.
  const dir = mkdtempSync(join(tmpdir(), 'e2e-drivers-'));
  const labCa: Pem = { cert: lab.caCert, key: join(lab.home, 'ca', 'ca.key') };
  let repo = '';
  let client1: Pem;
  let rogue: Pem;
  let tlsDaemon: Daemon | undefined;
  let endpoint = '';

  const build = (inputs: LocalInputs, env: Record<string, string> = {}): Promise<RunResult> =>
    runLocal(lab, repo, inputs, { env: { ...NO_CONTAINER_BUILDER, ...env }, timeoutMs: 300_000 });

  async function inspect(ref: string) {
    const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .}}']);
    return parseInspect(stdout);
  }

  /** A two-platform run that passed: the tag in the registry, on the digest it printed, both platforms scanned. */
  async function expectPushed(result: RunResult, tag: string): Promise<Record<string, string>> {
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const outputs = JSON.parse(result.stdout) as Record<string, string>;
    expect(await registryTags(lab, image)).toContain(tag);
    const facts = await inspect(`${image}:${tag}`);
    expect(facts.digest).toBe(outputs.digest);
    expect(facts.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(outputs['scan-result']).toBe('passed');
    expect(result.stderr.match(/\$ trivy image /g)).toHaveLength(2);
    return outputs;
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture('hello-app', 'https://github.com/example/hello-drivers.git');
    const server = await makeCert(dir, 'server', 'server', labCa);
    client1 = await makeCert(dir, 'client', 'client', labCa);
    rogue = await makeCert(dir, 'rogue-client', 'client', await makeCa(dir, 'rogue-ca'));
    endpoint = `tcp://127.0.0.1:${await freePort()}`;
    mkdirSync(join(dir, 'tls-daemon'));
    tlsDaemon = await startDaemon({
      addr: endpoint,
      dir: join(dir, 'tls-daemon'),
      tls: { cert: server.cert, key: server.key, clientCa: lab.caCert },
      client: { ca: lab.caCert, cert: client1.cert, key: client1.key },
    });
  });

  afterAll(async () => {
    await tlsDaemon?.stop();
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('remote over TCP with mutual TLS, the files as paths: two platforms built there, pushed, scanned, tagged', async () => {
    const result = await build({
      images: image,
      platforms: PLATFORMS,
      tags: 'type=raw,value=remote-tls',
      driver: 'remote',
      endpoint,
      'tls-ca-cert': lab.caCert,
      'tls-cert': client1.cert,
      'tls-key': client1.key,
    });
    expect(result.stderr).toContain(
      `--driver=remote --driver-opt=cacert=${lab.caCert} --driver-opt=cert=${client1.cert} ` +
        `--driver-opt=key=${client1.key} --bootstrap -- ${endpoint}`,
    );
    await expectPushed(result, 'remote-tls');
    // the daemon of this test built both platforms
    const built = await daemonBuildLogs(endpoint, [
      `--tlscacert=${lab.caCert}`,
      `--tlscert=${client1.cert}`,
      `--tlskey=${client1.key}`,
    ]);
    expect(built).toMatch(/\[linux\/amd64 build 2\/2\] RUN/);
    expect(built).toMatch(/\[linux\/arm64 build 2\/2\] RUN/);
  });

  it('the client certificate and key as PEM text (INPUT_TLS-CERT, INPUT_TLS-KEY): in no log, no file outlives the run', async () => {
    const key = readFileSync(client1.key, 'utf8');
    const result = await build(
      { images: image, platforms: PLATFORMS, tags: 'type=raw,value=remote-pem', driver: 'remote', endpoint },
      { 'INPUT_TLS-CA-CERT': lab.caCert, 'INPUT_TLS-CERT': readFileSync(client1.cert, 'utf8'), 'INPUT_TLS-KEY': key },
    );
    await expectPushed(result, 'remote-pem');
    const run = privateDir(result.stderr);
    expect(run).not.toBe('');
    // buildx was given files of the run's private directory, removed with it
    expect(result.stderr).toContain(`--driver-opt=cert=${run}/tls/cert.pem --driver-opt=key=${run}/tls/key.pem`);
    expect(existsSync(run)).toBe(false);
    const keyLines = key.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(0);
    for (const line of keyLines) {
      expect(result.stdout + result.stderr).not.toContain(line);
      expect(filesContaining(credentialLocations(repo), line, [dir, lab.home, client.configDir])).toEqual([]);
    }
  });

  it('two nodes, one per platform (append): one index, each platform built on its node', async () => {
    const nodes = join(dir, 'nodes');
    // Started one after the other, each stopped at the end even if the next one fails to start. A worker's
    // --oci-worker-platform only puts that platform first (the emulated ones follow): the node's platforms= decides.
    const daemons: Daemon[] = [];
    try {
      for (const arch of ['amd64', 'arm64']) {
        mkdirSync(join(nodes, arch), { recursive: true });
        daemons.push(
          await startDaemon({
            addr: `unix://${join(nodes, arch, 'buildkitd.sock')}`,
            dir: join(nodes, arch),
            platform: `linux/${arch}`,
          }),
        );
      }
      const [amd64, arm64] = daemons as [Daemon, Daemon];
      const result = await build({
        images: image,
        platforms: PLATFORMS,
        tags: 'type=raw,value=two-nodes',
        driver: 'remote',
        endpoint: amd64.addr,
        append: `endpoint=${arm64.addr},platforms=linux/arm64`,
      });
      expect(result.stderr).toContain(`--driver=remote --platform=linux/amd64 --bootstrap -- ${amd64.addr}`);
      expect(result.stderr).toContain(`--driver=remote --platform=linux/arm64 --bootstrap -- ${arm64.addr}`);
      await expectPushed(result, 'two-nodes');
      const [onAmd64, onArm64] = await Promise.all([daemonBuildLogs(amd64.addr), daemonBuildLogs(arm64.addr)]);
      expect(onAmd64).toMatch(/\[linux\/amd64 build 2\/2\] RUN/);
      expect(onAmd64).not.toContain('linux/arm64');
      expect(onArm64).toMatch(/\[linux\/arm64 build 2\/2\] RUN/);
      expect(onArm64).not.toContain('linux/amd64');
    } finally {
      await Promise.all(daemons.map((daemon) => daemon.stop()));
    }
    expect(processesWith(nodes)).toEqual([]);
  });

  it('daemonless (driver buildkitd, DOCKER_HOST pointing nowhere): built, pushed, scanned, tested, tagged; nothing left', async () => {
    const machineOtel = otelSocket();
    const result = await build(
      {
        images: image,
        platforms: PLATFORMS,
        tags: 'type=raw,value=daemonless',
        driver: 'buildkitd',
        test: 'cat /hello.txt',
      },
      { DOCKER_HOST: NOWHERE },
    );
    expect(result.stderr).toContain('buildkitd: rootful (the job runs as root with CAP_SYS_ADMIN)');
    const outputs = await expectPushed(result, 'daemonless');
    expect(outputs['test-result']).toBe('passed');
    expect(result.stderr).toContain('in the builder: driver buildkitd needs no Docker engine');
    expect(result.stderr).toMatch(/hello from x86_64/);
    expect(result.stderr).toMatch(/hello from aarch64/);
    const socket = daemonSocket(result.stderr);
    expect(socket).not.toBe('');
    expect(processesWith(socket)).toEqual([]);
    expect(existsSync(privateDir(result.stderr))).toBe(false);
    // the machine's /run/buildkit was not the job's daemon's to touch
    expect(otelSocket()).toEqual(machineOtel);
  });

  it('daemonless through act (uses: ./, driver: buildkitd, DOCKER_HOST nowhere in the step): the same', async () => {
    const actRepo = await repoFromFixture(
      ['hello-app', 'act-buildkitd'],
      'https://github.com/example/hello-drivers.git',
      true,
    );
    try {
      const result = await runAct(
        actRepo,
        '.github/workflows/image.yml',
        [...labActVars(lab, image), '--secret=REGISTRY_PASSWORD'],
        undefined,
        { REGISTRY_PASSWORD: lab.registryPassword },
      );
      expect(result.stdout).toContain('Job succeeded');
      expect(result.code, result.stdout.slice(-4000)).toBe(0);
      expect(result.stdout).toContain('buildkitd: rootful (the job runs as root with CAP_SYS_ADMIN)');
      expect(result.stdout).toMatch(/\| output scan-result=passed/);
      expect(result.stdout).toMatch(/\| output test-result=passed/);
      expect(result.stdout).toContain('in the builder: driver buildkitd needs no Docker engine');
      const digest = /\| output digest=(sha256:[0-9a-f]{64})/.exec(result.stdout)?.[1];
      expect((await inspect(`${image}:act-daemonless`)).digest).toBe(digest);
      expect(result.stdout).not.toContain(lab.registryPassword);
      const socket = daemonSocket(result.stdout.replace(/^.*\| /gm, ''));
      expect(socket).not.toBe('');
      expect(processesWith(socket)).toEqual([]);
      expect(existsSync(dirname(dirname(socket)))).toBe(false);
    } finally {
      rmSync(actRepo, { recursive: true, force: true });
    }
  });

  it('daemonless, cancelled mid-build (SIGINT): exit 130, the job’s buildkitd stopped, its directory gone', async () => {
    writeFileSync(join(repo, 'Dockerfile.slow'), 'ARG BASE\nFROM ${BASE}\nRUN sleep 120\n');
    const { child, exited, stderr } = await startLocal(
      lab,
      repo,
      { images: image, file: 'Dockerfile.slow', tags: 'type=raw,value=never', driver: 'buildkitd' },
      'RUN sleep 120',
      { ...NO_CONTAINER_BUILDER, DOCKER_HOST: NOWHERE },
    );
    const socket = daemonSocket(stderr());
    expect(socket).not.toBe('');
    expect(processesWith(socket).length).toBeGreaterThan(0);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr()).toMatch(/error: cancelled/);
    expect(processesWith(socket)).toEqual([]);
    expect(existsSync(dirname(dirname(socket)))).toBe(false);
  });

  describe('faults: a clear error naming the driver and the endpoint, before any build or push', () => {
    it('an endpoint that does not answer', async () => {
      const closed = `tcp://127.0.0.1:${await freePort()}`;
      const result = await build({ images: image, driver: 'remote', endpoint: closed, tags: 'type=raw,value=never' });
      expect(result.code, result.stderr.slice(-2000)).toBe(1);
      expect(result.stderr).toContain(
        `the remote builder at ${closed} did not start: nothing listens there (connection refused)\nbuildx said:`,
      );
      expect(result.stderr).not.toContain('$ docker buildx build');
    });

    it('a client certificate signed by another CA', async () => {
      const result = await build({
        images: image,
        driver: 'remote',
        endpoint,
        tags: 'type=raw,value=never',
        'tls-ca-cert': lab.caCert,
        'tls-cert': rogue.cert,
        'tls-key': rogue.key,
      });
      expect(result.code, result.stderr.slice(-2000)).toBe(1);
      expect(result.stderr).toContain(
        `the remote builder at ${endpoint} did not start: BuildKit refused the client certificate (tls-cert)`,
      );
      expect(result.stderr).not.toContain('$ docker buildx build');
      expect(await registryTags(lab, image)).not.toContain('never');
      // the daemon is up: it refuses that certificate, and takes the lab CA's
      const workers = (pem: Pem) =>
        run('buildctl', [
          `--addr=${endpoint}`,
          `--tlscacert=${lab.caCert}`,
          `--tlscert=${pem.cert}`,
          `--tlskey=${pem.key}`,
          'debug',
          'workers',
        ]);
      expect((await workers(rogue)).code).not.toBe(0);
      expect((await workers(client1)).code).toBe(0);
    });

    it('buildkitd not on PATH: said so, nothing left running', async () => {
      const bin = join(dir, 'bin');
      mkdirSync(bin, { recursive: true });
      for (const tool of ['docker', 'trivy', 'buildctl']) symlinkSync(`/usr/local/bin/${tool}`, join(bin, tool));
      const result = await build(
        { images: image, driver: 'buildkitd', tags: 'type=raw,value=never' },
        { PATH: `${bin}:/usr/bin:/bin`, DOCKER_HOST: NOWHERE },
      );
      expect(result.code, result.stderr.slice(-2000)).toBe(1);
      expect(result.stderr).toContain('buildkitd was not found on PATH');
      expect(result.stderr).not.toContain('$ docker buildx build');
      // its command line was logged before the spawn failed: the run's private directory is gone
      const socket = daemonSocket(result.stderr);
      expect(socket).not.toBe('');
      expect(existsSync(dirname(dirname(socket)))).toBe(false);
    });

    it('buildkitd that cannot start (a bad config): its own words, nothing left running', async () => {
      const result = await build(
        {
          images: image,
          driver: 'buildkitd',
          tags: 'type=raw,value=never',
          'buildkitd-config-inline': '[worker.oci]\nenabled = "not a boolean"\n',
        },
        { DOCKER_HOST: NOWHERE },
      );
      expect(result.code, result.stderr.slice(-2000)).toBe(1);
      expect(result.stderr).toMatch(
        /buildkitd exited before it answered on unix:\/\/\S+:\nbuildkitd: toml: cannot decode/,
      );
      expect(result.stderr).toContain('failed to parse config');
      expect(result.stderr).not.toContain('$ docker buildx build');
      const socket = daemonSocket(result.stderr);
      expect(socket).not.toBe('');
      expect(processesWith(socket)).toEqual([]);
      expect(existsSync(dirname(dirname(socket)))).toBe(false);
    });
  });

  describe('bad input: exit 2 before anything runs', () => {
    it.each<[string, LocalInputs, RegExp]>([
      ['remote without endpoint', { driver: 'remote' }, /endpoint.*driver: remote needs the address of BuildKit/],
      [
        'tls-cert without tls-key',
        { driver: 'remote', endpoint: 'tcp://127.0.0.1:1234', 'tls-cert': '/nonexistent.crt' },
        /tls-key.*tls-cert and tls-key go together/,
      ],
      [
        'append on docker-container',
        { append: 'platforms=linux/arm64' },
        /append.*a docker-container builder has one node/,
      ],
      ['an endpoint that is not one', { driver: 'remote', endpoint: 'http://x:1' }, /endpoint "http:\/\/x:1"/],
    ])('%s', async (_name, inputs, message) => {
      const result = await build({ images: image, ...inputs });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain('$ docker');
    });
  });

  it('leaves no key outside the test’s directory', () => {
    const keyLine = readFileSync(client1.key, 'utf8').split('\n')[1] ?? '';
    expect(keyLine.length).toBeGreaterThan(16);
    expect(filesContaining(credentialLocations(repo), keyLine, [dir, lab.home, client.configDir])).toEqual([]);
  });
});
