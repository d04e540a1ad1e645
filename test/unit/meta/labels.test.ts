import { describe, expect, it } from 'vitest';
import { computeMeta } from '../../../src/meta/index.js';
import { CLOCK, fixtureContext, options } from './helpers.js';

const ctx = fixtureContext('event_tag_v1.1.1.env');
const REVISION = '860c1904a1ce19322e91ac35af1ab07466440c37';
const URL = 'https://github.com/octocat/Hello-World';

describe('annotations', () => {
  it("are the OCI set overridden by the user's annotations, at the manifest level (metadata-action's latest09)", () => {
    const meta = computeMeta(
      ctx,
      options({
        tags: ['type=ref,event=tag'],
        flavor: ['latest=false'],
        labels: ['maintainer=CrazyMax'],
        annotations: [
          'maintainer=Foo',
          'org.opencontainers.image.description=this is a "bad" example',
          'org.opencontainers.image.title=MyNotTitle',
          'org.opencontainers.image.vendor=MyNotCompany',
        ],
      }),
      CLOCK,
    );
    expect(meta.annotations).toEqual([
      'manifest:maintainer=Foo',
      'manifest:org.opencontainers.image.created=2020-01-10T00:30:00.000Z',
      'manifest:org.opencontainers.image.description=this is a "bad" example',
      'manifest:org.opencontainers.image.licenses=MIT',
      `manifest:org.opencontainers.image.revision=${REVISION}`,
      `manifest:org.opencontainers.image.source=${URL}`,
      'manifest:org.opencontainers.image.title=MyNotTitle',
      `manifest:org.opencontainers.image.url=${URL}`,
      'manifest:org.opencontainers.image.vendor=MyNotCompany',
      'manifest:org.opencontainers.image.version=v1.1.1',
    ]);
    expect(meta.labels).toContain('maintainer=CrazyMax');
  });

  it('are repeated for each level of DOCKER_METADATA_ANNOTATIONS_LEVELS', () => {
    const meta = computeMeta(
      ctx,
      options({ tags: ['type=ref,event=tag'], annotationLevels: ['manifest', 'index'], annotations: ['a=1'] }),
      CLOCK,
    );
    expect(meta.annotations.filter((line) => line.endsWith('=1'))).toEqual(['manifest:a=1', 'index:a=1']);
    expect(meta.annotations).toHaveLength(18);
    expect(meta.annotations.slice(9)).toEqual(
      meta.annotations.slice(0, 9).map((line) => line.replace(/^manifest:/, 'index:')),
    );
  });

  it('go to their own level only when they name one', () => {
    const meta = computeMeta(
      ctx,
      options({
        tags: ['type=ref,event=tag'],
        annotations: ['index:org.opencontainers.image.title=Index', 'manifest[linux/amd64]:arch=amd64'],
      }),
      CLOCK,
    );
    expect(meta.annotations).toContain('manifest:org.opencontainers.image.title=Hello-World');
    expect(meta.annotations.slice(-2)).toEqual([
      'index:org.opencontainers.image.title=Index',
      'manifest[linux/amd64]:arch=amd64',
    ]);
  });
});

describe('labels', () => {
  it('render the global expressions, keep every = after the first, and sort by key', () => {
    const meta = computeMeta(
      ctx,
      options({
        tags: ['type=ref,event=tag'],
        labels: ['z.commit={{commit_date YYYYMMDD}}', 'a.built={{date "YYYY-MM-DD"}} on {{tag}}', 'b.expr=x=y=z'],
      }),
      CLOCK,
    );
    expect(meta.labels.slice(0, 2)).toEqual(['a.built=2020-01-10 on v1.1.1', 'b.expr=x=y=z']);
    // The payload's head_commit timestamp, 2022-04-19T11:39:35+02:00, in moment's default format (a bare word is no format).
    expect(meta.labels.at(-1)).toBe('z.commit=2022-04-19T09:39:35Z');
  });

  it('say nothing of a missing license or description', () => {
    const meta = computeMeta(
      { ...ctx, repository: { ...ctx.repository, license: undefined, description: '' } },
      options(),
      CLOCK,
    );
    expect(meta.labels).toContain('org.opencontainers.image.licenses=');
    expect(meta.labels).toContain('org.opencontainers.image.description=');
  });
});
