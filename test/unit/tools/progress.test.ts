import { describe, expect, it } from 'vitest';
import { cacheUse } from '../../../src/tools/progress.js';

// As buildx v0.36 prints it with --progress=plain, for a two-stage build whose dependency stage came from the cache.
const PROGRESS = `#0 building with "docker-build-1a2b" instance using docker-container driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 312B done
#1 DONE 0.0s

#2 [internal] load metadata for registry.lab.test:5443/lab/base:1
#2 DONE 0.1s

#3 importing cache manifest from registry.lab.test:5443/e2e/app/cache:amd64-main
#3 DONE 0.2s

#4 [deps 1/2] FROM registry.lab.test:5443/lab/base:1@sha256:aa
#4 CACHED

#5 [deps 2/2] RUN dd if=/dev/urandom of=/deps bs=1M count=20
#5 CACHED

#6 [stage-1 2/3] COPY --from=deps /deps /deps
#6 CACHED

#7 [stage-1 3/3] COPY src /src
#7 DONE 0.0s

#8 exporting to image
#8 DONE 0.3s
`;

describe("the cache's use, from BuildKit's plain progress", () => {
  it('counts the Dockerfile steps (not FROM) and the cached ones', () => {
    expect(cacheUse(PROGRESS)).toEqual({ steps: 3, cached: 2, failures: [] });
  });

  it('counts a step once per platform it ran for', () => {
    const lines = [
      '#5 [linux/amd64 deps 2/2] RUN make',
      '#5 CACHED',
      '#6 [linux/arm64 deps 2/2] RUN make',
      '#6 DONE 3.2s',
      '#9 exporting cache to registry',
      '#9 CACHED',
    ].join('\n');
    expect(cacheUse(lines)).toEqual({ steps: 2, cached: 1, failures: [] });
  });

  it('is zero for no progress at all', () => {
    expect(cacheUse('')).toEqual({ steps: 0, cached: 0, failures: [] });
  });

  it('names the cache steps that failed: the build went on without them', () => {
    const lines = [
      '#5 importing cache manifest from r2.example:5999/nowhere/cache:web-amd64-main',
      '#5 ERROR: failed to configure registry cache importer: dial tcp 127.0.0.1:5999: connect: connection refused',
      '#8 [web 2/2] RUN make',
      '#8 ERROR: process "/bin/sh -c make" did not complete successfully',
      '#12 exporting cache to registry',
      '#12 preparing build cache for export 0.4s done',
      '#12 ERROR: error writing layer blob: connection refused',
    ].join('\n');
    expect(cacheUse(lines).failures).toEqual([
      'importing cache manifest from r2.example:5999/nowhere/cache:web-amd64-main: failed to configure registry cache importer: dial tcp 127.0.0.1:5999: connect: connection refused',
      'exporting cache to registry: error writing layer blob: connection refused',
    ]);
  });
});
