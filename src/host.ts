/**
 * What docker-build reads from the machine it runs on, in one place: the host's platform, whether the Docker engine is
 * this machine's, the Dockerfile's text, Trivy's ignore files. Read before anything happens (a missing or unparsable
 * ignore file is a bad input); everything after works on what these return.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { InputError } from './errors.js';
import { dockerfilePath } from './plan/check.js';

type Env = Readonly<Record<string, string | undefined>>;

/** This machine's platform, as Docker names it. */
export function hostPlatform(arch: string = process.arch): string {
  return `linux/${arch === 'x64' ? 'amd64' : arch}`;
}

/** The Docker engine is this machine's: no DOCKER_HOST, or a unix socket (not a remote or dind engine). */
export function localEngine(env: Env): boolean {
  const host = env.DOCKER_HOST ?? '';
  return process.platform === 'linux' && (host === '' || host.startsWith('unix://'));
}

/**
 * The job has a Docker engine to run containers on: DOCKER_HOST names one (a dind service, a remote engine: trusted to
 * answer), or the default socket is there. Read from the environment and one path, without asking the engine.
 */
export function dockerEngine(env: Env, socketExists: (path: string) => boolean = existsSync): boolean {
  const host = env.DOCKER_HOST ?? '';
  if (host === '') return socketExists('/var/run/docker.sock');
  return host.startsWith('unix://') ? socketExists(host.slice('unix://'.length)) : true;
}

/** The Dockerfile's text, when the context is a directory here and the file is there (else buildx will say why). */
export function readDockerfile(cwd: string, context: string, file: string | undefined): string | undefined {
  if (/^[a-z]+:\/\/|^git@|^-$/i.test(context) || file === '-') return undefined;
  const path = resolve(cwd, dockerfilePath(context, file));
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Trivy's ignore files, absolute: the given ones, or the working directory's `.trivyignore.yaml` or `.trivyignore`.
 * A missing file, a YAML file beside others, or YAML that does not parse is a bad input.
 */
export function ignoreFiles(cwd: string, given: readonly string[]): string[] {
  const files = given.length > 0 ? given.map((file) => resolve(cwd, file)) : defaultIgnoreFile(cwd);
  for (const [index, file] of files.entries()) {
    if (!existsSync(file)) throw new InputError('trivyignores', given[index] ?? file, 'no such file');
  }
  const yaml = files.filter((file) => /\.ya?ml$/.test(file));
  if (yaml.length > 0 && files.length > 1) {
    throw new InputError('trivyignores', given.join(', '), 'a .trivyignore.yaml file must be the only ignore file');
  }
  for (const file of yaml) {
    try {
      parseYaml(readFileSync(file, 'utf8'));
    } catch (error) {
      const line = error instanceof YAMLParseError ? error.linePos?.[0].line : undefined;
      throw new InputError('trivyignores', file, `is not valid YAML${line === undefined ? '' : ` (line ${line})`}`);
    }
  }
  return files;
}

function defaultIgnoreFile(cwd: string): string[] {
  return ['.trivyignore.yaml', '.trivyignore']
    .map((name) => join(cwd, name))
    .filter((file) => existsSync(file))
    .slice(0, 1);
}

/**
 * Merge's `sources`, as references: a line naming an image by digest is kept; a line naming a file here is read (one
 * reference per line, as `push: digest` writes it); a directory gives every file in it, by name. Empty: the files in
 * `<reports-dir>/digests/`, when there are any. An image by tag is kept, for the plan to refuse; a path that is not
 * there is refused here.
 */
export function readSources(cwd: string, sources: readonly string[], defaultDir: string): string[] {
  if (sources.length === 0) {
    const dir = resolve(cwd, defaultDir);
    return existsSync(dir) && statSync(dir).isDirectory() ? digestFiles(dir).flatMap((file) => referencesIn(file)) : [];
  }
  return sources.flatMap((line) => {
    if (line.includes('@')) return [line];
    const path = resolve(cwd, line);
    if (!existsSync(path)) {
      // An image by tag is for the plan to refuse, saying so; anything else was meant as a path.
      if (line.slice(line.lastIndexOf('/') + 1).includes(':')) return [line];
      throw new InputError(
        'sources',
        line,
        'no such file or directory here, and not an image by digest (registry/repository@sha256:...)',
      );
    }
    const files = statSync(path).isDirectory() ? digestFiles(path) : [path];
    const found = files.flatMap((file) => referencesIn(file));
    if (found.length === 0) throw new InputError('sources', line, 'holds no image by digest');
    return found;
  });
}

function digestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => join(dir, entry.name))
    .sort();
}

function referencesIn(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
