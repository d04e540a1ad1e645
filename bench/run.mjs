// `npm run bench`: runs the benchmark suites in the lab, one session on one machine, and writes bench/results.json,
// an SVG chart per suite (docs/bench-*.svg) and docs/benchmarks.md. Not a test: nothing here asserts a figure.
//   npm run bench                  every suite, the default number of runs
//   npm run bench -- --runs 3      fewer runs
//   npm run bench -- --only cache  one suite; the others keep their recorded results
//   npm run bench -- --no-lab-up   the lab is up already (a shared machine whose lab someone else brought up)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { buildersSuite } from './builders.mjs';
import { cacheSuite } from './cache.mjs';
import { contendersSuite } from './contenders.mjs';
import { distributedSuite } from './distributed.mjs';
import { measuresSuite } from './measures.mjs';
import { barChart } from './chart.mjs';
import { ROOT, labEnv } from './lib.mjs';
import { renderMarkdown } from './report.mjs';

// measures first: start-up is timed on a quiet machine, not in the wake of the build suites' builders and pushes.
const SUITES = {
  measures: measuresSuite,
  cache: cacheSuite,
  contenders: contendersSuite,
  distributed: distributedSuite,
  builders: buildersSuite,
};

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
}

const runs = Number(option('runs', '5'));
const only = option('only', undefined);
const started = Date.now();
const log = (line) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}`);

const renderOnly = process.argv.includes('--render');
if (!renderOnly && !process.argv.includes('--no-lab-up'))
  execFileSync('bash', [join(ROOT, 'test/lab/lab.sh'), 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
const lab = renderOnly ? {} : labEnv();
const resultsFile = join(ROOT, 'bench', 'results.json');
const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : { suites: {} };

const version = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return 'unknown';
  }
};
const results = renderOnly
  ? previous
  : {
      session: new Date().toISOString(),
      machine: {
        cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
        memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
        node: process.version,
      },
      tools: {
        docker: version('docker', ['version', '--format', '{{.Server.Version}}']),
        buildx: version('docker', ['buildx', 'version']),
        buildkit: lab.LAB_BUILDKIT_VERSION ?? lab.LAB_BUILDKIT_IMAGE,
        trivy: version('trivy', ['--version']),
      },
      suites: { ...previous.suites },
    };

for (const [id, suite] of Object.entries(SUITES)) {
  if (renderOnly || (only !== undefined && only !== id)) continue;
  log(`suite ${id}: ${runs} runs`);
  results.suites[id] = { ...(await suite(lab, runs, log)), session: results.session };
}

if (!renderOnly) {
  // How long this invocation took, and whether it ran every suite (then every figure is of this one session).
  results.invocation = {
    seconds: Math.round((Date.now() - started) / 1000),
    suites: only === undefined ? 'all' : only,
    runs,
  };
}
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
for (const suite of Object.values(results.suites)) {
  const row = (scenario) => ({
    label: scenario.title,
    median: scenario.seconds.median,
    min: scenario.seconds.min,
    max: scenario.seconds.max,
    color: scenario.color,
  });
  if (suite.groups !== undefined) {
    // one chart per comparison: building again, and the digest between jobs
    for (const [group, title] of Object.entries(suite.groups)) {
      const rows = suite.scenarios
        .filter((scenario) => scenario.group === group)
        .map((scenario) => ({ ...row(scenario), label: scenario.label ?? scenario.title }));
      if (rows.length > 0) writeFileSync(join(ROOT, 'docs', `bench-${suite.id}-${group}.svg`), barChart(title, rows));
    }
  } else if (suite.id === 'contenders') {
    // one chart per scenario, the contenders side by side
    for (const group of [...new Set(suite.scenarios.map((scenario) => scenario.group))]) {
      const rows = suite.scenarios
        .filter((scenario) => scenario.group === group)
        .map((scenario) => ({
          ...row(scenario),
          label: scenario.name.split('/')[1],
        }));
      const title = suite.scenarios.find((scenario) => scenario.group === group).title.replace(/: [^:]*$/, '');
      writeFileSync(join(ROOT, 'docs', `bench-${suite.id}-${group}.svg`), barChart(title, rows));
    }
  } else if (suite.scenarios.length > 0) {
    writeFileSync(join(ROOT, 'docs', `bench-${suite.id}.svg`), barChart(suite.title, suite.scenarios.map(row)));
  }
}
const analysisFile = join(ROOT, 'bench', 'analysis.md');
writeFileSync(
  join(ROOT, 'docs', 'benchmarks.md'),
  renderMarkdown(results, existsSync(analysisFile) ? readFileSync(analysisFile, 'utf8') : undefined),
);
log(`done: bench/results.json, docs/benchmarks.md`);
