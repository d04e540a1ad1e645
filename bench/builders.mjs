// Issue 17's figures: where BuildKit runs, cold and warm, for the same two-platform job of the reference project.
//   docker-container  a new builder container on the job's Docker engine (today's default), per run
//   buildkitd         the job starts BuildKit itself (`driver: buildkitd`), DOCKER_HOST pointing nowhere, per run
//   remote            a BuildKit that already runs (started once for the session, on TCP with mutual TLS), as a
//                     shared builder is: its own layer store outlives the jobs
// cold: a new repository and image, nothing in any cache. warm: the same, after a source-only change, with the
// registry cache of the previous commit (docker-container, buildkitd) or the remote BuildKit's own store (remote).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, changeSource, groupedScenarios, must, projectRepo, timed, unique } from './lib.mjs';

const BOTH = 'linux/amd64,linux/arm64';

export async function buildersSuite(lab, runs, log) {
  const trivyCache = mkdtempSync(join(tmpdir(), 'bench-trivy-cache-'));
  const daemonDir = mkdtempSync(join(tmpdir(), 'bench-buildkitd-'));
  // The shared builder: one buildkitd for the session on TCP with mutual TLS (certificates of a CA of its own), its
  // state in its own directory, removed at the end.
  const pki = await certificates(daemonDir);
  const endpoint = `tcp://127.0.0.1:${await freePort()}`;
  const daemon = spawn(
    'buildkitd',
    [
      `--addr=${endpoint}`,
      `--tlscert=${pki.server.cert}`,
      `--tlskey=${pki.server.key}`,
      `--tlscacert=${pki.ca.cert}`,
      `--root=${join(daemonDir, 'root')}`,
      `--otel-socket-path=${join(daemonDir, 'otel.sock')}`,
      '--containerd-worker=false',
    ],
    { stdio: 'ignore' },
  );
  const clientTls = [`--tlscacert=${pki.ca.cert}`, `--tlscert=${pki.client.cert}`, `--tlskey=${pki.client.key}`];
  const base = {
    'INPUT_BUILD-ARGS': `BASE=${lab.LAB_BASE_IMAGE}`,
    INPUT_REGISTRY: lab.LAB_REGISTRY,
    INPUT_USERNAME: lab.LAB_REGISTRY_USER,
    INPUT_PASSWORD: lab.LAB_REGISTRY_PASSWORD,
    'INPUT_DB-REPOSITORY': lab.LAB_TRIVY_DB_REPOSITORY,
    'INPUT_TRIVY-CACHE-DIR': trivyCache,
    INPUT_CHECK: 'false',
  };
  const DRIVERS = {
    'docker-container': { 'INPUT_BUILDKIT-IMAGE': lab.LAB_BUILDKIT_IMAGE, 'INPUT_DRIVER-OPTS': 'network=host' },
    buildkitd: { INPUT_DRIVER: 'buildkitd', DOCKER_HOST: 'tcp://127.0.0.1:9' },
    remote: {
      INPUT_DRIVER: 'remote',
      INPUT_ENDPOINT: endpoint,
      'INPUT_TLS-CA-CERT': pki.ca.cert,
      'INPUT_TLS-CERT': pki.client.cert,
      'INPUT_TLS-KEY': pki.client.key,
      DOCKER_HOST: 'tcp://127.0.0.1:9',
    },
  };
  const times = {};
  const record = (name, seconds) => (times[name] ??= []).push(seconds);
  const load = [loadavg()[0]];
  try {
    for (let wait = 0; ; wait++) {
      if ((await timed('buildctl', [`--addr=${endpoint}`, ...clientTls, 'debug', 'workers'])).code === 0) break;
      if (wait > 100) throw new Error('the shared buildkitd did not answer');
      await sleep(100);
    }
    // Trivy's database, once, untimed.
    {
      const repo = await projectRepo();
      const image = `${lab.LAB_REGISTRY}/bench/${unique('builders-warmup')}`;
      await must('node', [DIST, 'build', '--images', image, '--platforms', BOTH], {
        cwd: repo,
        env: { ...base, ...DRIVERS['docker-container'] },
      });
      rmSync(repo, { recursive: true, force: true });
    }
    for (let round = 1; round <= runs; round++) {
      const order = Object.keys(DRIVERS);
      // who goes first turns round by round
      for (let i = 0; i < round - 1; i++) order.push(order.shift());
      const said = [];
      for (const driver of order) {
        const repo = await projectRepo();
        const image = `${lab.LAB_REGISTRY}/bench/${unique(`builders-${driver}`)}`;
        const args = ['build', '--images', image, '--tags', 'type=ref,event=branch', '--platforms', BOTH];
        const cache =
          driver === 'remote' ? ['--cache', 'none'] : ['--cache', 'registry', '--cache-ref', `${image}/cache`];
        const env = { ...base, ...DRIVERS[driver] };
        try {
          const cold = await must('node', [DIST, ...args, ...cache], { cwd: repo, env });
          await changeSource(repo, `version ${round}.1`);
          const warm = await must('node', [DIST, ...args, ...cache], { cwd: repo, env });
          for (const [kind, result] of [
            ['cold', cold],
            ['warm', warm],
          ]) {
            const outputs = JSON.parse(result.stdout);
            if (outputs['scan-result'] !== 'passed' || outputs.tags === '') {
              throw new Error(`${driver} ${kind}: scan ${outputs['scan-result']}, tags "${outputs.tags}"`);
            }
            record(`${kind}/${driver}`, result.seconds);
          }
          said.push(`${driver} cold ${cold.seconds.toFixed(1)} s, warm ${warm.seconds.toFixed(1)} s`);
        } finally {
          rmSync(repo, { recursive: true, force: true });
        }
      }
      log(`round ${round}: ${said.join('; ')}`);
      load.push(loadavg()[0]);
    }
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    rmSync(daemonDir, { recursive: true, force: true });
    rmSync(trivyCache, { recursive: true, force: true });
  }

  const SCENARIOS = [
    [
      'cold/docker-container',
      'cold: docker-container (a new builder container per job)',
      'docker-container',
      '#b0b0b0',
    ],
    ['cold/buildkitd', "cold: buildkitd (the job's own BuildKit, no Docker engine)", 'buildkitd', '#2f6f9f'],
    [
      'cold/remote',
      'new project: remote (a shared BuildKit; its store already held these layers but in round 1)',
      'remote',
      '#7aa6c2',
    ],
    ['warm/docker-container', 'warm: docker-container, registry cache', 'docker-container', '#b0b0b0'],
    ['warm/buildkitd', 'warm: buildkitd, registry cache', 'buildkitd', '#2f6f9f'],
    ['warm/remote', "warm: remote, the shared BuildKit's own store", 'remote', '#7aa6c2'],
  ];
  const reference = { cold: 'cold/docker-container', warm: 'warm/docker-container' };
  const scenarios = groupedScenarios(SCENARIOS, times, reference);
  return {
    id: 'builders',
    title: 'Where BuildKit runs: docker-container, the job’s own buildkitd, a remote BuildKit (issue 17)',
    groups: {
      cold: 'A two-platform job, nothing cached',
      warm: 'The same job after a source-only change',
    },
    method:
      `The reference project (bench/project), ${runs} rounds in one session; in each round every driver builds a new ` +
      `repository and image twice: **cold** (nothing cached anywhere) and **warm** (after a source-only change). ` +
      `Every run is \`node dist/index.js build --platforms linux/amd64,linux/arm64\` (pushed by digest, both platforms ` +
      `scanned, tagged; check gate off; the Trivy database fetched once before the timed runs). **docker-container**: ` +
      `a new builder container per run from the lab BuildKit image, registry cache beside the image. **buildkitd**: ` +
      `\`driver: buildkitd\`, the job starts the host's buildkitd (rootful, as root) and stops it, DOCKER_HOST ` +
      `pointing nowhere, registry cache. **remote**: \`driver: remote\` at a buildkitd started once for the session ` +
      `on TCP with mutual TLS (a shared builder), no registry cache: its own store is the cache, ` +
      `so its cold run is the first build of each new project and its warm run reads the store. The order of the ` +
      `drivers turns round by round. linux/arm64 runs under QEMU on this machine for every driver.`,
    scenarios,
    notes: [
      `Load average during the suite: ${load.map((value) => value.toFixed(1)).join(', ')} (2 cores).`,
      `remote's first build, with an empty store (round 1), took ${times['cold/remote'][0].toFixed(1)} s cold: from ` +
        `the second round on, the shared store already holds the reference project's layers, as a shared builder ` +
        `does for every job after the first.`,
    ],
  };
}

/** A port nothing listens on now. */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, as a shared BuildKit would have. */
async function certificates(dir) {
  const pem = (name) => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = pem('ca');
  await must('openssl', [
    'req',
    '-x509',
    ...newKey,
    '-days',
    '1',
    '-subj',
    '/CN=bench-ca',
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
  ]);
  const signed = async (name, extensions) => {
    const out = pem(name);
    const csr = join(dir, `${name}.csr`);
    const ext = join(dir, `${name}.ext`);
    writeFileSync(ext, extensions);
    await must('openssl', ['req', '-new', ...newKey, '-subj', `/CN=${name}`, '-keyout', out.key, '-out', csr]);
    await must('openssl', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-set_serial',
      `${Date.now()}`,
      '-days',
      '1',
      '-extfile',
      ext,
      '-out',
      out.cert,
    ]);
    return out;
  };
  const server = await signed('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  const client = await signed('client', 'extendedKeyUsage=clientAuth\n');
  return { ca, server, client };
}
