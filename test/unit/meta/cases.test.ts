/**
 * All 114 cases of docker/metadata-action's own tag-and-label tests (test/fixtures/metadata-action/cases.json), run
 * through githubContext and computeMeta with that project's test clock and repository answer.
 */
import { describe, expect, it } from 'vitest';
import { computeMeta } from '../../../src/meta/index.js';
import { CLOCK, fixtureContext, options, readCases } from './helpers.js';

const cases = readCases();

describe('docker/metadata-action cases', () => {
  it('has all 114 cases', () => {
    expect(cases).toHaveLength(114);
  });

  it.each(cases.map((c) => [`${c.group}/${c.name}`, c] as const))('%s', (_name, c) => {
    // metadata-action's tests mock the clock for every read, commit dates included.
    const ctx = { ...fixtureContext(c.envFile), commitDate: CLOCK };
    const meta = computeMeta(
      ctx,
      options({
        images: c.inputs.images ?? [],
        tags: c.inputs.tags ?? [],
        flavor: c.inputs.flavor ?? [],
        labels: c.inputs.labels ?? [],
        annotations: c.inputs.annotations ?? [],
        prHeadSha: c.group === 'pr-head-sha',
      }),
      CLOCK,
    );
    expect(meta.version).toEqual({ main: c.version.main, partial: c.version.partial, latest: c.version.latest });
    expect(meta.tags).toEqual(c.tags);
    expect(meta.labels).toEqual(c.labels);
    if (c.annotations !== undefined) expect(meta.annotations).toEqual(c.annotations);
    // Without custom labels or annotations, the annotations are the labels at the manifest level.
    if (c.inputs.labels === undefined && c.inputs.annotations === undefined) {
      expect(meta.annotations).toEqual(c.labels.map((label) => `manifest:${label}`));
    }
  });
});
