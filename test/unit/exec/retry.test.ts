import { describe, expect, it } from 'vitest';
import { isTransient, withRetries } from '../../../src/exec/retry.js';
import { CommandError } from '../../../src/exec/runner.js';

const failure = (stderr: string) => new CommandError('docker buildx imagetools create ...', 1, stderr);

describe('retrying registry operations', () => {
  it.each([
    ['received unexpected HTTP status: 503 Service Unavailable', true],
    ['failed to do request: Head "https://r/v2/x/manifests/y": read tcp: connection reset by peer', true],
    ['toomanyrequests: You have reached your pull rate limit', true],
    ['net/http: TLS handshake timeout', true],
    ['dial tcp 127.0.0.1:5999: connect: connection refused', true],
    ['unauthorized: authentication required', false],
    ['denied: requested access to the resource is denied', false],
    ['process "/bin/sh -c make" did not complete successfully: exit code: 2', false],
    ['curl: (7) connection refused\nprocess "/bin/sh -c curl x" did not complete successfully', false],
  ])('%s: transient %s', (stderr, transient) => {
    expect(isTransient(failure(stderr))).toBe(transient);
  });

  it('retries a transient failure with a doubling wait, then succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetries(
      'tagging',
      () => {
        calls += 1;
        return calls < 3 ? Promise.reject(failure('503 Service Unavailable')) : Promise.resolve('ok');
      },
      { attempts: 4, firstDelayMs: 100, sleep: (ms) => Promise.resolve(void waits.push(ms)) },
    );
    expect(result).toBe('ok');
    expect(waits).toEqual([100, 200]);
  });

  it('gives up after the attempts, saying how many', async () => {
    await expect(
      withRetries('tagging', () => Promise.reject(failure('connection refused')), {
        attempts: 3,
        firstDelayMs: 1,
        sleep: () => Promise.resolve(),
      }),
    ).rejects.toThrow(/^tagging failed 3 times, the registry did not recover: .*connection refused/s);
  });

  it('never retries a failure that is not transient', async () => {
    let calls = 0;
    await expect(
      withRetries(
        'login',
        () => {
          calls += 1;
          return Promise.reject(failure('unauthorized: incorrect username or password'));
        },
        { attempts: 4, firstDelayMs: 1, sleep: () => Promise.resolve() },
      ),
    ).rejects.toThrow(/unauthorized/);
    expect(calls).toBe(1);
  });
});
