// Issue 5's figures: the registry cache on an ephemeral runner. Each run of docker-build creates a new builder, as a
// fresh CI runner would, so only the registry cache carries layers from one run to the next.
//   1 cold      a new image and cache repository: nothing cached
//   2 source    a source-only change on main: the dependency stage comes from main's cache
//   3 branch    the first build of a new branch, after another source change: warm from main's cache
import { DIST, changeSource, git, must, projectRepo, stats, unique } from './lib.mjs';

export async function cacheSuite(lab, runs, log) {
  const inputs = {
    'INPUT_BUILDKIT-IMAGE': lab.LAB_BUILDKIT_IMAGE,
    'INPUT_DRIVER-OPTS': 'network=host',
    'INPUT_BUILD-ARGS': `BASE=${lab.LAB_BASE_IMAGE}`,
    INPUT_REGISTRY: lab.LAB_REGISTRY,
    INPUT_USERNAME: lab.LAB_REGISTRY_USER,
    INPUT_PASSWORD: lab.LAB_REGISTRY_PASSWORD,
  };
  const times = { cold: [], source: [], branch: [] };
  const cached = { cold: [], source: [], branch: [] };
  for (let run = 1; run <= runs; run++) {
    const repo = await projectRepo();
    const image = `${lab.LAB_REGISTRY}/bench/${unique('cache')}`;
    const build = async (scenario) => {
      const result = await must(
        'node',
        [DIST, 'build', '--images', image, '--tags', 'type=ref,event=branch', '--platforms', 'linux/amd64'],
        { cwd: repo, env: { ...inputs, INPUT_CACHE: 'registry', INPUT_SCAN: 'false' } },
      );
      const cache = JSON.parse(JSON.parse(result.stdout).cache);
      times[scenario].push(result.seconds);
      cached[scenario].push(cache.cached);
      log(
        `cache run ${run}/${runs} ${scenario}: ${result.seconds.toFixed(2)} s, ${cache.cached}/${cache.steps} steps cached`,
      );
    };
    await build('cold');
    await changeSource(repo, `version ${run}.2`);
    await build('source');
    await git(repo, 'checkout', '-q', '-b', `feature/bench-${run}`);
    await changeSource(repo, `version ${run}.3`);
    await build('branch');
  }
  const cold = stats(times.cold);
  const scenario = (name, title, key) => ({
    name,
    title,
    seconds: stats(times[key]),
    ratio: stats(times[key]).median / cold.median,
    cachedSteps: stats(cached[key]),
  });
  return {
    id: 'cache',
    title: 'Layer cache on an ephemeral runner (issue 5)',
    method:
      `The reference project (bench/project: a 40 MiB dependency stage taking 5 s, a build step, a small runtime stage), ` +
      `built for linux/amd64 by \`node dist/index.js build --cache registry --scan false\`; every run creates a new ` +
      `builder, so only the registry cache carries layers. ${runs} rounds, each with a new image and cache repository: ` +
      `1 cold; 2 a source-only change on main; 3 the first build of a new branch after another source change.`,
    scenarios: [
      scenario('cold', '1. cold builder, cold cache', 'cold'),
      scenario('source', '2. new builder, source change on main (registry cache)', 'source'),
      scenario('branch', "3. new builder, first build of a new branch (main's cache)", 'branch'),
    ],
  };
}
