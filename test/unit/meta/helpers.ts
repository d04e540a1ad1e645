/** Fixtures of docker/metadata-action's own tests, read into the shapes githubContext and computeMeta take. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { githubContext, type GithubRepo } from '../../../src/context/github.js';
import type { CiContext } from '../../../src/context/types.js';
import type { MetaOptions } from '../../../src/meta/index.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/metadata-action/fixtures/', import.meta.url));
export const CASES_FILE = fileURLToPath(new URL('../../fixtures/metadata-action/cases.json', import.meta.url));

/** The clock of metadata-action's tests: every read, including commit dates. */
export const CLOCK = new Date('2020-01-10T00:30:00Z');

export interface Case {
  group: string;
  name: string;
  envFile: string;
  inputs: Partial<Record<'images' | 'tags' | 'flavor' | 'labels' | 'annotations', string[]>>;
  version: { main?: string; partial: string[]; latest: boolean };
  tags: string[];
  labels: string[];
  annotations?: string[];
}

export function readCases(): Case[] {
  return JSON.parse(readFileSync(CASES_FILE, 'utf8')) as Case[];
}

/** A `.env` fixture: KEY=VALUE lines, `#` comments skipped. */
export function readEnv(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(FIXTURES, file), 'utf8').split(/\r?\n/)) {
    const at = line.indexOf('=');
    if (line.startsWith('#') || at < 0) continue;
    env[line.slice(0, at)] = line.slice(at + 1);
  }
  return env;
}

/** The payload GITHUB_EVENT_PATH names (`./__tests__/fixtures/X.json` in metadata-action's tree), if any. */
export function readPayload(env: Readonly<Record<string, string | undefined>>): unknown {
  const path = env.GITHUB_EVENT_PATH;
  if (path === undefined || path === '') return undefined;
  const file = join(FIXTURES, basename(path));
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined;
}

export function readRepo(): GithubRepo {
  return JSON.parse(readFileSync(join(FIXTURES, 'repo.json'), 'utf8')) as GithubRepo;
}

/** The context of an env fixture, with the repository API answer of repo.json. */
export function fixtureContext(envFile: string, repo: GithubRepo | undefined = readRepo()): CiContext {
  const env = readEnv(envFile);
  return githubContext(env, readPayload(env), repo, CLOCK);
}

export function options(given: Partial<MetaOptions> = {}): MetaOptions {
  return {
    images: [],
    tags: [],
    flavor: [],
    labels: [],
    annotations: [],
    shaLength: undefined,
    shortShaLengthEnv: undefined,
    prHeadSha: false,
    annotationLevels: [],
    ...given,
  };
}
