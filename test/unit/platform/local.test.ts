import { describe, expect, it } from 'vitest';
import { SecretMask } from '../../../src/exec/mask.js';
import { LocalReporter } from '../../../src/platform/local.js';
import { debugEnabled } from '../../../src/platform/types.js';

describe('the local reporter', () => {
  it('prints a location as file:line before the message, and debug lines only when asked', () => {
    const lines: string[] = [];
    const mask = new SecretMask();
    mask.add('s3cret');
    const quiet = new LocalReporter(mask, (text) => lines.push(text));
    quiet.warning('FROM without a digest', { file: 'Dockerfile', line: 3 });
    quiet.error('failed with s3cret');
    quiet.debug('not shown');
    new LocalReporter(mask, (text) => lines.push(text), 'local', true).debug('$ zstd --version s3cret');
    expect(lines).toEqual([
      'Dockerfile:3: warning: FROM without a digest\n',
      'error: failed with ***\n',
      'debug: $ zstd --version ***\n',
    ]);
  });
});

describe('debug mode', () => {
  it.each([
    ['github', { RUNNER_DEBUG: '1' }, true],
    ['github', { RUNNER_DEBUG: '0' }, false],
    ['github', { CI_DEBUG_TRACE: 'true' }, false],
    ['gitlab', { CI_DEBUG_TRACE: 'true' }, true],
    ['gitlab', { CI_DEBUG_TRACE: 'false' }, false],
    ['gitlab', { RUNNER_DEBUG: '1' }, false],
    ['local', { DOCKER_BUILD_DEBUG: '1' }, true],
    ['local', { DOCKER_BUILD_DEBUG: 'true' }, true],
    ['local', {}, false],
  ] as const)('on %s with %j: %s', (platform, env, expected) => {
    expect(debugEnabled(platform, env)).toBe(expected);
  });
});
