import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CleanupStack } from '../../../src/pipeline/cleanup.js';
import { testStep as newStep } from '../helpers/step.js';

/** testStep's directories, removed after each test. */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function testStep(...args: Parameters<typeof newStep>): ReturnType<typeof newStep> {
  const made = newStep(...args);
  dirs.push(made.dir);
  return made;
}

describe('the cleanup stack', () => {
  it("removes the test gate's containers, with the run's Docker config, and survives one already gone", async () => {
    const { dir, step } = testStep('cleanup-', { standIns: true });
    writeFileSync(
      join(dir, 'docker'),
      ['#!/bin/sh', `echo "$* DOCKER_CONFIG=$DOCKER_CONFIG" >>${join(dir, 'calls')}`, 'exit 1', ''].join('\n'),
    );
    chmodSync(join(dir, 'docker'), 0o755);
    const saved: string[] = [];
    const stack = new CleanupStack([], (serialized) => saved.push(serialized));
    stack.push({ kind: 'container', name: 'docker-build-test-0a1b2c3d-1', env: { DOCKER_CONFIG: '/run/private' } });
    // what GitHub's post step reads back after a cancelled main step
    const restored = CleanupStack.parse(saved.at(-1) ?? '');
    expect(await restored.unwind(step.runner)).toEqual([]);
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toBe(
      'container rm --force --volumes docker-build-test-0a1b2c3d-1 DOCKER_CONFIG=/run/private\n',
    );
    expect(restored.size).toBe(0);
  });
});
