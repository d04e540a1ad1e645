// Issue 8's other figures: how fast `plan` starts, how big dist/ is, and the peak memory of docker-build's own node
// process during a whole pipeline (its children, buildx and Trivy, not counted).
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, ROOT, median, must, projectRepo, unique } from './lib.mjs';

export async function measuresSuite(lab, _runs, log) {
  const repo = await projectRepo();
  const planTimes = [];
  // The machine's load while `plan` is timed: on a shared machine, start-up is mostly waiting for a core.
  const loads = [loadavg()[0]];
  for (let i = 0; i < 20; i++) {
    const result = await must('node', [DIST, 'plan', '--images', 'registry.example.com/app'], { cwd: repo });
    planTimes.push(result.seconds * 1000);
  }
  loads.push(loadavg()[0]);
  const planMs = median(planTimes);
  const load = `${Math.max(...loads).toFixed(1)} on ${cpus().length} cores`;
  log(`plan start-up: median ${planMs.toFixed(0)} ms over 20 (load average ${load})`);

  const dist = join(ROOT, 'dist');
  const files = readdirSync(dist).map((name) => ({ name, bytes: statSync(join(dist, name)).size }));
  const distBytes = files.reduce((sum, file) => sum + file.bytes, 0);
  const mainBytes = files.find((file) => file.name === 'index.js')?.bytes ?? 0;

  // The process's own peak resident set, written at its exit by bench/rss-probe.mjs (buildx, BuildKit and Trivy are
  // other processes, and are not counted).
  const rssFile = join(mkdtempSync(join(tmpdir(), 'bench-rss-')), 'maxrss');
  await must(
    'node',
    [
      '--import',
      join(ROOT, 'bench', 'rss-probe.mjs'),
      DIST,
      'build',
      '--images',
      `${lab.LAB_REGISTRY}/bench/${unique('rss')}`,
      '--platforms',
      'linux/amd64,linux/arm64',
    ],
    {
      cwd: repo,
      env: {
        BENCH_RSS_FILE: rssFile,
        'INPUT_BUILDKIT-IMAGE': lab.LAB_BUILDKIT_IMAGE,
        'INPUT_DRIVER-OPTS': 'network=host',
        'INPUT_BUILD-ARGS': `BASE=${lab.LAB_BASE_IMAGE}`,
        INPUT_REGISTRY: lab.LAB_REGISTRY,
        INPUT_USERNAME: lab.LAB_REGISTRY_USER,
        INPUT_PASSWORD: lab.LAB_REGISTRY_PASSWORD,
        'INPUT_DB-REPOSITORY': lab.LAB_TRIVY_DB_REPOSITORY,
        INPUT_TAGS: 'type=raw,value=rss',
      },
    },
  );
  const rssMiB = Number(readFileSync(rssFile, 'utf8').trim()) / 1024;
  log(`peak RSS of docker-build's node process: ${rssMiB.toFixed(1)} MiB; dist ${(distBytes / 1e6).toFixed(2)} MB`);
  const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
  return {
    id: 'measures',
    title: 'Start-up, size and memory (issues 8 and 13)',
    method:
      'Run by `npm run build && npm run bench -- --only measures` (the other suites keep their recorded figures). ' +
      '`node dist/index.js plan` in a git repository, 20 runs, wall time of the process (the first suite of the ' +
      'session; the load average says how quiet the machine was); the size of the built dist/ (every file: ' +
      'dist/index.js is what every run loads, a numbered chunk is read on demand); the peak resident set of ' +
      "docker-build's own node process (getrusage's maxrss, read at its exit) during a two-platform pipeline " +
      'with the scan gate (buildx, BuildKit and Trivy are other processes, not counted).',
    scenarios: [],
    table: [
      // Issue 13's budgets (dist/ is also checked by test/unit/repository.test.ts, so that CI fails on it).
      ['`plan` start-up, median of 20', `${planMs.toFixed(0)} ms`, '≤ 200 ms', planMs <= 200],
      ['load average (1 min) while `plan` was timed', load, '', true],
      ['dist/ in all', mb(distBytes), '≤ 4 MB', distBytes <= 4e6],
      ['dist/index.js, loaded on every run', mb(mainBytes), '≤ 1 MB', mainBytes <= 1e6],
      ...files
        .filter((file) => /^\d+\.index\.js$/.test(file.name))
        .map((file) => [`dist/${file.name}, a chunk loaded on demand`, mb(file.bytes), '', true]),
      ["peak RSS of docker-build's node process", `${rssMiB.toFixed(1)} MiB`, '≤ 100 MB', rssMiB * 1.048576 <= 100],
    ],
  };
}
