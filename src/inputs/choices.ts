/** The options of enum inputs that the plan names too: declared here, where the inputs are, and read by the plan. */

/** `cache`: the layer cache's kind (src/plan/cache.ts decides what each means). */
export const CACHE_KINDS = ['auto', 'gha', 'registry', 'inline', 'local', 'none'] as const;
export type CacheChoice = (typeof CACHE_KINDS)[number];
