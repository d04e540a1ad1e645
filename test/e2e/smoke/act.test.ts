import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoFromFixture } from '../helpers/repo.js';
import { runAct } from '../helpers/act.js';
import type { RunResult } from '../helpers/run.js';

describe('act runs local JavaScript actions on the host', () => {
  let repo = '';
  let result: RunResult;

  beforeAll(async () => {
    repo = await repoFromFixture('act-js-action');
    result = await runAct(repo, '.github/workflows/smoke.yml');
  });

  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
  });

  it('succeeds', () => {
    expect(result.stdout).toContain('Job succeeded');
    expect(result.code).toBe(0);
  });

  it('runs node24 and node20 actions with the host Node.js', () => {
    expect(result.stdout).toMatch(/main ran on node v\d+/);
    expect(result.stdout.match(/main ran on node/g)).toHaveLength(2);
  });

  it("passes each action's output to a later step", () => {
    expect(result.stdout).toContain('outputs <hello node24> <hello node20>');
  });

  it('runs the post step with the state main saved', () => {
    expect(result.stdout).toContain('post ran for node24');
  });
});
