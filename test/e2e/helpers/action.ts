import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST } from './pipeline.js';
import { must, run, type RunResult } from './run.js';

/** A GitHub event, as the runner describes it to a step. */
export interface GithubEvent {
  /** `push`, `pull_request`, `schedule`, ... */
  name: string;
  /** GITHUB_REF: `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/7/merge` */
  ref: string;
  /** the event payload (GITHUB_EVENT_PATH's file); `{}` when not given */
  payload?: Record<string, unknown>;
}

export interface ActionRun {
  /** the main step */
  main: RunResult;
  /** the post step (GitHub runs it with the state main saved, whatever main's outcome) */
  post: RunResult;
  /** what main wrote to GITHUB_OUTPUT */
  outputs: Record<string, string>;
  /** what main wrote to GITHUB_STEP_SUMMARY */
  summary: string;
}

/** `name<<DELIMITER\nvalue\nDELIMITER` entries of a GITHUB_OUTPUT or GITHUB_STATE file. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const end = lines.indexOf(match[2], i + 1);
    if (end < 0) throw new Error(`unterminated value of ${match[1]}`);
    values[match[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return values;
}

/**
 * Runs dist/ as the GitHub Action runs it (`node dist/index.js` with GITHUB_ACTIONS=true, no arguments), in `repo` as
 * the workspace, main step then post step, with the runner's files (outputs, state, summary) and an event of `event`.
 * `env` adds to (or, with undefined, removes from) this process's environment: the INPUT_ variables among others.
 * GitHub's API is pointed at an address that refuses at once unless `env` says otherwise.
 */
export async function runAction(
  repo: string,
  event: GithubEvent,
  env: Record<string, string | undefined>,
  timeoutMs = 600_000,
): Promise<ActionRun> {
  const runnerDir = mkdtempSync(join(tmpdir(), 'e2e-action-runner-'));
  try {
    const file = (name: string) => join(runnerDir, name);
    for (const name of ['output', 'state', 'summary', 'env', 'path']) writeFileSync(file(name), '');
    writeFileSync(file('event.json'), JSON.stringify(event.payload ?? {}));
    const sha = (await must('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();
    const base: Record<string, string | undefined> = {
      ...process.env,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_EVENT_NAME: event.name,
      GITHUB_REF: event.ref,
      GITHUB_SHA: sha,
      GITHUB_REPOSITORY: 'example/hello-app',
      GITHUB_REPOSITORY_OWNER: 'example',
      GITHUB_ACTOR: 'e2e',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'http://127.0.0.1:9',
      GITHUB_WORKSPACE: repo,
      GITHUB_EVENT_PATH: file('event.json'),
      GITHUB_OUTPUT: file('output'),
      GITHUB_STATE: file('state'),
      GITHUB_STEP_SUMMARY: file('summary'),
      GITHUB_ENV: file('env'),
      GITHUB_PATH: file('path'),
      RUNNER_TEMP: runnerDir,
      RUNNER_OS: 'Linux',
      ...env,
    };
    const clean = (vars: Record<string, string | undefined>): NodeJS.ProcessEnv =>
      Object.fromEntries(Object.entries(vars).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const main = await run('node', [DIST], { cwd: repo, env: clean(base), timeoutMs });
    const state = parseFileCommands(readFileSync(file('state'), 'utf8'));
    const stateVars = Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
    const post = await run('node', [DIST], { cwd: repo, env: clean({ ...base, ...stateVars }), timeoutMs });
    return {
      main,
      post,
      outputs: parseFileCommands(readFileSync(file('output'), 'utf8')),
      summary: readFileSync(file('summary'), 'utf8'),
    };
  } finally {
    rmSync(runnerDir, { recursive: true, force: true });
  }
}
