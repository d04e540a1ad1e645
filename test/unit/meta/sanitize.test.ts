import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeMeta } from '../../../src/meta/index.js';
import { dockerTag, MAX_TAG_LENGTH } from '../../../src/meta/sanitize.js';
import { CLOCK, fixtureContext, options } from './helpers.js';

const VALID_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

describe('dockerTag', () => {
  it('turns each run of invalid characters into one dash, as metadata-action does', () => {
    expect(dockerTag('my/feature#1245')).toBe('my-feature-1245');
    expect(dockerTag('2020-01-10T00:30:00Z')).toBe('2020-01-10T00-30-00Z');
    expect(dockerTag('a  +b')).toBe('a-b');
    expect(dockerTag('Keep_Case.1-2')).toBe('Keep_Case.1-2');
  });

  it('removes leading dots and dashes, which Docker refuses', () => {
    expect(dockerTag('.hidden')).toBe('hidden');
    expect(dockerTag('-dev')).toBe('dev');
    expect(dockerTag('#1')).toBe('1');
    expect(dockerTag('_ok')).toBe('_ok');
  });

  it('gives nothing when no valid character is left', () => {
    expect(dockerTag('')).toBeUndefined();
    expect(dockerTag('###')).toBeUndefined();
    expect(dockerTag('.-.')).toBeUndefined();
  });

  it('keeps tags of 128 characters', () => {
    const tag = 'a'.repeat(MAX_TAG_LENGTH);
    expect(dockerTag(tag)).toBe(tag);
  });

  it('cuts a longer tag to 120 characters plus a dash and 7 hex digits of its SHA-256', () => {
    const long = `release-${'x'.repeat(150)}`;
    const hash = createHash('sha256').update(long).digest('hex').slice(0, 7);
    const tag = dockerTag(long);
    expect(tag).toBe(`${long.slice(0, 120)}-${hash}`);
    expect(tag).toHaveLength(128);
    expect(tag).toMatch(VALID_TAG);
  });

  it('keeps two long tags with the same beginning apart, and gives the same tag on every run', () => {
    const first = dockerTag(`${'y'.repeat(130)}-one`);
    const second = dockerTag(`${'y'.repeat(130)}-two`);
    expect(first).not.toBe(second);
    expect(dockerTag(`${'y'.repeat(130)}-one`)).toBe(first);
  });
});

describe('tags from awkward branch names', () => {
  const ctx = fixtureContext('event_push_invalidchars.env');

  it('makes a valid tag from a branch with slashes and #', () => {
    const meta = computeMeta(ctx, options({ images: ['user/app'], tags: ['type=ref,event=branch'] }), CLOCK);
    expect(meta.tags).toEqual(['user/app:my-feature-1245']);
  });

  it('cuts a tag made too long by a prefix and a suffix', () => {
    const meta = computeMeta(
      ctx,
      options({
        images: ['user/app'],
        tags: [`type=ref,event=branch,prefix=${'p'.repeat(100)}-,suffix=-${'s'.repeat(40)}`],
      }),
      CLOCK,
    );
    const tag = meta.version.main ?? '';
    expect(tag).toHaveLength(128);
    expect(tag).toMatch(VALID_TAG);
    expect(meta.tags).toEqual([`user/app:${tag}`]);
    expect(meta.labels).toContain(`org.opencontainers.image.version=${tag}`);
  });

  it('strips the leading dash a prefix-less suffix rule would give', () => {
    const meta = computeMeta(ctx, options({ images: ['user/app'], tags: ['type=raw,value=-{{branch}}'] }), CLOCK);
    expect(meta.tags).toEqual(['user/app:my-feature-1245']);
  });
});
