import { describe, expect, it } from 'vitest';
import { flagsToEnv } from '../../src/cli/flags.js';
import { DIST, localArgv, withLine } from '../e2e/helpers/pipeline.js';

describe('localArgv, the e2e tests’ command line', () => {
  it('one flag per input in order, a list as the flag repeated, booleans as true or false', () => {
    expect(
      localArgv('build', {
        images: 'r.example.com/app',
        tags: ['type=sha', 'type=ref,event=branch'],
        load: true,
        push: false,
      }),
    ).toEqual([
      DIST,
      'build',
      '--images',
      'r.example.com/app',
      '--tags',
      'type=sha',
      '--tags',
      'type=ref,event=branch',
      '--load',
      'true',
      '--push',
      'false',
    ]);
    expect(localArgv('plan', {})).toEqual([DIST, 'plan']);
  });

  it('reads back, through the command line’s own parser, as the inputs given', () => {
    const inputs = { tags: ['type=sha', 'type=raw,value=x'], 'no-cache': false, context: '--help', labels: 'a=1\nb=2' };
    expect(flagsToEnv(localArgv('build', inputs).slice(2))).toEqual({
      INPUT_TAGS: 'type=sha\ntype=raw,value=x',
      'INPUT_NO-CACHE': 'false',
      INPUT_CONTEXT: '--help',
      INPUT_LABELS: 'a=1\nb=2',
    });
  });

  it('refuses an input the table does not hold, so a typo fails the test that made it', () => {
    expect(() => localArgv('build', { images: 'a/b', tgas: 'type=sha' })).toThrow(/localArgv: no input named tgas/);
  });

  it('withLine adds a line to an input, as one more flag does', () => {
    const base = { images: 'a/b', tags: 'type=sha' };
    expect(withLine(base, 'tags', 'type=raw,value=x')).toEqual({
      images: 'a/b',
      tags: ['type=sha', 'type=raw,value=x'],
    });
    expect(withLine(base, 'push', 'yes')).toEqual({ images: 'a/b', tags: 'type=sha', push: 'yes' });
    expect(base).toEqual({ images: 'a/b', tags: 'type=sha' });
  });
});
