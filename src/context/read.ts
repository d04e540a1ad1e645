/**
 * The edge that reads each platform's environment into a CiContext: GitHub's event file and REST API, GitLab's
 * variables, local git. The mappings themselves are pure (github.ts, gitlab.ts, local.ts).
 */
import { readFileSync } from 'node:fs';
import { httpFetch } from '../exec/http.js';
import type { Runner } from '../exec/runner.js';
import { readGitFacts } from './git.js';
import { githubContext, type GithubRepo } from './github.js';
import { gitlabContext } from './gitlab.js';
import { localContext } from './local.js';
import type { CiContext, Platform } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

export function detectPlatform(env: Env): Platform {
  if (env.GITHUB_ACTIONS === 'true') return 'github';
  if (env.GITLAB_CI === 'true') return 'gitlab';
  return 'local';
}

/** `SOURCE_DATE_EPOCH` (reproducible builds) when set, else the clock. */
export function clockReading(env: Env, clock: () => Date = () => new Date()): Date {
  const epoch = env.SOURCE_DATE_EPOCH?.trim();
  if (epoch !== undefined && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return clock();
}

/** The repository's facts from GitHub's API (GitHub Enterprise alike), or undefined with a warning. */
async function fetchGithubRepo(
  env: Env,
  token: string | undefined,
  warn: (m: string) => void,
): Promise<GithubRepo | undefined> {
  const api = env.GITHUB_API_URL ?? 'https://api.github.com';
  const repository = env.GITHUB_REPOSITORY ?? '';
  if (repository === '') return undefined;
  try {
    const response = await httpFetch(`${api}/repos/${repository}`, {
      headers: {
        accept: 'application/vnd.github+json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()) as GithubRepo;
  } catch (error) {
    warn(
      `could not read the repository from ${api} (${error instanceof Error ? error.message : String(error)}): ` +
        'using the event payload for the default branch, description and license',
    );
    return undefined;
  }
}

function readPayload(env: Env): unknown {
  const path = env.GITHUB_EVENT_PATH;
  if (path === undefined || path === '') return {};
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

export interface ContextSources {
  env: Env;
  runner: Runner;
  cwd: string;
  now: Date;
  githubToken: string | undefined;
  warn: (message: string) => void;
}

export async function readContext(platform: Platform, sources: ContextSources): Promise<CiContext> {
  const { env, now } = sources;
  switch (platform) {
    case 'github':
      return githubContext(env, readPayload(env), await fetchGithubRepo(env, sources.githubToken, sources.warn), now);
    case 'gitlab':
      return gitlabContext(env, now);
    case 'local':
      return localContext(await readGitFacts(sources.runner, sources.cwd), now);
  }
}
