// Issue 8: the gated pipeline against the way people do it today, and against the floor, on the reference project.
//   baseline      the blog posts' recipe: buildx build --load, trivy image of the loaded image, buildx build --push
//   floor         the least work with the same guarantees: one build pushed by digest, one trivy run per platform of
//                 the pushed digest, one imagetools create
//   docker-build  the local command, gate on
// All three use the same lab BuildKit image, registry, registry cache settings and a warm Trivy database.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, changeSource, git, must, projectRepo, stats, timed, unique } from './lib.mjs';

const CONTENDERS = ['baseline', 'floor', 'docker-build'];

export async function contendersSuite(lab, runs, log) {
  const config = mkdtempSync(join(tmpdir(), 'bench-docker-config-'));
  const trivyCache = mkdtempSync(join(tmpdir(), 'bench-trivy-cache-'));
  const env = { DOCKER_CONFIG: config };
  await must('docker', ['login', '-u', lab.LAB_REGISTRY_USER, '--password-stdin', lab.LAB_REGISTRY], {
    env,
    input: lab.LAB_REGISTRY_PASSWORD,
  });
  // The database once, for everyone: CI keeps it in a cache (docker-build's daily Actions cache, or the job cache).
  await must(
    'trivy',
    [
      'image',
      '--download-db-only',
      '--quiet',
      `--cache-dir=${trivyCache}`,
      `--db-repository=${lab.LAB_TRIVY_DB_REPOSITORY}`,
    ],
    { env },
  );

  const times = {};
  const record = (scenario, contender, seconds) => {
    times[scenario] ??= {};
    (times[scenario][contender] ??= []).push(seconds);
  };
  const base = `BASE=${lab.LAB_BASE_IMAGE}`;
  const builderArgs = (name) => [
    'buildx',
    'create',
    '--name',
    name,
    '--driver',
    'docker-container',
    '--driver-opt',
    `image=${lab.LAB_BUILDKIT_IMAGE}`,
    '--driver-opt',
    'network=host',
    '--bootstrap',
  ];
  const cacheFlags = (image, key) => [
    `--cache-from=type=registry,ref=${image}/cache:${key}`,
    `--cache-from=type=registry,ref=${image}/cache:main`,
    `--cache-to=type=registry,ref=${image}/cache:${key},mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true`,
  ];
  const trivyArgs = (source) => [
    'image',
    '--quiet',
    '--format=json',
    '--scanners=vuln,secret',
    '--skip-db-update',
    '--skip-version-check',
    `--cache-dir=${trivyCache}`,
    ...source,
  ];

  /** One pipeline of one contender; `builder` undefined: a new builder, created and removed inside the time. */
  async function pipeline(contender, { repo, image, tag, key, platforms, builder }) {
    const started = process.hrtime.bigint();
    const own = builder ?? `bench-${unique('b')}`;
    // Every job logs in, as login-action does (docker-build does it itself, into its private config).
    if (contender !== 'docker-build') {
      await must('docker', ['login', '-u', lab.LAB_REGISTRY_USER, '--password-stdin', lab.LAB_REGISTRY], {
        env,
        input: lab.LAB_REGISTRY_PASSWORD,
      });
    }
    if (contender !== 'docker-build' && builder === undefined) await must('docker', builderArgs(own), { env });
    try {
      if (contender === 'docker-build') {
        await must(
          'node',
          [
            DIST,
            'build',
            '--images',
            image,
            '--tags',
            `type=raw,value=${tag}`,
            '--platforms',
            platforms.join(','),
            '--cache',
            'registry',
            '--cache-scope',
            'bench',
            '--trivy-cache-dir',
            trivyCache,
            // the same guarantees as the others: none of them checks the Dockerfile (the check gate costs ~1 s)
            '--check',
            'false',
            ...(builder === undefined ? [] : ['--builder', builder]),
          ],
          {
            cwd: repo,
            env: {
              'INPUT_BUILDKIT-IMAGE': lab.LAB_BUILDKIT_IMAGE,
              'INPUT_DRIVER-OPTS': 'network=host',
              'INPUT_BUILD-ARGS': base,
              INPUT_REGISTRY: lab.LAB_REGISTRY,
              INPUT_USERNAME: lab.LAB_REGISTRY_USER,
              INPUT_PASSWORD: lab.LAB_REGISTRY_PASSWORD,
              'INPUT_DB-REPOSITORY': lab.LAB_TRIVY_DB_REPOSITORY,
              // where the warm builder was created (buildx keeps builders under BUILDX_CONFIG)
              BUILDX_CONFIG: join(config, 'buildx'),
            },
          },
        );
      } else if (contender === 'baseline') {
        const common = (platform) => [
          'buildx',
          'build',
          `--builder=${own}`,
          '--progress=plain',
          `--build-arg=${base}`,
          `--platform=${platform}`,
          ...cacheFlags(image, key),
        ];
        // Docker cannot load a multi-platform image: one loaded build and one scan per platform, then the push.
        for (const [i, platform] of platforms.entries()) {
          const scanned = `${image}:scan-${tag}-${i}`;
          await must('docker', [...common(platform), '--load', `--tag=${scanned}`, '.'], { cwd: repo, env });
          await must('trivy', trivyArgs(['--image-src=docker', scanned]), { env });
          await must('docker', ['image', 'rm', scanned], { env });
        }
        await must('docker', [...common(platforms.join(',')), '--push', `--tag=${image}:${tag}`, '.'], {
          cwd: repo,
          env,
        });
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
        try {
          const metadata = join(dir, 'metadata.json');
          await must(
            'docker',
            [
              'buildx',
              'build',
              `--builder=${own}`,
              '--progress=plain',
              `--build-arg=${base}`,
              `--platform=${platforms.join(',')}`,
              ...cacheFlags(image, key),
              `--output=type=image,name=${image},push-by-digest=true,name-canonical=true,push=true`,
              `--metadata-file=${metadata}`,
              '.',
            ],
            { cwd: repo, env },
          );
          const digest = JSON.parse(readFileSync(metadata, 'utf8'))['containerimage.digest'];
          const raw = JSON.parse(
            (await must('docker', ['buildx', 'imagetools', 'inspect', '--raw', `${image}@${digest}`], { env })).stdout,
          );
          const manifests = (raw.manifests ?? [{ digest }]).filter((m) => m.platform?.os !== 'unknown');
          for (const manifest of manifests) {
            await must('trivy', trivyArgs(['--image-src=remote', `${image}@${manifest.digest}`]), { env });
          }
          await must(
            'docker',
            ['buildx', 'imagetools', 'create', `--builder=${own}`, `--tag=${image}:${tag}`, `${image}@${digest}`],
            { env },
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    } finally {
      if (contender !== 'docker-build' && builder === undefined)
        await timed('docker', ['buildx', 'rm', '--force', own], { env });
    }
    return Number(process.hrtime.bigint() - started) / 1e9;
  }

  for (let round = 1; round <= runs; round++) {
    // Alternate who goes first, round by round.
    const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round - 1) % CONTENDERS.length]);
    // Chain A: cold, then an ephemeral runner after a source-only change, then the first build of a new branch.
    for (const contender of order) {
      const repo = await projectRepo();
      const image = `${lab.LAB_REGISTRY}/bench/${unique(contender)}`;
      const one = { repo, image, platforms: ['linux/amd64'] };
      const cold = await pipeline(contender, { ...one, tag: 'main', key: 'main' });
      record('cold', contender, cold);
      await changeSource(repo, `version ${round}.2`);
      const ephemeral = await pipeline(contender, { ...one, tag: 'main', key: 'main' });
      record('ephemeral', contender, ephemeral);
      await git(repo, 'checkout', '-q', '-b', 'feature');
      await changeSource(repo, `version ${round}.3`);
      const branch = await pipeline(contender, { ...one, tag: 'feature', key: 'feature' });
      record('branch', contender, branch);
      log(
        `round ${round} ${contender}: cold ${cold.toFixed(1)} s, ephemeral ${ephemeral.toFixed(1)} s, branch ${branch.toFixed(1)} s`,
      );
      rmSync(repo, { recursive: true, force: true });
    }
    // Chain B: a warm builder (kept between runs, as on a self-hosted runner), after a source-only change.
    for (const contender of order) {
      const repo = await projectRepo();
      const image = `${lab.LAB_REGISTRY}/bench/${unique(contender)}`;
      const builder = `bench-${unique('warm')}`;
      await must('docker', builderArgs(builder), { env });
      try {
        const one = { repo, image, platforms: ['linux/amd64'], builder, tag: 'main', key: 'main' };
        await pipeline(contender, one);
        await changeSource(repo, `version ${round}.4`);
        const warm = await pipeline(contender, one);
        record('warm', contender, warm);
        log(`round ${round} ${contender}: warm builder ${warm.toFixed(1)} s`);
      } finally {
        await timed('docker', ['buildx', 'rm', '--force', builder], { env });
        rmSync(repo, { recursive: true, force: true });
      }
    }
    // Chain C: two platforms on an ephemeral runner after a source-only change. A multi-platform image cannot be
    // loaded into Docker, so the baseline does what it would take: a loaded build and a scan per platform.
    for (const contender of order) {
      const repo = await projectRepo();
      const image = `${lab.LAB_REGISTRY}/bench/${unique(contender)}`;
      const two = { repo, image, platforms: ['linux/amd64', 'linux/arm64'], tag: 'main', key: 'main' };
      await pipeline(contender, two);
      await changeSource(repo, `version ${round}.5`);
      const seconds = await pipeline(contender, two);
      record('two-platforms', contender, seconds);
      log(`round ${round} ${contender}: two platforms ${seconds.toFixed(1)} s`);
      rmSync(repo, { recursive: true, force: true });
    }
  }
  rmSync(config, { recursive: true, force: true });
  rmSync(trivyCache, { recursive: true, force: true });

  const TITLES = {
    cold: 'cold builder, cold cache',
    warm: 'warm builder, source change',
    ephemeral: 'ephemeral runner (new builder, registry cache), source change',
    branch: 'first build of a new branch (new builder)',
    'two-platforms': 'two platforms, ephemeral runner, source change',
  };
  const COLORS = { baseline: '#b0b0b0', floor: '#7aa6c2', 'docker-build': '#2f6f9f' };
  const scenarios = [];
  for (const [scenario, byContender] of Object.entries(times)) {
    for (const contender of CONTENDERS) {
      const values = byContender[contender];
      if (values === undefined) continue;
      const s = stats(values);
      const ref = (name) => (byContender[name] === undefined ? undefined : stats(byContender[name]).median);
      scenarios.push({
        name: `${scenario}/${contender}`,
        group: scenario,
        title: `${TITLES[scenario]}: ${contender}`,
        color: COLORS[contender],
        seconds: s,
        vsBaseline: ref('baseline') === undefined ? undefined : s.median / ref('baseline'),
        vsFloor: ref('floor') === undefined ? undefined : s.median / ref('floor'),
        vsCold: scenario === 'cold' ? undefined : s.median / stats(times.cold[contender]).median,
      });
    }
  }
  return {
    id: 'contenders',
    title: 'The gated pipeline against the baseline and the floor (issue 8)',
    method:
      `The reference project (bench/project), ${runs} rounds in one session, the contenders alternating (who goes ` +
      `first rotates each round). Every contender uses the lab BuildKit image, the lab registry, the same registry ` +
      `cache settings (mode=max, image manifests) and a Trivy database downloaded once before (as a CI cache gives ` +
      `it); every job logs in to the registry (the baseline and the floor with \`docker login --password-stdin\`, as ` +
      `login-action does); every contender scans with vuln,secret. baseline: \`buildx build --load\`, \`trivy image\` of the loaded ` +
      `image, \`buildx build --push\` (a cache hit). floor: one \`buildx build\` pushed by digest, one \`trivy image\` ` +
      `per platform of the pushed digest, one \`imagetools create\`. docker-build: \`node dist/index.js build\` with ` +
      `\`--check false\` (no other contender checks the Dockerfile), its platforms scanned two at a time. ` +
      `Cold and ephemeral scenarios include creating and removing the builder; the warm one reuses a builder.`,
    scenarios,
    notes: [
      'Two platforms: Docker cannot `--load` a multi-platform image, so the recipe as written fails; the baseline ' +
        'figure is what it takes instead: one `--load` build and one scan per platform, then the push build of both ' +
        '(which still does not scan what is pushed: the pushed index is another build result).',
    ],
  };
}
