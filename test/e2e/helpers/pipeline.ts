import { INPUTS } from '../../../src/inputs/table.js';
import type { LabEnv } from './lab-env.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { run, type RunResult } from './run.js';

/** The bundle under test: docker-build as users run it. */
export const DIST = new URL('../../../dist/index.js', import.meta.url).pathname;

/**
 * Inputs that point docker-build at the lab: its BuildKit image on the host network (the registry is on loopback),
 * the two-platform base image, and the lab registry's credentials. As INPUT_ variables: never on a command line.
 */
export function labInputs(lab: LabEnv): Record<string, string> {
  return {
    'INPUT_BUILDKIT-IMAGE': lab.buildkitImage,
    'INPUT_DRIVER-OPTS': 'network=host',
    'INPUT_BUILD-ARGS': `BASE=${lab.baseImage}`,
    INPUT_REGISTRY: lab.registry,
    INPUT_USERNAME: lab.registryUser,
    INPUT_PASSWORD: lab.registryPassword,
    // Trivy's vulnerability database comes from the lab registry: the fixture database, published as the real one is.
    'INPUT_DB-REPOSITORY': lab.trivyDbRepository,
  };
}

/**
 * The local command's inputs, as a workflow's `with:` holds them: name → value. A list is the flag repeated, one line
 * each (`--tags a --tags b`, as the command line reads it); a boolean is `true` or `false`.
 */
export type LocalInputs = Readonly<Record<string, string | boolean | readonly string[]>>;

/**
 * The local command's argv after `node`: the bundle, the command, then one `--name value` per input in the order
 * given. An input the table does not hold throws here, so that a typo'd name fails the test rather than passing as
 * the exit 2 of an unknown flag.
 */
export function localArgv(command: 'build' | 'plan' | 'promote' | 'merge', inputs: LocalInputs): string[] {
  const argv = [DIST, command];
  for (const [name, value] of Object.entries(inputs)) {
    if (!INPUTS.some((spec) => spec.name === name)) throw new Error(`localArgv: no input named ${name}`);
    for (const line of lines(value)) argv.push(`--${name}`, line);
  }
  return argv;
}

/** `inputs` with one more line of `name`, as one more `--name value` after the others adds it. */
export function withLine(inputs: LocalInputs, name: string, value: string): LocalInputs {
  const before = inputs[name];
  return { ...inputs, [name]: before === undefined ? value : [...lines(before), value] };
}

function lines(value: LocalInputs[string]): readonly string[] {
  return typeof value === 'boolean' ? [String(value)] : typeof value === 'string' ? [value] : value;
}

export interface LocalOptions {
  command?: 'build' | 'plan' | 'promote' | 'merge';
  /** more variables, over the lab's inputs (`INPUT_REGISTRY: ''` takes one away) */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** the node binary: `node` on PATH unless given */
  node?: string;
}

/**
 * Runs the local command (`build` unless told) in `cwd` with `inputs` as flags and the lab's inputs as INPUT_
 * variables (labInputs): the way every e2e test of the command line runs it.
 */
export function runLocal(
  lab: LabEnv,
  cwd: string,
  inputs: LocalInputs,
  options: LocalOptions = {},
): Promise<RunResult> {
  return run(options.node ?? 'node', localArgv(options.command ?? 'build', inputs), {
    cwd,
    env: { ...process.env, ...labInputs(lab), ...options.env },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}

/** A local command still running: its process, its stderr so far, and its exit code once it ends. */
export interface RunningLocal {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts the local command `build` in `cwd` with `inputs`, as runLocal runs it, and resolves once its stderr holds
 * `marker` (a build step's line): for tests that signal it mid-run.
 */
export async function startLocal(
  lab: LabEnv,
  cwd: string,
  inputs: LocalInputs,
  marker: string,
  env: Record<string, string> = {},
): Promise<RunningLocal> {
  const child = spawn('node', localArgv('build', inputs), {
    cwd,
    env: { ...process.env, ...labInputs(lab), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes(marker)) resolve();
    });
  });
  return { child, stderr: () => stderr, exited };
}

export interface ImageFacts {
  digest: string;
  platforms: string[];
  labels: Record<string, string>;
}

interface ImageConfig {
  config?: { Labels?: Record<string, string> };
}

interface InspectJson {
  manifest?: { digest?: string; manifests?: { digest: string; platform?: { os: string; architecture: string } }[] };
  /** a map platform → config for an index, one config for a single image */
  image?: Record<string, ImageConfig | undefined> & ImageConfig;
}

/** What the registry says about a reference: its digest, its platforms, and the labels of its amd64 image config. */
export function parseInspect(json: string): ImageFacts {
  const data = JSON.parse(json) as InspectJson;
  const manifests = data.manifest?.manifests ?? [];
  const platforms = manifests
    .map((m) => m.platform)
    .filter((p) => p !== undefined && p.os !== 'unknown')
    .map((p) => `${p?.os ?? ''}/${p?.architecture ?? ''}`)
    .sort();
  const config = data.image?.['linux/amd64'] ?? data.image;
  return { digest: data.manifest?.digest ?? '', platforms, labels: config?.config?.Labels ?? {} };
}

/** The tags of a repository on one of the lab registries, from its API (credentials to curl on stdin, -K -). */
export async function registryTags(lab: LabEnv, repository: string): Promise<string[]> {
  const [user, password] = repository.startsWith(`${lab.registry2}/`)
    ? [lab.registry2User, lab.registry2Password]
    : [lab.registryUser, lab.registryPassword];
  const slash = repository.indexOf('/');
  const url = `https://${repository.slice(0, slash)}/v2/${repository.slice(slash + 1)}/tags/list`;
  const result = await run('curl', ['-s', '-K', '-', url], { input: `user = "${user}:${password}"\n` });
  if (result.code !== 0) throw new Error(`curl ${url} exited ${result.code}`);
  return ((JSON.parse(result.stdout) as { tags?: string[] | null }).tags ?? []).sort();
}
