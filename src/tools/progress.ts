/**
 * What BuildKit's plain progress (`--progress=plain`) says about the cache: how many build steps there were and how
 * many came from the cache. A step is a Dockerfile instruction (`#8 [build 2/4] RUN npm ci`, or with the platform,
 * `#8 [linux/arm64 build 2/4] RUN ...`); a cached one is followed by `#8 CACHED`.
 */

export interface CacheUse {
  steps: number;
  cached: number;
}

// FROM is left out: a base image is "cached" whenever the builder already holds it, warm layer cache or not.
const STEP = /^#(\d+) \[(?:[^\]]* )?\d+\/\d+\] (?!FROM )/;
const CACHED = /^#(\d+) CACHED\s*$/;

export function cacheUse(progress: string): CacheUse {
  const steps = new Set<string>();
  const cached = new Set<string>();
  for (const line of progress.split('\n')) {
    const step = STEP.exec(line);
    if (step?.[1] !== undefined) steps.add(step[1]);
    const hit = CACHED.exec(line);
    if (hit?.[1] !== undefined) cached.add(hit[1]);
  }
  return { steps: steps.size, cached: [...cached].filter((id) => steps.has(id)).length };
}
