/**
 * The plan: everything docker-build will do, computed from inputs and context before anything happens. `plan`
 * prints it; the steps carry it out. Plain data, no secrets (they stay in Inputs and reach programs on stdin or
 * through the environment).
 */
import type { Platform } from '../context/types.js';
import type { KeyValue } from '../inputs/values.js';
import type { CachePlan } from './cache.js';
import type { ProxyPlan } from './proxy.js';

export type BuilderPlan =
  | { kind: 'create'; name: string; image: string; config: string | undefined; driverOpts: KeyValue[] }
  | { kind: 'existing'; name: string };

/** Where the build result goes. */
export type BuildOutput =
  /** pushed by digest to each repository, untagged; the tags are attached after every check has passed */
  | { kind: 'push-by-digest'; repositories: string[] }
  /** loaded into the local engine, tagged there */
  | { kind: 'load'; tags: string[] }
  /** built and kept in the builder only (a pull request from a fork, or push=false) */
  | { kind: 'none' }
  /** one platform written to an OCI layout directory, for the scan gate of a build that is not pushed */
  | { kind: 'oci-archive'; dest: string };

export interface BuildPlan {
  context: string;
  file: string | undefined;
  target: string | undefined;
  platforms: string[];
  buildArgs: KeyValue[];
  buildContexts: KeyValue[];
  /** ids of the `secrets` input: their values go to buildx through its environment, never a file or argv */
  secretIds: string[];
  secretFiles: KeyValue[];
  ssh: string[];
  labels: KeyValue[];
  annotations: string[];
  pull: boolean;
  noCache: boolean;
  provenance: string | undefined;
  sbom: string | undefined;
  /** `--cache-from` / `--cache-to` entries */
  cacheFrom: string[];
  cacheTo: string[];
  output: BuildOutput;
}

export interface PushDecision {
  push: boolean;
  /** Why, in words for the log: "push is auto and this is a pull request from a fork". */
  reason: string;
}

export interface Plan {
  platform: Platform;
  version: string | undefined;
  /** full references: every image crossed with every tag */
  tags: string[];
  labels: KeyValue[];
  annotations: string[];
  platforms: string[];
  push: PushDecision;
  /** registries to log in to (the credentials themselves are not part of the plan) */
  logins: { registry: string; source: string }[];
  builder: BuilderPlan;
  cache: CachePlan;
  build: BuildPlan;
  /** the job's proxies, and what the builder gets of them */
  proxy: ProxyPlan;
}
