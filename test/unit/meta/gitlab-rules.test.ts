// The same rules on GitLab pipelines: what a .gitlab-ci.yml user gets for each kind of pipeline.
import { describe, expect, it } from 'vitest';
import { gitlabContext } from '../../../src/context/gitlab.js';
import { computeMeta } from '../../../src/meta/index.js';
import { readEnvFile } from '../helpers/env-file.js';
import { options } from './helpers.js';

const NOW = new Date('2026-11-22T08:00:00Z');

function tags(fixture: string, rules: string[], flavor: string[] = []): string[] {
  const given = options({ images: ['registry.gitlab.example.com/group/app'], tags: rules, flavor });
  const meta = computeMeta(gitlabContext(readEnvFile(`gitlab/${fixture}.env`), NOW), given, NOW);
  return meta.tags.map((tag) => tag.replace('registry.gitlab.example.com/group/app:', ''));
}

const EVERY_RULE = [
  "type=schedule,pattern=nightly-{{date 'YYYYMMDD'}}",
  'type=ref,event=branch',
  'type=ref,event=tag',
  'type=ref,event=pr',
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
  'type=pep440,pattern={{version}}',
  'type=match,pattern=v(\\d+),group=1',
  'type=edge',
  'type=raw,value=build-{{sha}}',
  'type=sha',
];

describe('tag rules on GitLab pipelines', () => {
  it.each([
    ['branch-main', ['main', 'edge', 'build-01234567', 'sha-01234567']],
    ['branch-feature', ['feature-Login-Page', 'build-11234567', 'sha-11234567']],
    ['tag-v1.2.3', ['1.2.3', '1.2', 'v1.2.3', '1', 'build-21234567', 'sha-21234567', 'latest']],
    ['merge-request', ['mr-42', 'build-31234567', 'sha-31234567']],
    ['schedule', ['nightly-20261122', 'main', 'edge', 'build-61234567', 'sha-61234567']],
    ['web', ['develop', 'build-71234567', 'sha-71234567']],
  ])('%s', (fixture, expected) => {
    expect(tags(fixture, EVERY_RULE).sort()).toEqual([...expected].sort());
  });

  it('the defaults (no rules): branch, tag and mr-N', () => {
    expect(tags('branch-main', [])).toEqual(['main']);
    expect(tags('tag-v1.2.3', [])).toEqual(['v1.2.3', 'latest']);
    expect(tags('merge-request', [])).toEqual(['mr-42']);
  });

  it('flavor: onlatest applies to the entry it follows only, as in metadata-action', () => {
    expect(
      tags('tag-v1.2.3', ['type=semver,pattern={{version}}'], ['prefix=app-', 'suffix=-slim,onlatest=true']),
    ).toEqual(['app-1.2.3-slim', 'latest-slim']);
  });
});
