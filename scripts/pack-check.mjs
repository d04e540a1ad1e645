// The npm package as a user gets it: `npm pack` of the built dist/, the tarball's file list checked against package.json's
// `files`, installed with `npm install -g --offline` into a throwaway prefix (so it needs nothing from the registry),
// then the installed `docker-build` runs `--version` and `plan` in a throwaway git repository on Node 20 and Node 24,
// found by PATH as a user's shell finds it, with no node_modules/ but the package's own anywhere above it.
// Run by .ci/run after the build; alone: `npm run build && npm run test:package`.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';

const root = new URL('../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const command = Object.keys(pkg.bin)[0];
const work = mkdtempSync(join(tmpdir(), 'docker-build-pack-'));

function fail(message) {
  throw new Error(message);
}

function run(file, args, options = {}) {
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
      ...options,
    });
  } catch (error) {
    fail(`${[file, ...args].join(' ')} failed (exit ${error.status}):\n${error.stderr ?? ''}${error.stdout ?? ''}`);
  }
}

try {
  // 1. The tarball holds what `files` lists and nothing else: no src/, test/, bench/ or node_modules/.
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root }));
  const paths = packed.files.map((file) => file.path);
  const listed = (path) =>
    path === 'package.json' ||
    pkg.files.some((entry) => (entry.endsWith('/') ? path.startsWith(entry) : path === entry));
  const stray = paths.filter((path) => !listed(path) || /^(src|test|bench|node_modules)\//.test(path));
  if (stray.length > 0) fail(`the tarball holds ${stray.length} files no user needs: ${stray.slice(0, 5).join(', ')}`);
  // and everything `files` lists that the repository has (LICENSE and CHANGELOG.md may not exist yet on a branch)
  const tracked = run('git', ['ls-files', '--', ...pkg.files], { cwd: root })
    .split('\n')
    .filter(Boolean);
  const missing = tracked.filter((path) => !paths.includes(path));
  if (missing.length > 0) fail(`the tarball lacks ${missing.join(', ')}`);
  if (!paths.includes(pkg.bin[command])) fail(`the tarball lacks the command's script ${pkg.bin[command]}`);

  // 2. Installed offline into a prefix of its own: the package needs nothing but itself. (The log level is given, as
  // `npm run -s` hands its own `silent` down, which would hide why an install failed.)
  const prefix = join(work, 'prefix');
  const install = [
    'install',
    '--global',
    '--offline',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    '--prefix',
    prefix,
  ];
  run('npm', [...install, join(work, packed.filename)], { cwd: work });
  const [scope] = pkg.name.split('/');
  const installed = join(prefix, 'lib', 'node_modules', pkg.name);
  const modules = readdirSync(join(prefix, 'lib', 'node_modules'));
  if (modules.join() !== scope) fail(`the install brought other packages: ${modules.join(', ')}`);
  if (existsSync(join(installed, 'node_modules'))) fail(`the install brought dependencies: ${installed}/node_modules`);
  for (let dir = work; dir !== parse(dir).root; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) fail(`${dir}/node_modules could lend the command a package it lacks`);
  }
  const bin = join(prefix, 'bin', command);
  if (!lstatSync(bin).isSymbolicLink()) fail(`${bin} is not the link npm makes to ${pkg.bin[command]}`);

  // 3. A throwaway repository on branch main, one commit: plan's default tag is the branch.
  const repo = join(work, 'repo');
  mkdirSync(repo);
  const git = (...args) =>
    run('git', ['-c', 'user.name=pack', '-c', 'user.email=pack@example.invalid', ...args], { cwd: repo });
  git('init', '-q', '-b', 'main');
  git('commit', '-q', '--allow-empty', '-m', 'pack-check');

  // 4. The command, by name, on the Node running this script (20 in CI) and on Node 24, in an environment of nothing
  // but PATH and HOME (no CI variables: the command would take itself for the action): the bin's `#!/usr/bin/env node`
  // takes the first node on PATH.
  const node24 = run('bash', [join(root, 'scripts', 'node24.sh')]).trim();
  const ran = [];
  for (const node of [process.execPath, node24]) {
    const env = {
      PATH: [dirname(node), join(prefix, 'bin'), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      HOME: work,
    };
    const nodeVersion = run('node', ['--version'], { env }).trim();
    const version = run(command, ['--version'], { env, cwd: work }).trim();
    if (version !== pkg.version)
      fail(`Node ${nodeVersion}: ${command} --version printed '${version}', want '${pkg.version}'`);
    const plan = JSON.parse(
      run(command, ['plan', '--images', 'registry.example.com/app', '--push', 'false'], { env, cwd: repo }),
    );
    const want = ['registry.example.com/app:main'];
    if (JSON.stringify(plan.tags) !== JSON.stringify(want) || plan.dockerBuild !== pkg.version) {
      fail(`Node ${nodeVersion}: ${command} plan gave tags ${JSON.stringify(plan.tags)} (version ${plan.dockerBuild})`);
    }
    ran.push(nodeVersion);
  }
  const kB = (bytes) => `${Math.round(bytes / 1e3)} kB`;
  console.log(
    `${packed.filename}: ${paths.length} files, ${kB(packed.size)} packed, ${kB(packed.unpackedSize)} unpacked; ` +
      `installed offline with no dependency; ${command} --version and plan ran on Node ${ran.join(' and ')}`,
  );
} catch (error) {
  console.error(`pack-check: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
