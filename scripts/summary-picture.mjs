// The picture of a job summary in docs/: a real run's GitHub job summary (a gate that fails on one platform), its
// markdown rendered to HTML as GitHub shows it, screenshotted by headless Chromium. Made on demand, not in CI.
//
// Usage:
//   npm run build && node scripts/summary-picture.mjs        runs the lab scenario first (the lab must be up)
//   node scripts/summary-picture.mjs --summary FILE.md       renders a job summary you already have
// Options: --out FILE (default docs/job-summary.png), --html FILE (also keep the rendered page), --width PX (900).
//
// The scenario is test/e2e/pipeline/scan-vuln.test.ts's "as the GitHub Action" run: dist/ as the Action's main and
// post steps, the vuln-app fixture built for linux/amd64 and linux/arm64 (only arm64 gets the vulnerable packages),
// pushed to the lab registry and scanned with the lab's fixture vulnerability database.
// Chromium is Debian's (`apt-get install -y chromium`); as root it runs without its sandbox, in a fresh profile, with
// networking, updates and sync off: the page it opens is a local file that loads nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { marked } from 'marked';

const ROOT = new URL('..', import.meta.url).pathname;

const { values } = parseArgs({
  options: {
    summary: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'docs', 'job-summary.png') },
    html: { type: 'string' },
    width: { type: 'string', default: '900' },
  },
});

/** `bash test/lab/lab.sh env`'s `export NAME=VALUE` lines (values are hosts, paths and hex passwords). */
function labEnv() {
  const text = execFileSync('bash', [join(ROOT, 'test/lab/lab.sh'), 'env'], { encoding: 'utf8' });
  return Object.fromEntries(
    [...text.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)].map(([, name, value]) => [name, value.replace(/\\(.)/g, '$1')]),
  );
}

/** GITHUB_STATE's `name<<DELIMITER` entries, as STATE_name variables for the post step. */
function stateVariables(text) {
  const vars = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (match === null) continue;
    const end = lines.indexOf(match[2], i + 1);
    vars[`STATE_${match[1]}`] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return vars;
}

/** Runs the lab scenario as the GitHub Action and returns the job summary it wrote. */
function labSummary() {
  const lab = labEnv();
  const repo = mkdtempSync(join(tmpdir(), 'summary-picture-repo-'));
  const runner = mkdtempSync(join(tmpdir(), 'summary-picture-runner-'));
  try {
    cpSync(join(ROOT, 'test/e2e/fixtures/vuln-app'), repo, { recursive: true });
    const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '--quiet', '--initial-branch=main');
    git('add', '--all');
    git('-c', 'user.name=docs', '-c', 'user.email=docs@example.invalid', 'commit', '--quiet', '-m', 'vuln-app');
    const file = (name) => join(runner, name);
    for (const name of ['output', 'state', 'summary', 'env', 'path']) writeFileSync(file(name), '');
    writeFileSync(file('event.json'), '{}');
    const env = {
      ...process.env,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim(),
      GITHUB_REPOSITORY: 'example/vuln-app',
      GITHUB_REPOSITORY_OWNER: 'example',
      GITHUB_SERVER_URL: 'https://github.com',
      // No API to ask about the repository: the payload's facts are used.
      GITHUB_API_URL: 'http://127.0.0.1:9',
      GITHUB_WORKSPACE: repo,
      GITHUB_EVENT_PATH: file('event.json'),
      GITHUB_OUTPUT: file('output'),
      GITHUB_STATE: file('state'),
      GITHUB_STEP_SUMMARY: file('summary'),
      GITHUB_ENV: file('env'),
      GITHUB_PATH: file('path'),
      RUNNER_TEMP: runner,
      RUNNER_OS: 'Linux',
      INPUT_IMAGES: `${lab.LAB_REGISTRY}/docs/vuln-app`,
      INPUT_TAGS: 'type=ref,event=branch',
      INPUT_PLATFORMS: 'linux/amd64,linux/arm64',
      'INPUT_BUILD-ARGS': `BASE=${lab.LAB_BASE_IMAGE}\nPACKAGES=all\nARM64_ONLY=true`,
      'INPUT_BUILDKIT-IMAGE': lab.LAB_BUILDKIT_IMAGE,
      'INPUT_DRIVER-OPTS': 'network=host',
      INPUT_REGISTRY: lab.LAB_REGISTRY,
      INPUT_USERNAME: lab.LAB_REGISTRY_USER,
      INPUT_PASSWORD: lab.LAB_REGISTRY_PASSWORD,
      'INPUT_DB-REPOSITORY': lab.LAB_TRIVY_DB_REPOSITORY,
      'INPUT_TRIVY-CACHE-DIR': join(runner, 'trivy'),
      'INPUT_REPORTS-DIR': join(runner, 'reports'),
    };
    const action = (extra) =>
      spawnSync(process.execPath, [join(ROOT, 'dist/index.js')], {
        cwd: repo,
        env: { ...env, ...extra },
        encoding: 'utf8',
        timeout: 900_000,
      });
    console.error('running the lab scenario as the GitHub Action (a few minutes under QEMU)...');
    const main = action({});
    writeFileSync(file('main.log'), main.stdout + main.stderr);
    const post = action(stateVariables(readFileSync(file('state'), 'utf8')));
    if (main.status !== 1 || post.status !== 0) {
      process.stderr.write(main.stdout.split('\n').slice(-40).join('\n'));
      throw new Error(`expected the gate to fail (main exit 1, post exit 0), got ${main.status} and ${post.status}`);
    }
    return readFileSync(file('summary'), 'utf8');
  } finally {
    rmSync(repo, { recursive: true, force: true });
    rmSync(runner, { recursive: true, force: true });
  }
}

// GitHub's rendering of markdown in a job summary, written for this picture: its system font stack, its greys and
// borders, striped tables, code on a tinted ground. One deviation: a code block wraps, where GitHub scrolls it.
const CSS = `
  body { margin: 0; padding: 24px; background: #f6f8fa; color: #1f2328;
    font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, "Liberation Sans",
      "DejaVu Sans", sans-serif; }
  .card { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
  .card > header { padding: 12px 16px; border-bottom: 1px solid #d0d7de; font-weight: 600; }
  .card > header span { color: #59636e; font-weight: 400; }
  .markdown-body { padding: 16px 24px 24px; }
  .markdown-body > :first-child { margin-top: 0; }
  h2, h3, h4 { margin: 24px 0 16px; font-weight: 600; line-height: 1.25; }
  h2 { font-size: 1.5em; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0b3; }
  h3 { font-size: 1.25em; }
  h4 { font-size: 1em; }
  p, table, pre, ul { margin: 0 0 16px; }
  a { color: #0969da; text-decoration: none; }
  code, pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono",
    "DejaVu Sans Mono", monospace; font-size: 85%; }
  code { padding: .2em .4em; background: #818b981f; border-radius: 6px; }
  pre { padding: 16px; background: #f6f8fa; border-radius: 6px; line-height: 1.45; white-space: pre-wrap;
    word-break: break-all; }
  pre code { padding: 0; background: transparent; font-size: 100%; }
  table { border-spacing: 0; border-collapse: collapse; display: block; width: max-content; max-width: 100%;
    overflow: auto; }
  th, td { padding: 6px 13px; border: 1px solid #d1d9e0; }
  th { font-weight: 600; }
  tr { background: #fff; border-top: 1px solid #d1d9e0b3; }
  tr:nth-child(2n) { background: #f6f8fa; }
  strong { font-weight: 600; }
`;

function page(markdown) {
  const body = marked.parse(markdown, { gfm: true, async: false });
  // The page measures itself: `--dump-dom` shows the height, the screenshot is taken at it.
  const measure =
    'addEventListener("load", () => document.body.setAttribute("data-height", document.documentElement.scrollHeight))';
  return `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head><body>
<div class="card"><header>build summary <span>(docker-build, a failed scan gate)</span></header>
<div class="markdown-body">${body}</div></div><script>${measure}</script></body></html>`;
}

function chromium(profile, ...args) {
  return execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000 },
  );
}

const markdown = values.summary === undefined ? labSummary() : readFileSync(values.summary, 'utf8');
const work = mkdtempSync(join(tmpdir(), 'summary-picture-'));
try {
  const html = join(work, 'summary.html');
  writeFileSync(html, page(markdown));
  if (values.html !== undefined) writeFileSync(values.html, page(markdown));
  const width = Number(values.width);
  const dom = chromium(join(work, 'profile-measure'), `--window-size=${width},1000`, '--dump-dom', `file://${html}`);
  const height = Number(/data-height="(\d+)"/.exec(dom)?.[1]);
  if (!(height > 0)) throw new Error('chromium did not report the page height');
  const out = resolve(values.out);
  chromium(
    join(work, 'profile-shot'),
    `--window-size=${width},${height}`,
    '--force-device-scale-factor=2',
    `--screenshot=${out}`,
    `file://${html}`,
  );
  console.log(`${out}: ${width * 2}x${height * 2} px, from a summary of ${markdown.length} characters`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
