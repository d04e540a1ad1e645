/**
 * The plan: everything docker-build will do, computed from inputs and context before anything happens. `plan`
 * prints it; the steps carry it out. Plain data, no secrets (they stay in Inputs and reach programs on stdin or
 * through the environment).
 */
import type { SbomFormat } from '../inputs/parse.js';
import type { Platform } from '../context/types.js';
import type { CheckFailOn } from '../check/verdict.js';
import type { KeyValue } from '../inputs/values.js';
import type { CachePlan } from './cache.js';
import type { CredentialSource } from './credentials.js';
import type { ProxyPlan } from './proxy.js';
import type { DbSources } from '../scan/db.js';
import type { Severity } from '../scan/types.js';

/**
 * The check gate: BuildKit's Dockerfile checks (`buildx build --call=check`) on the run's builder, before the build.
 * It checks the Dockerfile as the build reads it: the same context, file, target, platforms, build arguments and
 * named contexts; no secret, SSH agent, cache or output (the checks run no instruction).
 */
export interface CheckPlan {
  /** what fails the gate (`check-fail-on`) */
  failOn: CheckFailOn;
  /** the Dockerfile, relative to the working directory as the reports and annotations name it: `app/Dockerfile` */
  dockerfile: string;
  build: Pick<BuildPlan, 'context' | 'file' | 'target' | 'platforms' | 'buildArgs' | 'buildContexts'>;
}

/** The scan gate: Trivy on every platform's image, and what fails it. */
export interface ScanPlan {
  /** the pinned Trivy: `v0.74.0` */
  trivyVersion: string;
  scanners: string[];
  /** severities that fail the gate (`fail-on`) */
  failOn: Severity[];
  /** severities shown in the reports (`scan-severity`) */
  severities: Severity[];
  ignoreUnfixed: boolean;
  /** Trivy's ignore files, absolute paths, read and checked before anything ran */
  ignoreFiles: string[];
  /** one Trivy run's limit, a Go duration */
  timeout: string;
  /** pass without vulnerability scanning when no database can be had */
  failOpen: boolean;
  db: DbSources;
  /** keep the database in the job's cache (GitHub's Actions cache), a day at a time */
  dbCache: boolean;
  /** with `sbom` on: write an SBOM file per platform, in this format, from the image the gate scanned */
  sbomFormat?: SbomFormat;
}

/** The test gate: a command run in the image of every tested platform, and/or its HEALTHCHECK awaited. */
export interface TestPlan {
  /** the command, as an argument vector (the image's ENTRYPOINT cleared); undefined: the health check only */
  command: string[] | undefined;
  /** `test-env`: the values reach docker or buildx through their environment, never argv */
  env: KeyValue[];
  /** one platform's limit */
  timeoutMs: number;
  /** the platforms tested; empty: every platform built */
  platforms: string[];
  /** start the image with its own entrypoint and wait for its HEALTHCHECK (docker only, pushed images only) */
  healthcheck: boolean;
  /** `docker run --rm` on the job's engine, or a `RUN` step in the builder */
  runner: 'docker' | 'builder';
  /** why that runner, for the log */
  runnerReason: string;
  /** said as a warning when the run starts: what the plan left out, and why */
  warning?: string | undefined;
}

/** A node of a builder docker-build creates: where it is (remote), what it declares, its driver options. */
export interface BuilderNodePlan {
  /** `remote`: `tcp://...` or `unix:///...`; for `buildkitd`, the socket of the daemon the run starts */
  endpoint: string | undefined;
  /** the platforms it declares (`--platform`); empty: those BuildKit reports */
  platforms: string[];
  driverOpts: KeyValue[];
}

/** A TLS file of a remote builder, without its text: a path, or PEM text that the run writes to its private directory. */
export type TlsFilePlan = { kind: 'path'; path: string } | { kind: 'pem' };

export type BuilderPlan =
  | {
      kind: 'create';
      name: string;
      /** buildx's driver: `buildkitd` is the `remote` driver at the socket of a daemon the run starts */
      driver: 'docker-container' | 'kubernetes' | 'remote' | 'buildkitd';
      /** the BuildKit image of a container or pod (docker-container, kubernetes) */
      image: string;
      config: string | undefined;
      driverOpts: KeyValue[];
      /** the first node's endpoint and platforms (remote), then the nodes `append` adds */
      nodes: BuilderNodePlan[];
      /** remote over TCP: the CA, the client's certificate and key */
      tls: { caCert: TlsFilePlan | undefined; cert: TlsFilePlan | undefined; key: TlsFilePlan | undefined };
    }
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
  /** `secret-envs`: id → the name of the variable buildx reads the value from (the name only, never the value) */
  secretEnvs: KeyValue[];
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

/** One repository and the tags it gets: `{ repository: 'ghcr.io/o/app', tags: ['1.2.3', 'latest'] }`. */
export interface TagGroup {
  repository: string;
  tags: string[];
}

/** The full references of tag groups, in order: `ghcr.io/o/app:1.2.3`. */
export function references(groups: readonly TagGroup[]): string[] {
  return groups.flatMap((group) => group.tags.map((tag) => `${group.repository}:${tag}`));
}

export interface PushDecision {
  push: boolean;
  /** Why, in words for the log: "push is auto and this is a pull request from a fork". */
  reason: string;
  /** Not pushing is likely not what was meant (images given, but no tag for this event): said as a warning. */
  warn?: boolean;
  /**
   * The run should push, and a registry it pushes to has no credential: why, and the ways to give one. `build` stops
   * with it before anything happens; `plan` shows it.
   */
  blocked?: string;
}

/** The credential of one registry of the run; no secret, only where it comes from. */
export interface PlannedCredential {
  registry: string;
  /** pushed to */
  push: boolean;
  /** in words: `inputs`, `automatic`, `a prior login (auths ghcr.io)`, `credential helper ecr-login (credHelpers)` */
  source: string;
  /** what to copy from the user's Docker config into the private one: an `auths` entry or a helper */
  copy?: CredentialSource | undefined;
}

/**
 * What the run does with an image: build it (the gates, then the tags); build one platform and push it by digest
 * alone, for a merge job (`push: digest`); or take images already pushed, by digest, and promote or merge them.
 */
export type Operation =
  | { kind: 'build' }
  /** one platform, pushed by digest with no gate and no tag; its reference is written to `digestFile` */
  | { kind: 'digest'; platform: string; digestFile: string }
  /** the image `source` (by digest) gated, then tagged in its repository or copied by digest to the tag groups' */
  | { kind: 'promote'; source: string }
  /** the one-platform images `sources` (by digest, one repository) joined into one index in `repository`, gated, tagged */
  | { kind: 'merge'; sources: string[]; repository: string };

export interface Plan {
  platform: Platform;
  operation: Operation;
  /** cosign's signature once every gate passed, before the tags; undefined: not signed */
  sign: SignPlan | undefined;
  /** what promote and merge check of their sources first */
  verify: VerifyPlan;
  version: string | undefined;
  /** the tags to attach, by repository: every image with every tag the rules give, then the references in `tags` */
  tags: TagGroup[];
  /** with no image at all, the tags the rules give, bare (metadata-action's `tags` output without images) */
  bareTags: string[];
  labels: KeyValue[];
  annotations: string[];
  platforms: string[];
  push: PushDecision;
  /** registries to log in to (the credentials themselves are not part of the plan) */
  logins: { registry: string; source: string }[];
  /** every registry of the run and where its credential comes from */
  credentials: PlannedCredential[];
  builder: BuilderPlan;
  /** the image that installs QEMU, run only for platforms the builder cannot already run */
  binfmtImage: string;
  cache: CachePlan;
  /** the check gate; undefined when `check` is false */
  check: CheckPlan | undefined;
  /** the scan gate; undefined when `scan` is false */
  scan: ScanPlan | undefined;
  /** the test gate; undefined when neither `test` nor `healthcheck` is set */
  test: TestPlan | undefined;
  /** where the gates write their reports (`reports-dir`, relative to the working directory) */
  reportsDir: string;
  build: BuildPlan;
  /** the job's proxies, and what the builder gets of them */
  proxy: ProxyPlan;
}

/** The key as the plan shows it: a file or a KMS URI as given, PEM text only as "given as text". */
export type KeyPlan = { kind: 'pem' } | { kind: 'path'; path: string } | { kind: 'kms'; uri: string };

export interface SignPlan {
  /** undefined: keyless, through the job's OIDC token (Fulcio and Rekor) */
  key: KeyPlan | undefined;
  /** upload to the transparency log; off for air-gapped, key-based set-ups (verify then skips it too) */
  tlog: boolean;
}

export type VerifyPlan =
  | { kind: 'none' }
  | { kind: 'key'; key: KeyPlan; tlog: boolean }
  | { kind: 'identity'; identity: string; issuer: string };
