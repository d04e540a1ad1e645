// Issue 16's figures: the digest travelling between jobs, against building again.
//   merge      the merge job alone (`docker-build merge` of two images pushed by `build --push digest`, one per
//              platform), against one job building both platforms (`docker-build build --platforms a,b`); the two
//              one-platform jobs are timed too, so that the distributed wall time (the slower platform, then the merge)
//              can be read beside them
//   promote    `docker-build promote` of a built image into the second registry (and, for comparison, in its own
//              repository), against a rebuild of the same commit into the second registry with a warm cache
//   qemu       what a runner per platform saves: the same one-platform job with a CPU-bound build step, for this
//              machine's platform and for the other one under QEMU
// Every docker-build run creates its own builder, as a fresh CI runner would; the layers come from the registry cache.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, changeSource, git, groupedScenarios, must, projectRepo, unique } from './lib.mjs';

const BOTH = 'linux/amd64,linux/arm64';
/** This machine's platform: the lab's builder runs it natively, the other one under QEMU. */
const NATIVE = process.arch === 'arm64' ? 'linux/arm64' : 'linux/amd64';
const OTHER = NATIVE === 'linux/amd64' ? 'linux/arm64' : 'linux/amd64';
/** A build step that is all CPU, as a compiler's is: busybox hashing 128 MiB of zeros, twice. */
const CPU_DOCKERFILE = [
  'ARG BASE',
  'FROM ${BASE}',
  'COPY src/ /src/',
  'RUN head -c 134217728 /dev/zero | sha256sum > /sum && head -c 134217728 /dev/zero | sha256sum >> /sum',
  '',
].join('\n');

export async function distributedSuite(lab, runs, log) {
  // Trivy's database, fetched by the first (untimed) build of the session and kept for every run after it, as a CI
  // cache keeps it: today's database, never downloaded inside a timed run. It holds no credential.
  const trivyCache = mkdtempSync(join(tmpdir(), 'bench-trivy-cache-'));
  // Both registries, through the input: docker-build logs in to each in its own private Docker config, removed at
  // its exit; nothing here writes a password to a file.
  const registryAuth = [
    [lab.LAB_REGISTRY, lab.LAB_REGISTRY_USER, lab.LAB_REGISTRY_PASSWORD],
    [lab.LAB_REGISTRY2, lab.LAB_REGISTRY2_USER, lab.LAB_REGISTRY2_PASSWORD],
  ]
    .map(([registry, username, password]) =>
      [`- registry: ${registry}`, `  username: ${username}`, `  password: ${JSON.stringify(password)}`].join('\n'),
    )
    .join('\n');
  const env = {
    'INPUT_BUILDKIT-IMAGE': lab.LAB_BUILDKIT_IMAGE,
    'INPUT_DRIVER-OPTS': 'network=host',
    'INPUT_BUILD-ARGS': `BASE=${lab.LAB_BASE_IMAGE}`,
    'INPUT_REGISTRY-AUTH': registryAuth,
    'INPUT_DB-REPOSITORY': lab.LAB_TRIVY_DB_REPOSITORY,
    'INPUT_TRIVY-CACHE-DIR': trivyCache,
    // No other contender of issue 8 checks the Dockerfile, and promote and merge have none to check: the scan is
    // the one gate of every run here.
    INPUT_CHECK: 'false',
  };
  /** One docker-build run; one that should have scanned and tagged is checked to have done so. */
  const docker = async (repo, args) => {
    const result = await must('node', [DIST, ...args], { cwd: repo, env });
    const outputs = JSON.parse(result.stdout);
    const digestOnly = args.includes('--push');
    if (!digestOnly && (outputs['scan-result'] !== 'passed' || outputs.tags === '')) {
      throw new Error(`docker-build ${args[0]}: scan ${outputs['scan-result']}, tags "${outputs.tags}"`);
    }
    return { seconds: result.seconds, outputs, log: result.stderr };
  };

  const times = {};
  // The lab is shared with other work: the load while the suite ran is part of its figures.
  const load = [loadavg()[0]];
  const record = (name, seconds) => (times[name] ??= []).push(seconds);

  try {
    for (let round = 1; round <= runs; round++) {
      const repo = await projectRepo();
      const image = `${lab.LAB_REGISTRY}/bench/${unique('dist')}`;
      const cache = ['--cache', 'registry', '--cache-ref', `${image}/cache`];
      const two = (target, tags) => ['build', '--images', target, '--tags', tags, '--platforms', BOTH, ...cache];
      const digest = (platform) => ['build', '--push', 'digest', '--images', image, '--platforms', platform, ...cache];
      try {
        // The previous commit, built both ways on main: each cache key (amd64.arm64, amd64, arm64) is warm.
        await docker(repo, two(image, 'type=ref,event=branch'));
        await docker(repo, digest('linux/amd64'));
        await docker(repo, digest('linux/arm64'));
        await changeSource(repo, `version ${round}.1`);

        // A source-only change, built both ways; who goes first alternates round by round.
        const distributed = async () => {
          const amd64 = await docker(repo, digest('linux/amd64'));
          const arm64 = await docker(repo, digest('linux/arm64'));
          // no sources: the digest files the two builds wrote, as the merge job finds them in its artifacts
          const merge = await docker(repo, ['merge', '--tags', 'type=ref,event=branch']);
          record('merge/amd64', amd64.seconds);
          record('merge/arm64', arm64.seconds);
          record('merge/merge', merge.seconds);
          record('merge/path', Math.max(amd64.seconds, arm64.seconds) + merge.seconds);
          return `amd64 ${amd64.seconds.toFixed(1)} s, arm64 ${arm64.seconds.toFixed(1)} s, merge ${merge.seconds.toFixed(1)} s`;
        };
        let built;
        const single = async () => {
          built = await docker(repo, two(image, 'type=ref,event=branch'));
          record('merge/two', built.seconds);
          return `two platforms in one job ${built.seconds.toFixed(1)} s`;
        };
        const order = round % 2 === 1 ? [distributed, single] : [single, distributed];
        const said = [];
        for (const run of order) said.push(await run());
        log(`round ${round}: ${said.join(', ')}`);

        // The commit is released: tag v1.<round>.0 checked out, as a tag pipeline does.
        await git(repo, 'tag', `v1.${round}.0`);
        await git(repo, 'checkout', '-q', `v1.${round}.0`);
        const semver = 'type=semver,pattern={{version}}';
        const source = built.outputs.image;
        const target = `${lab.LAB_REGISTRY2}/bench/${unique('release')}`;
        const rebuildTarget = `${lab.LAB_REGISTRY2}/bench/${unique('rebuild')}`;
        const promote = async () => {
          const copy = await docker(repo, ['promote', '--source', source, '--images', target, '--tags', semver]);
          if (copy.outputs.digest !== built.outputs.digest) {
            throw new Error(`promote moved ${copy.outputs.digest}, not ${built.outputs.digest}`);
          }
          const inPlace = await docker(repo, ['promote', '--source', source, '--tags', semver]);
          const again = await docker(repo, ['promote', '--source', source, '--images', target, '--tags', semver]);
          if (!/nothing to do/.test(again.log)) throw new Error('the second promote did more than nothing');
          record('promote/copy', copy.seconds);
          record('promote/in-place', inPlace.seconds);
          record('promote/again', again.seconds);
          return `promote to registry2 ${copy.seconds.toFixed(1)} s, in place ${inPlace.seconds.toFixed(1)} s, again ${again.seconds.toFixed(1)} s`;
        };
        const rebuild = async () => {
          // The tag's build reads main's cache (the key the builds above wrote) and writes none.
          const result = await docker(repo, two(rebuildTarget, semver));
          record('promote/rebuild', result.seconds);
          return `rebuild ${result.seconds.toFixed(1)} s`;
        };
        const releases = round % 2 === 1 ? [promote, rebuild] : [rebuild, promote];
        const released = [];
        for (const run of releases) released.push(await run());
        log(`round ${round}: ${released.join(', ')}`);

        // A compile-like step (hashing 2 × 128 MiB, no layer cache), native and emulated, in the same kind of job.
        await git(repo, 'checkout', '-q', 'main');
        writeFileSync(join(repo, 'Dockerfile.cpu'), CPU_DOCKERFILE);
        const cpu = (platform) => [
          ...['build', '--push', 'digest', '--images', image, '--platforms', platform],
          ...['--cache', 'none', '--file', 'Dockerfile.cpu'],
        ];
        const native = await docker(repo, cpu(NATIVE));
        const foreign = await docker(repo, cpu(OTHER));
        record('qemu/native', native.seconds);
        record('qemu/emulated', foreign.seconds);
        log(
          `round ${round}: CPU-bound step ${NATIVE} ${native.seconds.toFixed(1)} s, ${OTHER} (QEMU) ${foreign.seconds.toFixed(1)} s`,
        );
        load.push(loadavg()[0]);
      } finally {
        rmSync(repo, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(trivyCache, { recursive: true, force: true });
  }

  // name, title (the table), label (the chart), color
  const SCENARIOS = [
    [
      'merge/two',
      'one job, both platforms (build --platforms linux/amd64,linux/arm64)',
      'one job, both platforms',
      '#b0b0b0',
    ],
    ['merge/amd64', 'matrix job linux/amd64 (build --push digest)', 'matrix job, linux/amd64', '#7aa6c2'],
    [
      'merge/arm64',
      'matrix job linux/arm64 (build --push digest, QEMU here)',
      'matrix job, linux/arm64 (QEMU)',
      '#7aa6c2',
    ],
    ['merge/merge', 'the merge job alone (merge: index, scan both, tag)', 'the merge job alone', '#2f6f9f'],
    ['merge/path', 'distributed wall time: slower platform + merge', 'slower platform + merge', '#7aa6c2'],
    ['promote/rebuild', 'rebuild of the commit into registry2 (warm cache)', 'rebuild (warm cache)', '#b0b0b0'],
    ['promote/copy', 'promote into registry2 (scan, copy by digest, tag)', 'promote into registry2', '#2f6f9f'],
    ['promote/in-place', 'promote in its own repository (scan, tag)', 'promote in place', '#2f6f9f'],
    ['promote/again', 'promote into registry2 again (nothing to do)', 'promote again (nothing to do)', '#7aa6c2'],
    ['qemu/native', `one-platform job, CPU-bound step, ${NATIVE} (native)`, `${NATIVE}, native`, '#2f6f9f'],
    ['qemu/emulated', `the same job for ${OTHER} (QEMU)`, `${OTHER}, QEMU`, '#b0b0b0'],
  ];
  const reference = { merge: 'merge/two', promote: 'promote/rebuild', qemu: 'qemu/native' };
  const scenarios = groupedScenarios(SCENARIOS, times, reference);
  return {
    id: 'distributed',
    title: 'The digest between jobs: merge and promote against building again (issue 16)',
    groups: {
      merge: 'Two platforms: one job, or a job per platform and a merge job',
      promote: 'A release: promote the built image, or rebuild the commit',
      qemu: 'A CPU-bound build step: native, or emulated by QEMU',
    },
    method:
      `The reference project (bench/project), ${runs} rounds in one session, each with a new repository and image. ` +
      `Every run is \`node dist/index.js\` with a new \`docker-container\` builder (as on an ephemeral runner), the ` +
      `lab BuildKit image, a registry cache beside the image (\`--cache registry\`, each platform set its own key: ` +
      `amd64.arm64, amd64, arm64), both registries logged in through \`registry-auth\`, the scan gate on (vuln,secret) ` +
      `with a Trivy database fetched once per session before the timed runs, and the check gate off (promote and ` +
      `merge have no Dockerfile to check). Each round first builds the previous commit every way on main (untimed), ` +
      `so every cache key is warm; then, after a source-only change, **merge**: the two one-platform jobs ` +
      `(\`build --push digest\`, no gate, no tag) and the merge job (\`merge\` with no sources: the two digest files; ` +
      `one index by digest, both platforms scanned, tagged), against one job building both platforms ` +
      `(\`build --platforms linux/amd64,linux/arm64\`, scanned, tagged), who goes first alternating by round. Then the ` +
      `commit is tagged v1.N.0 and checked out, and **promote**: \`promote --source <the two-platform image by ` +
      `digest> --images <registry2> --tags type=semver,pattern={{version}}\` (scan, copy by digest, tag; the promoted ` +
      `digest is checked equal to the built one), the same in its own repository, and the first promote again, ` +
      `against a rebuild of the same commit into registry2 with the same tag rule (both platforms, main's registry ` +
      `cache warm for this very commit). In the lab both platforms' jobs run one after the other on one 2-core ` +
      `machine and linux/arm64 is emulated by QEMU: the distributed wall time (the slower platform plus the merge) ` +
      `is what two runners would take, each native platform's job being no slower than the emulated one here. ` +
      `**qemu**: what a runner per platform saves, measured on this machine: the same one-platform job ` +
      `(\`build --push digest\`, \`--cache none\`) of a Dockerfile whose build step is all CPU (busybox hashing ` +
      `2 × 128 MiB), for ${NATIVE} (native) and for the other platform (QEMU's user-mode emulation).`,
    scenarios,
    notes: [
      `Load average (1 min) at the start and after each round: ${load.map((value) => value.toFixed(1)).join(', ')}, ` +
        `on ${cpus().length} cores shared with other work.`,
    ],
  };
}
