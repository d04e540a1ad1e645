import { describe, expect, it } from 'vitest';
import { flagsToEnv } from '../../../src/cli/flags.js';

describe('local command flags', () => {
  it('map to INPUT_ variables; a repeated flag adds a line', () => {
    expect(flagsToEnv(['--images', 'a/b', '--tags', 'type=sha', '--tags=type=ref,event=branch', '--no-cache'])).toEqual(
      {
        INPUT_IMAGES: 'a/b',
        INPUT_TAGS: 'type=sha\ntype=ref,event=branch',
        'INPUT_NO-CACHE': 'true',
      },
    );
  });

  it('a boolean flag may take a value', () => {
    expect(flagsToEnv(['--pull', 'false', '--load'])).toEqual({ INPUT_PULL: 'false', INPUT_LOAD: 'true' });
  });

  it('a value may look like an option', () => {
    expect(flagsToEnv(['--context', '--help'])).toEqual({ INPUT_CONTEXT: '--help' });
  });

  it.each([
    [['--imagez', 'a'], /unknown input --imagez; the inputs are: command, source, sources, images, tags/],
    [['images'], /unexpected argument "images": inputs are given as --name value/],
    [['--images'], /--images needs a value/],
  ])('%j is refused', (args, message) => {
    expect(() => flagsToEnv(args)).toThrow(message);
  });
});
