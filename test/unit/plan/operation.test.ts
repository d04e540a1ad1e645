// What a run does with an image: build, push one platform by digest, promote or merge; and the inputs that go with it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnvFile } from '../helpers/env-file.js';
import { gitlabContext } from '../../../src/context/gitlab.js';
import type { CiContext } from '../../../src/context/types.js';
import { readSources } from '../../../src/host.js';
import { parseInputs } from '../../../src/inputs/parse.js';
import { inputVariables, rawInputs } from '../../../src/inputs/read.js';
import { operationInputs, planOperation, platformSlug } from '../../../src/plan/operation.js';
import { makePlan } from '../../../src/plan/plan.js';
import { references } from '../../../src/plan/types.js';
import { planJson } from '../../../src/cli/plan-json.js';

const NOW = new Date('2026-11-22T08:00:00Z');
const TOGGLES = { shortShaLength: undefined, prHeadSha: false, annotationLevels: undefined };
const A = `registry.example.com/team/app@sha256:${'a'.repeat(64)}`;
const B = `registry.example.com/team/app@sha256:${'b'.repeat(64)}`;

function inputs(given: Record<string, string>) {
  return parseInputs(
    rawInputs(Object.fromEntries(Object.entries(given).map(([name, value]) => [inputVariables(name)[0], value]))),
  );
}

function plan(ctx: CiContext, given: Record<string, string>, sources?: string[]) {
  const parsed = inputs(given);
  return makePlan({
    dockerConfig: undefined,
    dockerfile: 'FROM registry.other.example/base:1\n',
    ctx,
    inputs: parsed,
    logins: parsed.logins,
    automatic: [],
    toggles: TOGGLES,
    now: NOW,
    builderName: 'b',
    hostPlatform: 'linux/amd64',
    ghaAvailable: false,
    sources,
  });
}

const gitlab = (fixture: string) => gitlabContext(readEnvFile(`gitlab/${fixture}.env`), NOW);

describe('the command and its inputs, checked before anything runs', () => {
  it.each([
    [{ command: 'deploy' }, /Invalid command "deploy": expected one of build, promote, merge/],
    [{ command: 'promote' }, /Invalid source "": promote needs the image to promote, by digest/],
    [
      { command: 'promote', source: 'registry.example.com/team/app:1.0' },
      /Invalid source "registry.example.com\/team\/app:1.0": is an image by tag; give it by digest/,
    ],
    [
      { command: 'promote', source: `registry.example.com/team/app:1.0@sha256:${'a'.repeat(64)}` },
      /drop the tag before @sha256:/,
    ],
    [{ command: 'promote', source: 'registry.example.com/team/app@sha256:abc' }, /64 hexadecimal digits/],
    [{ source: A }, /Invalid source .*: is for command promote, and the command is build/],
    [{ sources: A }, /Invalid sources .*: is for command merge, and the command is build/],
    [{ command: 'merge', source: A }, /is for command promote, and the command is merge/],
    [{ command: 'promote', source: A, push: 'digest' }, /Invalid push "digest": pushes one platform of a build/],
    [
      { command: 'merge', platforms: 'linux/amd64' },
      /Invalid platforms "linux\/amd64": merge takes the platforms of its sources/,
    ],
    [{ command: 'promote', source: A, load: 'true' }, /Invalid load "true": loads a build into the engine/],
    [
      { push: 'digest', platforms: 'linux/amd64,linux/arm64', images: 'r.example/app' },
      /Invalid platforms "linux\/amd64,linux\/arm64": push: digest builds one platform per job/,
    ],
  ])('%j is refused', (given, message) => {
    expect(() => inputs(given)).toThrow(message);
  });

  it('a source on Docker Hub, or with a registry port, is an image by digest too', () => {
    for (const source of [`library/alpine@sha256:${'c'.repeat(64)}`, `localhost:5000/a/b@sha256:${'d'.repeat(64)}`]) {
      expect(inputs({ command: 'promote', source }).source).toBe(source);
    }
  });
});

describe('merge sources', () => {
  const op = (sources: string[]) => planOperation(inputs({ command: 'merge' }), { hostPlatform: 'x', sources });

  it('are one repository, each by digest, none twice', () => {
    expect(op([A, B])).toEqual({ kind: 'merge', sources: [A, B], repository: 'registry.example.com/team/app' });
  });

  it.each([
    [[], /Invalid sources "": merge needs the one-platform images by digest/],
    [[A, A], /Invalid sources ".*aaaa": is given twice/],
    [['registry.example.com/team/app:edge'], /is an image by tag/],
    [['digests/linux-amd64'], /expected an image by digest/],
    [
      [A, `registry.example.com/team/other@sha256:${'e'.repeat(64)}`],
      /Invalid sources ".*other@sha256:e+": is not in registry.example.com\/team\/app, as .* is: every matrix job must push to the same image name/,
    ],
  ])('%j is refused', (sources, message) => {
    expect(() => op(sources)).toThrow(message);
  });

  describe('read from digest files and directories', () => {
    let dir = '';
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const setup = () => {
      dir = mkdtempSync(join(tmpdir(), 'sources-'));
      mkdirSync(join(dir, 'docker-build-reports/digests'), { recursive: true });
      writeFileSync(join(dir, 'docker-build-reports/digests/linux-amd64'), `${A}\n`);
      writeFileSync(join(dir, 'docker-build-reports/digests/linux-arm64'), `${B}\n`);
      writeFileSync(join(dir, 'one'), `# from the amd64 job\n${A}\n`);
      return dir;
    };

    it('none given: every file of the default directory, by name', () => {
      expect(readSources(setup(), [], 'docker-build-reports/digests')).toEqual([A, B]);
    });

    it('a directory, a file and a reference, in the order given; a missing path is refused, an image by tag kept for the plan', () => {
      const cwd = setup();
      expect(readSources(cwd, ['one', 'docker-build-reports/digests', B], 'x')).toEqual([A, A, B, B]);
      expect(() => readSources(cwd, ['nothing-here/'], 'x')).toThrow(
        'Invalid sources "nothing-here/": no such file or directory here, and not an image by digest',
      );
      expect(readSources(cwd, ['registry.example.com/team/app:edge'], 'x')).toEqual([
        'registry.example.com/team/app:edge',
      ]);
      expect(readSources(cwd, [], 'nothing-here')).toEqual([]);
    });

    it('an empty file is an error naming it', () => {
      const cwd = setup();
      writeFileSync(join(cwd, 'empty'), '');
      expect(() => readSources(cwd, ['empty'], 'x')).toThrow('Invalid sources "empty": holds no image by digest');
    });
  });
});

describe('the plan of each command', () => {
  it('push: digest pushes one platform by digest, with no gate and no tag, and names the digest file', () => {
    const result = plan(gitlab('branch-main'), {
      images: 'registry.example.com/team/app',
      platforms: 'linux/arm64',
      push: 'digest',
      tags: 'type=sha',
    });
    expect(result.operation).toEqual({
      kind: 'digest',
      platform: 'linux/arm64',
      digestFile: 'docker-build-reports/digests/linux-arm64',
    });
    expect(result.tags).toEqual([]);
    expect(result.push.push).toBe(true);
    expect(result.build.output).toEqual({ kind: 'push-by-digest', repositories: ['registry.example.com/team/app'] });
    expect([result.check, result.scan, result.test]).toEqual([undefined, undefined, undefined]);
  });

  it('push: digest with no platform names the host platform; with no image it is refused', () => {
    const result = plan(gitlab('branch-main'), { images: 'r.example/app', push: 'digest' });
    expect(result.operation).toMatchObject({
      platform: 'linux/amd64',
      digestFile: 'docker-build-reports/digests/linux-amd64',
    });
    expect(() => plan(gitlab('branch-main'), { push: 'digest' })).toThrow(
      'Invalid push "digest": needs an image in images to push to',
    );
  });

  it('push: digest with no credential says it pushes because push is digest, not because of auto', () => {
    const result = plan(gitlab('branch-main'), { images: 'registry.example.com/team/app', push: 'digest' });
    expect(result.push.blocked).toMatch(
      /^no credential for registry.example.com, and this run pushes there \(push is digest: linux\/amd64 pushed by digest alone, for a merge job\)\. Give one: /,
    );
    expect(result.push.blocked).not.toContain('push: false');
  });

  it('each platform of a matrix keeps its own cache key', () => {
    const key = (platform: string) =>
      plan(gitlab('branch-main'), { images: 'r.example/app', platforms: platform, push: 'digest', cache: 'registry' })
        .cache.writeKey;
    expect(key('linux/amd64')).not.toEqual(key('linux/arm64'));
  });

  it('promote tags the source in its repository by default, with the tag pipeline’s tags; no check, no cache', () => {
    const result = plan(gitlab('tag-v1.2.3'), {
      command: 'promote',
      source: A,
      tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}',
    });
    expect(result.operation).toEqual({ kind: 'promote', source: A });
    expect(references(result.tags)).toEqual(
      expect.arrayContaining(['registry.example.com/team/app:1.2.3', 'registry.example.com/team/app:1.2']),
    );
    expect(result.check).toBeUndefined();
    expect(result.scan).toBeDefined();
    expect(result.cache.kind).toBe('none');
    // The Dockerfile's base images are not the promote's to pull: only the source's registry is in play.
    expect(result.credentials.map((c) => c.registry)).toEqual(['registry.example.com']);
    expect(planJson(result).build).toBeNull();
  });

  it('promote into another registry logs in to both', () => {
    const result = plan(gitlab('tag-v1.2.3'), {
      command: 'promote',
      source: A,
      images: 'registry2.example.com/prod/app',
    });
    expect(result.tags[0]?.repository).toBe('registry2.example.com/prod/app');
    expect(result.credentials.map((c) => [c.registry, c.push])).toEqual([
      ['registry2.example.com', true],
      ['registry.example.com', false],
    ]);
  });

  it('merge takes the sources the edge read, and tags their repository by default', () => {
    const result = plan(gitlab('branch-main'), { command: 'merge', tags: 'type=raw,value=edge' }, [A, B]);
    expect(result.operation).toEqual({ kind: 'merge', sources: [A, B], repository: 'registry.example.com/team/app' });
    expect(references(result.tags)).toEqual(['registry.example.com/team/app:edge']);
    expect(result.check).toBeUndefined();
  });

  it('operationInputs keeps images given, and leaves a build alone', () => {
    const given = inputs({ command: 'promote', source: A, images: 'r2.example/app' });
    expect(operationInputs(given, { kind: 'promote', source: A }).images).toEqual(['r2.example/app']);
    const build = inputs({});
    expect(operationInputs(build, { kind: 'build' })).toBe(build);
    expect(platformSlug('linux/arm/v7')).toBe('linux-arm-v7');
  });
});
