/**
 * What BuildKit's plain progress (`--progress=plain`) says about the cache: how many build steps there were, how many
 * came from the cache, and whether the cache could be read and written at all. A step is a Dockerfile instruction
 * (`#8 [build 2/4] RUN npm ci`, or with the platform, `#8 [linux/arm64 build 2/4] RUN ...`); a cached one is followed
 * by `#8 CACHED`. A cache that cannot be reached fails its own vertex (`#5 importing cache manifest from ...`,
 * `#5 ERROR: ...`) and the build goes on without it.
 */

export interface CacheUse {
  steps: number;
  cached: number;
  /** the cache steps that failed (the build went on without them): `importing cache manifest from r/x:k: dial tcp ...` */
  failures: string[];
}

// FROM is left out: a base image is "cached" whenever the builder already holds it, warm layer cache or not.
const STEP = /^#(\d+) \[(?:[^\]]* )?\d+\/\d+\] (?!FROM )/;
const CACHED = /^#(\d+) CACHED\s*$/;
const NAME = /^#(\d+) (.+)$/;
const ERROR = /^#(\d+) ERROR: (.*)$/;
const CACHE_VERTEX = /^(importing cache|exporting cache|exporting to GitHub Actions Cache)/i;

export function cacheUse(progress: string): CacheUse {
  const steps = new Set<string>();
  const cached = new Set<string>();
  const names = new Map<string, string>();
  const failures: string[] = [];
  for (const line of progress.split('\n')) {
    const step = STEP.exec(line);
    if (step?.[1] !== undefined) steps.add(step[1]);
    const hit = CACHED.exec(line);
    if (hit?.[1] !== undefined) cached.add(hit[1]);
    const error = ERROR.exec(line);
    const name = NAME.exec(line);
    if (error?.[1] !== undefined) {
      const vertex = names.get(error[1]) ?? '';
      if (CACHE_VERTEX.test(vertex)) failures.push(`${vertex}: ${error[2] ?? ''}`);
    } else if (name?.[1] !== undefined && !names.has(name[1])) names.set(name[1], name[2] ?? '');
  }
  return { steps: steps.size, cached: [...cached].filter((id) => steps.has(id)).length, failures };
}
