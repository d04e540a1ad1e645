// Issue 17's figures: where BuildKit runs, cold and warm, for the same two-platform job of the reference project.
//   docker-container  a new builder container on the job's Docker engine (today's default), per run
//   buildkitd         the job starts BuildKit itself (`driver: buildkitd`), DOCKER_HOST pointing nowhere, per run
//   remote            a BuildKit that already runs (started once for the session, on a unix socket), as a shared
//                     builder is: its own layer store outlives the jobs
// cold: a new repository and image, nothing in any cache. warm: the same, after a source-only change, with the
// registry cache of the previous commit (docker-container, buildkitd) or the remote BuildKit's own store (remote).
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, changeSource, groupedScenarios, must, projectRepo, timed, unique } from './lib.mjs';

const BOTH = 'linux/amd64,linux/arm64';

export async function buildersSuite(lab, runs, log) {
  const trivyCache = mkdtempSync(join(tmpdir(), 'bench-trivy-cache-'));
  const daemonDir = mkdtempSync(join(tmpdir(), 'bench-buildkitd-'));
  const socket = `unix://${join(daemonDir, 'buildkitd.sock')}`;
  // The shared builder: one buildkitd for the session, its state in its own directory, removed at the end.
  const daemon = spawn(
    'buildkitd',
    [
      `--addr=${socket}`,
      `--root=${join(daemonDir, 'root')}`,
      `--otel-socket-path=${join(daemonDir, 'otel.sock')}`,
      '--containerd-worker=false',
    ],
    { stdio: 'ignore' },
  );
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
    remote: { INPUT_DRIVER: 'remote', INPUT_ENDPOINT: socket, DOCKER_HOST: 'tcp://127.0.0.1:9' },
  };
  const times = {};
  const record = (name, seconds) => (times[name] ??= []).push(seconds);
  const load = [loadavg()[0]];
  try {
    for (let wait = 0; ; wait++) {
      if ((await timed('buildctl', [`--addr=${socket}`, 'debug', 'workers'])).code === 0) break;
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
      `on a unix socket (a shared builder; TLS adds one handshake), no registry cache: its own store is the cache, ` +
      `so its cold run is the first build of each new project and its warm run reads the store. The order of the ` +
      `drivers turns round by round. linux/arm64 runs under QEMU on this machine for every driver.`,
    scenarios,
    notes: [`Load average during the suite: ${load.map((value) => value.toFixed(1)).join(', ')} (2 cores).`],
  };
}
