/**
 * Every input of docker-build, declared once. action.yml, the GitLab component's `spec: inputs` and the reference in
 * docs/inputs.md are generated from this table (`npm run gen`), and a test fails when they drift. No default is
 * written anywhere else.
 */
import type { Platform } from '../context/types.js';
import { SHA_LENGTH } from '../meta/index.js';
import { CHECK_FAIL_ON } from '../check/verdict.js';
import { CACHE_KINDS } from './choices.js';
import type { ListFormat } from './list.js';

export type InputKind =
  /** free text */
  | { type: 'string' }
  /**
   * one value per line (and, where `commas` is true, also separated by commas), read as CSV records the way docker's
   * action for the same input reads it (src/inputs/list.ts)
   */
  | ({ type: 'list' } & ListFormat)
  | { type: 'boolean' }
  | { type: 'number'; min: number; max: number }
  | { type: 'enum'; options: readonly string[] }
  /** comma-separated values, each one of the options */
  | { type: 'enum-list'; options: readonly string[] };

export interface InputSpec {
  readonly name: string;
  readonly kind: InputKind;
  /** The default as text, as action.yml holds it; '' for none. */
  readonly default: string;
  /**
   * A default only GitHub can evaluate (a workflow expression), written into action.yml instead of `default`;
   * elsewhere `default` applies.
   */
  readonly githubDefault?: string;
  readonly description: string;
  readonly platforms: readonly Platform[];
  /** A credential: masked in every log line, and on GitLab never a component input (a CI/CD variable names it). */
  readonly secret?: boolean;
  readonly group: InputGroup;
}

export type InputGroup =
  | 'Command'
  | 'Tags and labels'
  | 'Build'
  | 'Cache'
  | 'Check gate'
  | 'Scan gate'
  | 'Test gate'
  | 'Signing'
  | 'Registry login'
  | 'Builder';

/** The drivers of a builder docker-build creates. */
export const DRIVERS = ['docker-container', 'remote', 'kubernetes', 'buildkitd'] as const;
export type Driver = (typeof DRIVERS)[number];

/** What a run does: build (the default), promote an image already built, or merge per-platform images into one. */
export const COMMANDS = ['build', 'promote', 'merge'] as const;
export type Command = (typeof COMMANDS)[number];

const ALL: readonly Platform[] = ['github', 'gitlab', 'local'];
/*
 * List formats, as docker's actions pass them to getInputList (src/inputs/list.ts says what each option does):
 * build-push-action https://github.com/docker/build-push-action/blob/master/src/context.ts, metadata-action
 * https://github.com/docker/metadata-action/blob/master/src/context.ts, setup-buildx-action
 * https://github.com/docker/setup-buildx-action/blob/master/src/context.ts.
 */
/** `ignoreComma`: one entry per line, commas kept (build-args, build-contexts, secret-files, cache-from, cache-to). */
const list = { type: 'list', commas: false } as const;
/** the default: commas separate entries too (platforms, ssh, secret-envs). */
const csv = { type: 'list', commas: true } as const;
/**
 * metadata-action's `images`, `tags` and `flavor` (`ignoreComma`, `#` comments), but with quotes left in the line:
 * the tag engine reads a line's quoted fields itself (docs/metadata-action-compat.md), which getInputList's quote
 * handling would have stripped.
 */
const metadataLines = { type: 'list', commas: false, comments: true, literalQuotes: true } as const;
/** metadata-action's `labels` and `annotations`: `ignoreComma`, `#` comments. */
const metadataList = { type: 'list', commas: false, comments: true } as const;
const bool = { type: 'boolean' } as const;
const text = { type: 'string' } as const;

export const INPUTS: readonly InputSpec[] = [
  // Command: build, or take images built elsewhere by digest (docs/release.md, docs/distributed.md)
  {
    name: 'command',
    kind: { type: 'enum', options: COMMANDS },
    default: 'build',
    description:
      "`build`: build once, run the gates, attach the tags. `promote`: take the image in `source` by digest, run the gates that need no build (scan with today's database, test) and attach the tags from this job's git context, in its repository or copied by digest to `images`. `merge`: join the one-platform images in `sources` into one index by digest, run the gates on every platform, attach the tags. The local command takes it as its first word (`docker-build promote`); on GitLab each has its component (`docker-build`, `promote`, `merge`).",
    platforms: ['github', 'local'],
    group: 'Command',
  },
  {
    name: 'source',
    kind: text,
    default: '',
    description:
      "`promote`: the image to promote, by digest: `registry.example.com/team/app@sha256:...` (a tag is refused: it can move). On GitLab the promote component defaults to the build job's `$DOCKER_BUILD_IMAGE`.",
    platforms: ALL,
    group: 'Command',
  },
  {
    name: 'sources',
    kind: list,
    default: '',
    description:
      '`merge`: the one-platform images, one per line: `registry.example.com/team/app@sha256:...`, or a digest file or a directory of them as `push: digest` writes (`<reports-dir>/digests/`, passed between jobs as artifacts). Empty: every file in `<reports-dir>/digests/`.',
    platforms: ALL,
    group: 'Command',
  },
  // Tags and labels (docker/metadata-action's inputs, same syntax)
  {
    name: 'images',
    // Not split on commas here: a line may carry attributes (`name=ghcr.io/o/app,enable=false`); the tag engine
    // splits lines of bare names itself.
    kind: metadataLines,
    default: '',
    description:
      'Image names, one per line or comma-separated: `ghcr.io/org/app`, `registry.example.com/team/app`. Lowercased. Each is tagged with every tag the rules in `tags` give.',
    platforms: ALL,
    group: 'Tags and labels',
  },
  {
    name: 'tags',
    kind: metadataLines,
    default: '',
    description:
      "Tags, one per line: rules in docker/metadata-action's syntax (`type=semver,pattern={{version}}`, `type=ref,event=branch`, `type=sha`, ...), applied to every image; or full image references as docker/build-push-action takes them (`ghcr.io/org/app:1.2`), pushed as written (then `images` may be empty). Empty: metadata-action's default rules (schedule, branch, tag, pr).",
    platforms: ALL,
    group: 'Tags and labels',
  },
  {
    name: 'flavor',
    kind: metadataLines,
    default: '',
    description:
      'Global tag options, one per line: `latest=auto|true|false`, `prefix=...`, `suffix=...` (with `,onlatest=true`).',
    platforms: ALL,
    group: 'Tags and labels',
  },
  {
    name: 'labels',
    kind: metadataList,
    default: '',
    description: 'Image labels, `key=value` one per line. They override the generated OCI labels with the same key.',
    platforms: ALL,
    group: 'Tags and labels',
  },
  {
    name: 'annotations',
    kind: metadataList,
    default: '',
    description:
      'Annotations, `key=value` one per line (optionally `manifest:key=value` or `index:key=value`). They override the generated ones.',
    platforms: ALL,
    group: 'Tags and labels',
  },
  {
    name: 'sha-length',
    kind: SHA_LENGTH,
    default: '',
    description: 'Characters of the commit SHA in `type=sha` tags. Empty: 7 on GitHub and locally, 8 on GitLab.',
    platforms: ALL,
    group: 'Tags and labels',
  },
  // Build (docker/build-push-action's inputs)
  {
    name: 'context',
    kind: text,
    default: '.',
    description: 'Build context: a path in the working tree.',
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'file',
    kind: text,
    default: '',
    description: 'Path of the Dockerfile. Empty: `Dockerfile` in the context.',
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'target',
    kind: text,
    default: '',
    description: 'Build stage to build.',
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'build-args',
    kind: list,
    default: '',
    description: 'Build arguments, `NAME=value` one per line.',
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'build-contexts',
    kind: list,
    default: '',
    description: 'Additional build contexts, `name=path|docker-image://...|target:stage` one per line.',
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'secrets',
    // build-push-action: `ignoreComma` and `trimWhitespace: false`, so that a value is exactly what was given.
    kind: { type: 'list', commas: false, keepWhitespace: true },
    default: '',
    description:
      'Build secrets, `id=value` one per line. Quote the whole line to keep leading or trailing spaces or line breaks in the value (`"GPG_KEY=..."` over several lines; `""` is one quote). Each value reaches buildx through its environment, never a file or a command line, and is masked line by line.',
    platforms: ALL,
    secret: true,
    group: 'Build',
  },
  {
    name: 'secret-envs',
    kind: csv,
    default: '',
    description:
      "Build secrets from environment variables, `id=VARIABLE` one per line or comma-separated: buildx reads the variable itself (`--secret id=ID,env=VARIABLE`), and its value is masked. The variable must be set in the job: the step's `env:` on GitHub, a CI/CD variable of the job on GitLab (a variable of type File holds a path: give that to `secret-files`).",
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'secret-files',
    kind: list,
    default: '',
    description: 'Build secrets from files, `id=path` one per line.',
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'ssh',
    // build-push-action splits `ssh` on commas too (getInputList's default), though its README calls it a list.
    kind: csv,
    default: '',
    description:
      'SSH agent sockets or keys to expose to the build, `default` or `id=path`, one per line or comma-separated.',
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'platforms',
    kind: csv,
    default: '',
    description:
      "Target platforms, `os/arch[/variant]`, comma-separated: `linux/amd64,linux/arm64`. Empty: the builder's own platform.",
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'pull',
    kind: bool,
    default: 'false',
    description: 'Always pull newer versions of the base images.',
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'no-cache',
    kind: bool,
    default: 'false',
    description: 'Build without any layer cache.',
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'provenance',
    kind: text,
    default: '',
    description: "Provenance attestation: `false`, `true`, `mode=min` or `mode=max`. Empty: buildx's default.",
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'sbom',
    kind: text,
    default: '',
    description:
      "SBOM: `true` attaches BuildKit's SBOM attestation to every platform and writes an SBOM file per platform (`sbom-format`) from the pushed digest; `false` or empty: none. Attestation options as buildx takes them (`generator=...`) also turn it on.",
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'sbom-generator',
    kind: text,
    default: '',
    description:
      "The image BuildKit runs to make the SBOM attestation (buildx's `--sbom=generator=...`). Empty: BuildKit's own, `docker/buildkit-syft-scanner`; a mirror of it on air-gapped runners.",
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'sbom-format',
    kind: { type: 'enum', options: ['cyclonedx', 'spdx-json'] },
    default: 'cyclonedx',
    description:
      "Format of the SBOM files written with `sbom` on, one per platform, by the scan gate's Trivy from the image by digest: `cyclonedx` (`<reports-dir>/gl-sbom-<os>-<arch>.cdx.json`, GitLab's `cyclonedx` report) or `spdx-json` (`<reports-dir>/sbom-<os>-<arch>.spdx.json`). Output `sbom-files`.",
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'push',
    kind: { type: 'enum', options: ['auto', 'true', 'false', 'digest'] },
    default: 'auto',
    description:
      '`auto` pushes on every event but pull and merge requests (those are built and scanned, not pushed); a registry it pushes to with no credential (these inputs, a prior login or credential helper, the workflow token for ghcr.io, the job’s `$CI_REGISTRY` login on GitLab) is an error before the build, never a skipped push. `true` pushes pull requests too; `false` builds and scans only. `digest`: one platform, pushed by digest with no gate and no tag, its reference written to `<reports-dir>/digests/<os>-<arch>` for a `merge` job.',
    platforms: ALL,
    group: 'Build',
  },
  {
    name: 'load',
    kind: bool,
    default: 'false',
    description: 'Load the image into the local Docker engine (single-platform builds).',
    platforms: ALL,
    group: 'Build',
  },
  // Cache (build-push-action's cache-from/cache-to, with the kinds, places and keys worked out)
  {
    name: 'cache',
    kind: { type: 'enum', options: CACHE_KINDS },
    default: 'auto',
    description:
      'Layer cache: `auto` (gha on GitHub runners with a cache service, registry on GitLab, none locally), `gha`, `registry`, `inline`, `local` or `none`.',
    platforms: ALL,
    group: 'Cache',
  },
  {
    name: 'cache-mode',
    kind: { type: 'enum', options: ['max', 'min'] },
    default: 'max',
    description: '`max` caches every stage, `min` only the layers of the final image.',
    platforms: ALL,
    group: 'Cache',
  },
  {
    name: 'cache-ref',
    kind: text,
    default: '',
    description:
      'Where the cache lives: the registry repository of a `registry` cache (default: the first image + `/cache`, on Docker Hub + `-cache`), or the directory of a `local` one (default `.buildx-cache`).',
    platforms: ALL,
    group: 'Cache',
  },
  {
    name: 'cache-scope',
    kind: text,
    default: '',
    description:
      'Replaces the image + target + platforms part of the cache keys; the branch part stays. Empty: derived, so matrix jobs never share a cache.',
    platforms: ALL,
    group: 'Cache',
  },
  {
    name: 'cache-from',
    kind: list,
    default: '',
    description: "Extra `--cache-from` entries, buildx's syntax (`type=registry,ref=...`), one per line.",
    platforms: ALL,
    group: 'Cache',
  },
  {
    name: 'cache-to',
    kind: list,
    default: '',
    description: "Extra `--cache-to` entries, buildx's syntax, one per line.",
    platforms: ALL,
    group: 'Cache',
  },
  // Check gate (BuildKit's Dockerfile checks: `docker buildx build --call=check`)
  {
    name: 'check',
    kind: bool,
    default: 'true',
    description:
      "Run BuildKit's Dockerfile checks (`docker buildx build --call=check`) on the run's builder before anything is built: a failed check builds and pushes nothing. The Dockerfile's own `# check=skip=...;error=true` directive applies. Skipped, with a warning, on a builder whose BuildKit is older than 0.14 (such as the `docker` driver of Docker Engine 20.10).",
    platforms: ALL,
    group: 'Check gate',
  },
  {
    name: 'check-fail-on',
    kind: { type: 'enum', options: CHECK_FAIL_ON },
    default: 'error',
    description:
      '`error`: fail on what BuildKit reports as an error (a Dockerfile that does not parse, rule violations under `# check=error=true`); `warning`: on any rule violation too; `none`: report only (the build itself still stops on a Dockerfile that does not parse or breaks its `# check=error=true`).',
    platforms: ALL,
    group: 'Check gate',
  },
  // Scan gate (aquasecurity/trivy-action's inputs, where they exist)
  {
    name: 'scan',
    kind: bool,
    default: 'true',
    description:
      'Scan the pushed digest of every platform with Trivy before any tag is attached; a failed gate attaches none.',
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'fail-on',
    kind: csv,
    default: 'CRITICAL,HIGH',
    description: 'Severities that fail the gate, comma-separated. Empty: report only, never fail.',
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'scan-severity',
    kind: csv,
    default: 'CRITICAL,HIGH,MEDIUM,LOW,UNKNOWN',
    description: 'Severities shown in the reports, comma-separated.',
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'ignore-unfixed',
    kind: bool,
    default: 'false',
    description: 'Leave out vulnerabilities that have no fixed version yet: they neither fail the gate nor show.',
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'scanners',
    kind: { type: 'enum-list', options: ['vuln', 'secret', 'misconfig', 'license'] },
    default: 'vuln,secret',
    description: "Trivy's scanners, comma-separated. `secret` and `misconfig` need no vulnerability database.",
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'trivyignores',
    // aquasecurity/trivy-action splits `trivyignores` on commas (entrypoint.sh).
    kind: csv,
    default: '',
    description:
      'Ignore files, one per line or comma-separated: `.trivyignore` files (IDs, one per line; several are merged) or one `.trivyignore.yaml`. Empty: `.trivyignore` or `.trivyignore.yaml` in the working directory when there is one.',
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'scan-timeout',
    kind: text,
    default: '10m',
    description: 'Time limit of one Trivy run (Go duration: `90s`, `10m`). Past it the gate fails closed.',
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'trivy-version',
    kind: text,
    default: 'v0.74.0',
    description:
      'Trivy version, pinned (never `latest` by default). A Trivy of that version on PATH is used as it is; otherwise ' +
      '(GitHub runners) it is downloaded only if docker-build pins its checksums (SECURITY.md, "Pinned downloads").',
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'scan-fail-open',
    kind: bool,
    default: 'false',
    description: 'When no vulnerability database can be had, pass the gate with a warning instead of failing closed.',
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'db-repository',
    kind: csv,
    default: '',
    description:
      "OCI repositories of Trivy's vulnerability database, tried in order: a mirror (`registry.example.com/aquasec/trivy-db:2`) against rate limits. Empty: Trivy's defaults (mirror.gcr.io, then ghcr.io). Logged-in registries' credentials apply.",
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'java-db-repository',
    kind: csv,
    default: '',
    description:
      "OCI repositories of Trivy's Java database (fetched when an image holds JAR files). Empty: Trivy's defaults.",
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'trivy-cache-dir',
    kind: text,
    default: '',
    description:
      "Trivy's cache directory (its databases). Empty: `.cache/trivy` in the project on GitLab (for the job's `cache:`), else Trivy's own default (`~/.cache/trivy`).",
    platforms: ALL,
    group: 'Scan gate',
  },
  {
    name: 'trivy-db-cache',
    kind: bool,
    default: 'true',
    description:
      "Keep Trivy's databases in the Actions cache, one entry a day: restored from today's entry, else yesterday's; saved by the first job of the day.",
    platforms: ['github'],
    group: 'Scan gate',
  },
  {
    name: 'reports-dir',
    kind: text,
    default: 'docker-build-reports',
    description:
      "Directory for the gates' reports: the check gate's `dockerfile-check.sarif`, `gl-code-quality-report.json` and `dockerfile-check-junit.xml`; the scan gate's `trivy.sarif` (GitHub code scanning), `gl-container-scanning-report.json` (GitLab) and `trivy-junit.xml`; the test gate's `test-junit.xml`.",
    platforms: ALL,
    group: 'Scan gate',
  },
  // Test gate (GitLab's `docker run $IMAGE /script/to/run/tests` pattern, run on the digest before any tag)
  {
    name: 'test',
    kind: text,
    default: '',
    description:
      "A command run inside the image of every platform (by digest, before any tag; foreign platforms under QEMU): split into arguments as a shell would split them (quotes, backslashes), then run without a shell and without the image's ENTRYPOINT, as a Dockerfile's `RUN [...]` runs. Write `sh -c '...'` for a shell. A non-zero exit fails the gate. Empty: no test.",
    platforms: ALL,
    group: 'Test gate',
  },
  {
    name: 'test-env',
    kind: list,
    default: '',
    description:
      'Environment of the test, `NAME=value` one per line. The values reach docker (or buildx) through its environment, never its command line.',
    platforms: ALL,
    group: 'Test gate',
  },
  {
    name: 'test-timeout',
    kind: text,
    default: '10m',
    description:
      "Time limit of one platform's test or health check (Go duration: `90s`, `10m`). Past it the container is removed and the gate fails.",
    platforms: ALL,
    group: 'Test gate',
  },
  {
    name: 'test-platforms',
    kind: csv,
    default: '',
    description: 'Platforms tested, among those built, comma-separated. Empty: every platform built.',
    platforms: ALL,
    group: 'Test gate',
  },
  {
    name: 'healthcheck',
    kind: bool,
    default: 'false',
    description:
      "Start the image of every tested platform with its own entrypoint and wait for the Dockerfile's `HEALTHCHECK` to report healthy; unhealthy, an exit or the timeout fails the gate. Needs a Docker engine and a pushed image.",
    platforms: ALL,
    group: 'Test gate',
  },
  {
    name: 'test-runner',
    kind: { type: 'enum', options: ['auto', 'docker', 'builder'] },
    default: 'auto',
    description:
      "Where `test` runs: `docker` (`docker run --rm`, the job's Docker engine), `builder` (a `RUN` step in the buildx builder, no engine needed), `auto`: docker when there is an engine and the image was pushed, else the builder.",
    platforms: ALL,
    group: 'Test gate',
  },
  // Registry login (docker/login-action's inputs)
  {
    name: 'sign',
    kind: bool,
    default: 'false',
    description:
      "Sign the image with cosign once every gate has passed, before any tag: the index and each platform's manifest (`--recursive`), in every repository it was pushed to, and attest the gates' verdicts (predicate type `https://docker-build.dev/attestation/gates/v1`, signed too). Keyless through the job's OIDC token (GitHub: `permissions: id-token: write`; GitLab: the component's `SIGSTORE_ID_TOKEN`, audience `sigstore`) when `sign-key` is empty; else with that key. Outputs `signatures` and `verify-command`.",
    platforms: ALL,
    group: 'Signing',
  },
  {
    name: 'sign-key',
    kind: text,
    default: '',
    description:
      "cosign's private key: PEM text (written to the run's private directory and removed with it), a file path, or a KMS URI (`awskms://`, `gcpkms://`, `azurekms://`, `hashivault://`, `k8s://`). Empty: keyless. Its password, if any, in `sign-key-password`.",
    platforms: ALL,
    secret: true,
    group: 'Signing',
  },
  {
    name: 'sign-key-password',
    kind: text,
    default: '',
    description: 'The password of `sign-key` (reaches cosign as COSIGN_PASSWORD, never its command line).',
    platforms: ALL,
    secret: true,
    group: 'Signing',
  },
  {
    name: 'sign-tlog',
    kind: bool,
    default: 'true',
    description:
      "Record key-based signatures in Sigstore's public transparency log (Rekor). `false` for air-gapped set-ups: then verify with `--insecure-ignore-tlog`, as `verify-command` says. Keyless signing always uses it.",
    platforms: ALL,
    group: 'Signing',
  },
  {
    name: 'verify',
    kind: { type: 'enum', options: ['none', 'key', 'identity'] },
    default: 'none',
    description:
      "`promote` and `merge`: refuse a source whose cosign signature, and docker-build's attestation that its gates passed, do not verify: `key` against `verify-key`, `identity` against `verify-identity` and `verify-issuer` (keyless). `none`: no check.",
    platforms: ALL,
    group: 'Signing',
  },
  {
    name: 'verify-key',
    kind: text,
    default: '',
    description: '`verify: key`: the public key, as PEM text, a file path or a KMS URI.',
    platforms: ALL,
    group: 'Signing',
  },
  {
    name: 'verify-identity',
    kind: text,
    default: '',
    description:
      "`verify: identity`: the signer's identity, a regular expression (cosign's `--certificate-identity-regexp`): `^https://github.com/org/repo/.github/workflows/build.yml@refs/heads/main$`.",
    platforms: ALL,
    group: 'Signing',
  },
  {
    name: 'verify-issuer',
    kind: text,
    default: '',
    description:
      "`verify: identity`: the OIDC issuer of the signer's token: `https://token.actions.githubusercontent.com` or `https://gitlab.com`.",
    platforms: ALL,
    group: 'Signing',
  },
  {
    name: 'registry',
    kind: text,
    default: '',
    description: 'Registry to log in to with `username` and `password`. Empty with a username: Docker Hub.',
    platforms: ALL,
    group: 'Registry login',
  },
  {
    name: 'username',
    kind: text,
    default: '',
    description: 'User name for `registry`.',
    platforms: ALL,
    group: 'Registry login',
  },
  {
    name: 'password',
    kind: text,
    default: '',
    description: 'Password or token for `registry`. Goes to `docker login --password-stdin` only, and is masked.',
    platforms: ALL,
    secret: true,
    group: 'Registry login',
  },
  {
    name: 'registry-auth',
    kind: text,
    default: '',
    description:
      "Several registries at once, as docker/login-action's YAML list: `- registry: ...` with `username` and `password` each.",
    platforms: ALL,
    secret: true,
    group: 'Registry login',
  },
  {
    name: 'github-token',
    kind: text,
    default: '',
    githubDefault: '${{ github.token }}',
    description:
      "Token for GitHub's API (repository facts) and for ghcr.io when nothing else is configured. Default on GitHub: the workflow token.",
    platforms: ['github'],
    secret: true,
    group: 'Registry login',
  },
  // Builder (docker/setup-buildx-action's and setup-qemu-action's inputs)
  {
    name: 'builder',
    kind: text,
    default: '',
    description: 'Name of an existing buildx builder to use. Empty: a new builder of `driver`, removed at the end.',
    platforms: ALL,
    group: 'Builder',
  },
  {
    name: 'driver',
    kind: { type: 'enum', options: DRIVERS },
    default: 'docker-container',
    description:
      "The new builder's buildx driver. `docker-container`: BuildKit in a container of the job's Docker engine. `remote`: a BuildKit daemon that already runs, at `endpoint` (no Docker engine needed). `kubernetes`: BuildKit pods in the cluster of the job's kubeconfig (`namespace=`, `replicas=`, `rootless=true`, `nodeselector=` through `driver-opts`). `buildkitd`: no daemon at all beforehand: the job starts BuildKit itself from the `buildkitd` on PATH (rootless through `rootlesskit` when it is not root), points a `remote` builder at its socket, and stops it at the end.",
    platforms: ALL,
    group: 'Builder',
  },
  {
    name: 'endpoint',
    kind: text,
    default: '',
    description:
      '`driver: remote`: where BuildKit listens, `tcp://buildkit.example.com:1234` (with `tls-*` for mutual TLS) or `unix:///run/buildkit/buildkitd.sock`.',
    platforms: ALL,
    group: 'Builder',
  },
  {
    name: 'append',
    // Each line is a CSV record of key=value fields, read as buildx reads driver options.
    kind: { type: 'list', commas: false, literalQuotes: true },
    default: '',
    description:
      'More nodes of the new builder, one per line: `endpoint=tcp://arm64.example.com:1234,platforms=linux/arm64` (`remote`), or `platforms=linux/arm64,nodeselector=kubernetes.io/arch=arm64` (`kubernetes`); other fields are driver options of that node. Each platform builds on the node that declares it, natively, and the build still yields one index. The first node serves the other platforms.',
    platforms: ALL,
    group: 'Builder',
  },
  {
    name: 'tls-ca-cert',
    kind: text,
    default: '',
    description:
      "`driver: remote` over TCP: the CA that signed BuildKit's server certificate, as a file path or as PEM text (a GitLab CI/CD variable of type File gives a path).",
    platforms: ALL,
    group: 'Builder',
  },
  {
    name: 'tls-cert',
    kind: text,
    default: '',
    description: "`driver: remote` over TCP: the client's certificate, a file path or PEM text.",
    platforms: ALL,
    group: 'Builder',
  },
  {
    name: 'tls-key',
    kind: text,
    default: '',
    description:
      "`driver: remote` over TCP: the client's private key, a file path or PEM text; PEM text is written to the run's private directory and removed with it.",
    platforms: ALL,
    secret: true,
    group: 'Builder',
  },
  {
    name: 'buildkit-image',
    kind: text,
    default: 'moby/buildkit:buildx-stable-1',
    description: 'BuildKit image of the new builder: set it to a mirror on air-gapped runners.',
    platforms: ALL,
    group: 'Builder',
  },
  {
    name: 'buildkitd-config-inline',
    kind: text,
    default: '',
    description: 'buildkitd.toml for the new builder (registry mirrors, CA certificates, insecure registries).',
    platforms: ALL,
    group: 'Builder',
  },
  {
    name: 'driver-opts',
    // setup-buildx-action: `ignoreComma` and `quote: false`, since buildx reads each `--driver-opt` as CSV itself:
    // `"env.no_proxy=localhost,127.0.0.1"` is one option.
    kind: { type: 'list', commas: false, literalQuotes: true },
    default: '',
    description:
      'Driver options of the new builder, `key=value` one per line (`network=host`, `env.HTTP_PROXY=...`); quoted, as buildx reads them, when a value holds commas: `"env.no_proxy=localhost,127.0.0.1"`.',
    platforms: ALL,
    group: 'Builder',
  },
  {
    name: 'binfmt-image',
    kind: text,
    default: 'tonistiigi/binfmt:latest',
    description: 'Image that installs QEMU handlers, run only for requested platforms the builder cannot already run.',
    platforms: ALL,
    group: 'Builder',
  },
];

export interface OutputSpec {
  readonly name: string;
  readonly description: string;
}

export const OUTPUTS: readonly OutputSpec[] = [
  { name: 'digest', description: 'Digest of the pushed image index (or of the image, for a single-platform build).' },
  { name: 'platform-digests', description: 'JSON object: platform → digest of its image manifest.' },
  { name: 'image', description: 'The image by digest: `registry/repo@sha256:...`.' },
  {
    name: 'digest-file',
    description:
      'With `push: digest`: the file holding the image by digest (`<reports-dir>/digests/linux-amd64`), to pass to a `merge` job as an artifact.',
  },
  { name: 'tags', description: 'The tags attached, full references, one per line.' },
  {
    name: 'labels',
    description:
      'The labels the build gave the image, `key=value` one per line (empty for promote and merge, which write none).',
  },
  { name: 'annotations', description: 'The annotations of the image, one per line.' },
  { name: 'version', description: "The main version (metadata-action's `version` output): the highest-priority tag." },
  { name: 'metadata', description: "buildx's build metadata, JSON." },
  { name: 'imageid', description: 'Image ID in the local engine, when `load` is true.' },
  {
    name: 'cache',
    description:
      'JSON: the layer cache\'s kind, the keys read and written, and how many build steps came from it: `{"kind":"gha","read":[...],"write":"...","steps":5,"cached":4}`.',
  },
  {
    name: 'check-result',
    description:
      "The Dockerfile checks: `passed`, `failed` or `skipped` (`check` is false, or the builder's BuildKit has no checks).",
  },
  {
    name: 'check-sarif',
    description:
      'Path of the Dockerfile checks as SARIF, for `github/codeql-action/upload-sarif` (one rule per check).',
  },
  {
    name: 'check-codequality',
    description: "Path of the Dockerfile checks as GitLab's code quality report (`artifacts: reports: codequality`).",
  },
  { name: 'check-junit', description: 'Path of the Dockerfile checks as JUnit: one test case per finding.' },
  { name: 'scan-result', description: '`passed`, `failed` or `skipped`.' },
  { name: 'scan-counts', description: 'JSON object: platform → severity → number of reported findings.' },
  { name: 'sarif', description: 'Path of the SARIF report, for `github/codeql-action/upload-sarif`.' },
  { name: 'gitlab-report', description: "Path of GitLab's container-scanning report." },
  { name: 'junit', description: 'Path of the JUnit report: one test case per finding.' },
  {
    name: 'sbom-files',
    description:
      'With `sbom` on and the scan gate run: the SBOM files, one per platform, one per line (for `actions/upload-artifact` or `actions/attest-sbom`).',
  },
  {
    name: 'signatures',
    description: 'With `sign`: the references signed (every repository, the index by digest), one per line.',
  },
  {
    name: 'verify-command',
    description: 'With `sign`: the cosign command that verifies the signature of the first signed reference.',
  },
  { name: 'test-result', description: 'The test gate: `passed`, `failed` or `skipped`.' },
  { name: 'test-junit', description: "Path of the test gate's JUnit report: one test case per platform." },
];

export function inputSpec(name: string): InputSpec {
  const spec = INPUTS.find((s) => s.name === name);
  if (spec === undefined) throw new Error(`no input named ${name}`);
  return spec;
}

/** Output name → dotenv variable: `platform-digests` → `DOCKER_BUILD_PLATFORM_DIGESTS`. */
export function dotenvName(output: string): string {
  return `DOCKER_BUILD_${output.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

/**
 * The outputs later jobs need, within GitLab's limits on a dotenv report (5 KB, one line per variable): not the
 * labels, annotations or buildx's metadata, which are in the job log.
 */
export const DOTENV_OUTPUTS = [
  'digest',
  'image',
  'tags',
  'version',
  'platform-digests',
  'check-result',
  'scan-result',
  'test-result',
  'imageid',
  'signatures',
  'sbom-files',
];
