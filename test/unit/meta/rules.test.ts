/** metadata-action behaviours the shared cases do not pin down, and this engine's own choices. */
import { describe, expect, it } from 'vitest';
import type { CiContext } from '../../../src/context/types.js';
import { computeMeta, parseMeta, type MetaOptions } from '../../../src/meta/index.js';
import { CLOCK, fixtureContext, options } from './helpers.js';

function tagsOf(ctx: CiContext, given: Partial<MetaOptions>): string[] {
  return computeMeta(ctx, options(given), CLOCK).tags;
}

describe('tag rules', () => {
  const dev = fixtureContext('event_push_dev.env');
  const tag = fixtureContext('event_tag_v1.1.1.env');

  it('sorts by priority, keeping input order between equal priorities', () => {
    const rules = parseMeta(
      options({ tags: ['type=sha', 'type=raw,a', 'type=edge', 'type=raw,b,priority=1000'] }),
    ).rules;
    expect(rules.map((rule) => `${rule.type}:${rule.priority}`)).toEqual([
      'raw:1000',
      'edge:700',
      'raw:200',
      'sha:100',
    ]);
  });

  it('skips blank lines and # comments', () => {
    expect(tagsOf(dev, { tags: ['', '# the branch', 'type=ref,event=branch', '  '] })).toEqual(['dev']);
  });

  it('gives a tag produced twice once', () => {
    expect(tagsOf(dev, { tags: ['type=ref,event=branch', 'type=raw,dev', 'type=raw,{{branch}}'] })).toEqual(['dev']);
  });

  it('does not add latest twice when a rule already produced it', () => {
    expect(tagsOf(tag, { tags: ['type=semver,pattern={{version}}', 'type=raw,latest'] })).toEqual(['1.1.1', 'latest']);
  });

  it('applies a global prefix and suffix to latest only with onlatest=true', () => {
    const given = { tags: ['type=semver,pattern={{version}}'] };
    expect(tagsOf(tag, { ...given, flavor: ['prefix=app-', 'suffix=-slim'] })).toEqual(['app-1.1.1-slim', 'latest']);
    expect(tagsOf(tag, { ...given, flavor: ['prefix=app-,onlatest=true'] })).toEqual(['app-1.1.1', 'app-latest']);
  });

  it('renders expressions in prefixes and suffixes', () => {
    expect(tagsOf(dev, { tags: ['type=sha,prefix={{branch}}-,suffix=-{{date "YYYY"}}'] })).toEqual([
      'dev-860c190-2020',
    ]);
  });

  it('forces latest with latest=true and never gives it with latest=false', () => {
    expect(tagsOf(dev, { tags: ['type=ref,event=branch'], flavor: ['latest=true'] })).toEqual(['dev', 'latest']);
    expect(tagsOf(tag, { tags: ['type=ref,event=tag'], flavor: ['latest=false'] })).toEqual(['v1.1.1']);
  });

  it('gives no latest for a pre-release, and only its full version', () => {
    const beta = fixtureContext('event_tag_v2.0.8-beta.67.env');
    expect(
      tagsOf(beta, { tags: ['type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern=v{{major}}'] }),
    ).toEqual(['2.0.8-beta.67']);
  });

  it('reads a version out of a value with match=', () => {
    expect(tagsOf(dev, { tags: ['type=semver,pattern={{major}}.{{minor}},value=app/v3.4.5,"match=v(.*)"'] })).toEqual([
      '3.4',
      'latest',
    ]);
    expect(tagsOf(dev, { tags: ['type=semver,pattern={{version}},value=app-3.4.5,match=v(.*)'] })).toEqual([]);
  });

  it('runs type=schedule on schedules only, nightly by default', () => {
    const schedule = fixtureContext('event_schedule.env');
    expect(tagsOf(schedule, { tags: ['type=schedule'] })).toEqual(['nightly']);
    expect(tagsOf(dev, { tags: ['type=schedule'] })).toEqual([]);
  });

  it('takes type=edge on the given branch, else the default branch', () => {
    expect(tagsOf(dev, { tags: ['type=edge,branch=dev'] })).toEqual(['edge']);
    expect(tagsOf(dev, { tags: ['type=edge'] })).toEqual([]);
    expect(tagsOf(fixtureContext('event_push_master.env'), { tags: ['type=edge'] })).toEqual(['edge']);
  });

  it("counts GitHub's create, issues and discussion events as the default branch, as metadata-action does", () => {
    const given = { tags: ['type=raw,value=default,enable={{is_default_branch}}'] };
    expect(tagsOf(fixtureContext('event_create_branch.env'), given)).toEqual(['default']);
    expect(tagsOf(fixtureContext('event_issue_opened.env'), given)).toEqual(['default']);
    expect(tagsOf(fixtureContext('event_workflow_dispatch_dev.env'), given)).toEqual([]);
  });

  it('gives moment’s default format to {{date}} without a format', () => {
    expect(tagsOf(dev, { tags: ['type=raw,value={{date}}'] })).toEqual(['2020-01-10T00-30-00Z']);
  });

  it('gives no tags without a main version, whatever the images', () => {
    const meta = computeMeta(
      dev,
      options({ images: ['user/app'], tags: ['type=ref,event=tag'], flavor: ['latest=true'] }),
      CLOCK,
    );
    expect(meta).toMatchObject({ version: { main: undefined, partial: [], latest: false }, tags: [] });
  });

  it('keeps the case of tags and lowercases images', () => {
    expect(tagsOf(dev, { images: ['User/App'], tags: ['type=raw,Feature-X'] })).toEqual(['user/app:Feature-X']);
  });
});
