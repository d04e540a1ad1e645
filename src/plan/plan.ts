/**
 * The pure plan: inputs and CI context in, everything docker-build will do out. No environment, clock or file system
 * here: the edge passes the clock reading, the metadata toggles and the builder's name.
 */
import type { CiContext } from '../context/types.js';
import type { RegistryLogin } from '../inputs/login.js';
import type { Inputs, TlsFile } from '../inputs/parse.js';
import { NO_PROXY_ENV, type ProxyEnv } from '../inputs/proxy.js';
import type { KeyValue } from '../inputs/values.js';
import { InputError } from '../errors.js';
import { computeParsedMeta, parseMeta, type ParsedMeta } from '../meta/index.js';
import { cacheRepository, planCache, type CachePlan } from './cache.js';
import { describeSource, missingMessage, planCredentials, type UserDockerConfig } from './credentials.js';
import { pulledImages } from './dockerfile.js';
import { planProxy } from './proxy.js';
import { planCheck } from './check.js';
import { planScan } from './scan.js';
import { planTest } from './test.js';
import { operationInputs, planOperation, sourceRepository } from './operation.js';
import { decidePush } from './push.js';
import { registryOf } from './registries.js';
import { sbomAttestation } from './sbom.js';
import { planSign, planVerify } from './sign.js';
import {
  references,
  type BuilderNodePlan,
  type TlsFilePlan,
  type BuilderPlan,
  type BuildOutput,
  type BuildPlan,
  type Plan,
  type TagGroup,
} from './types.js';

export interface MetadataToggles {
  /** DOCKER_METADATA_SHORT_SHA_LENGTH */
  shortShaLength: number | undefined;
  /** DOCKER_METADATA_PR_HEAD_SHA */
  prHeadSha: boolean;
  /** DOCKER_METADATA_ANNOTATIONS_LEVELS; undefined: manifest, plus index for a multi-platform build */
  annotationLevels: string[] | undefined;
}

export interface PlanRequest {
  ctx: CiContext;
  inputs: Inputs;
  /** the logins configured by inputs */
  logins: readonly RegistryLogin[];
  /** logins the platform offers by itself, used for registries pushed to that have no configured login */
  automatic: readonly RegistryLogin[];
  toggles: MetadataToggles;
  /** the tag engine's inputs as planMeta checked them; parsed here when not given */
  meta?: ParsedMeta;
  now: Date;
  /** name for a builder docker-build creates */
  builderName: string;
  /** the platform the builder builds for when `platforms` is empty (`linux/amd64`) */
  hostPlatform: string;
  /** the runner offers GitHub's cache service */
  ghaAvailable: boolean;
  /** the user's Docker config (prior logins, credential helpers), when there is one */
  dockerConfig: UserDockerConfig | undefined;
  /** the Dockerfile's text, when it could be read: the registries it pulls from get their credentials */
  dockerfile: string | undefined;
  /** Trivy's ignore files, absolute, as the edge found and checked them */
  ignoreFiles?: string[];
  /** the job has a Docker engine (DOCKER_HOST, or the default socket): where the test gate runs its command */
  engine?: boolean;
  /** the job's proxy variables; none when absent */
  proxy?: ProxyEnv;
  /** the job has an OIDC token for Sigstore's keyless signing (GitHub's id-token permission, GitLab's SIGSTORE_ID_TOKEN) */
  oidc?: boolean;
  /** merge's sources as the edge read them from files and directories; `inputs.sources` when not given */
  sources?: readonly string[] | undefined;
}

/** `ghcr.io/o/app:1.2` → `ghcr.io/o/app` (a registry port is not a tag). */
export function repositoryOf(reference: string): string {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? reference.slice(0, colon) : reference;
}

function keyValue(line: string): KeyValue {
  const at = line.indexOf('=');
  return { key: line.slice(0, at), value: line.slice(at + 1) };
}

/**
 * The tag engine's inputs, checked: every image, tag rule, flavor, label and annotation. The edge calls it before the
 * first git or network call, so that a bad rule fails before anything is asked of anyone.
 */
export function planMeta(inputs: Inputs, toggles: MetadataToggles): ParsedMeta {
  return parseMeta({
    images: inputs.images,
    tags: inputs.tags,
    flavor: inputs.flavor,
    labels: inputs.labels,
    annotations: inputs.annotations,
    shaLength: inputs.shaLength,
    shortShaLengthEnv: toggles.shortShaLength,
    prHeadSha: toggles.prHeadSha,
    annotationLevels: toggles.annotationLevels ?? (inputs.platforms.length > 1 ? ['manifest', 'index'] : ['manifest']),
  });
}

export function makePlan(request: PlanRequest): Plan {
  const { ctx } = request;
  const operation = planOperation(request.inputs, request);
  const inputs = operationInputs(request.inputs, operation);
  const meta = computeParsedMeta(ctx, request.meta ?? planMeta(inputs, request.toggles), request.now);
  const digestOnly = operation.kind === 'digest';
  // Every image with every tag, then the tags given as full references, grouped by repository; `push: digest`
  // attaches none.
  const groups = digestOnly
    ? []
    : tagGroups(
        meta.images.map((image) => ({ repository: image, tags: meta.tagNames })),
        meta.references,
      );
  const tags = references(groups);
  const repositories = digestOnly ? meta.images : groups.map((group) => group.repository);
  if (digestOnly && repositories.length === 0) {
    throw new InputError('push', 'digest', 'needs an image in images to push to');
  }
  const noTag = !digestOnly && inputs.images.length > 0 && repositories.length === 0;
  if (noTag && inputs.push === 'always') {
    throw new InputError('push', 'true', 'no tag rule gives a tag for this event, so there is nothing to push');
  }
  if (inputs.push === 'always' && repositories.length === 0) {
    throw new InputError('push', 'true', 'needs an image in images, or a full image reference in tags');
  }
  // Images given, but no rule gives a tag for this event: there would be nothing to attach after the push.
  const push = digestOnly
    ? { push: true, reason: `push is digest: ${operation.platform} pushed by digest alone, for a merge job` }
    : noTag && inputs.push === 'auto'
      ? { push: false, reason: 'push is auto, and no tag rule gives a tag for this event', warn: true }
      : decidePush(inputs.push, ctx, repositories);

  let output: BuildOutput;
  if (push.push) output = { kind: 'push-by-digest', repositories };
  else if (inputs.load) output = { kind: 'load', tags };
  else output = { kind: 'none' };

  const proxy = planProxy(
    request.proxy ?? NO_PROXY_ENV,
    inputs.builder !== undefined
      ? { kind: 'existing' }
      : inputs.driver === 'remote'
        ? { kind: 'remote' }
        : inputs.driver === 'buildkitd'
          ? { kind: 'buildkitd' }
          : { kind: 'create', driverOpts: inputs.driverOpts },
  );
  const builder: BuilderPlan =
    inputs.builder === undefined
      ? {
          kind: 'create',
          name: request.builderName,
          driver: inputs.driver,
          image: inputs.buildkitImage,
          config: inputs.buildkitdConfigInline,
          driverOpts: [...inputs.driverOpts, ...proxy.driverOpts],
          nodes: builderNodes(inputs),
          tls: {
            caCert: tlsPlan(inputs.tls.caCert),
            cert: tlsPlan(inputs.tls.cert),
            key: tlsPlan(inputs.tls.key),
          },
        }
      : { kind: 'existing', name: inputs.builder };

  const cache = planCache({
    ctx,
    cache: inputs.cache,
    mode: inputs.cacheMode,
    ref: inputs.cacheRef,
    scope: inputs.cacheScope,
    rawFrom: inputs.cacheFrom,
    rawTo: inputs.cacheTo,
    repositories,
    tags,
    target: inputs.target,
    platforms: inputs.platforms,
    hostPlatform: request.hostPlatform,
    push: push.push,
    ghaAvailable: request.ghaAvailable,
  });

  const { credentials, logins, missing } = planCredentials({
    platform: ctx.platform,
    registries: registriesInPlay({
      repositories,
      push: push.push,
      cache,
      inputs,
      // Promote and merge build nothing: the Dockerfile's base images are not theirs to pull.
      dockerfile: sourceRepository(operation) === undefined ? request.dockerfile : undefined,
      // The dependency proxy, for base images pulled through it (FROM $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/...).
      pulls: request.automatic.flatMap((login) => (login.source === 'dependency-proxy' ? [login.registry] : [])),
      sources: operation.kind === 'promote' ? [operation.source] : operation.kind === 'merge' ? operation.sources : [],
    }),
    logins: request.logins,
    automatic: request.automatic,
    config: request.dockerConfig,
    pushing: push.push,
  });

  const build: BuildPlan = {
    context: inputs.context,
    file: inputs.file,
    target: inputs.target,
    platforms: inputs.platforms,
    buildArgs: inputs.buildArgs,
    buildContexts: inputs.buildContexts,
    secretIds: inputs.secrets.map((secret) => secret.key),
    secretEnvs: inputs.secretEnvs,
    secretFiles: inputs.secretFiles,
    ssh: inputs.ssh,
    labels: meta.labels.map(keyValue),
    annotations: meta.annotations,
    pull: inputs.pull,
    noCache: inputs.noCache,
    provenance: inputs.provenance,
    sbom: sbomAttestation(inputs.sbom, inputs.sbomGenerator),
    cacheFrom: cache.from,
    cacheTo: cache.to,
    output,
  };

  // Promote and merge judge images already built: no Dockerfile to check. `push: digest` leaves the gates to merge.
  const builds = operation.kind === 'build';
  return {
    platform: ctx.platform,
    operation,
    version: meta.version.main,
    tags: groups,
    bareTags: inputs.images.length === 0 && tags.length === 0 ? meta.tagNames : [],
    labels: build.labels,
    annotations: meta.annotations,
    platforms: inputs.platforms,
    push:
      missing.length === 0
        ? push
        : {
            ...push,
            blocked: missingMessage(
              missing,
              ctx.platform,
              // push: auto's own reason says it all but what auto means.
              inputs.push === 'auto' && operation.kind === 'build'
                ? undefined
                : { reason: push.reason, auto: inputs.push === 'auto' },
            ),
          },
    logins: logins.map((login) => ({ registry: login.registry, source: login.source })),
    credentials: credentials.map((credential) => ({
      registry: credential.registry,
      push: credential.push,
      source: describeSource(credential.source),
      ...(credential.source?.kind === 'login' ? {} : { copy: credential.source }),
    })),
    builder,
    binfmtImage: inputs.binfmtImage,
    cache,
    check: builds ? planCheck(inputs) : undefined,
    scan: digestOnly ? undefined : planScan(inputs, request.ignoreFiles ?? []),
    sign: planSign(inputs, operation, request.oidc ?? false, push.push),
    verify: planVerify(inputs, operation),
    test: digestOnly
      ? undefined
      : planTest(inputs, { push: push.push, engine: request.engine ?? true, dockerfile: request.dockerfile }),
    reportsDir: inputs.reportsDir,
    build,
    proxy: proxy.plan,
  };
}

/**
 * Every registry the run talks to, the pushed ones first: where it pushes, its registry cache, the images the
 * Dockerfile and the build contexts pull, Trivy's database repositories. Their credentials, where the job has any,
 * reach the private config; only the pushed ones must have one.
 */
function registriesInPlay(request: {
  repositories: readonly string[];
  push: boolean;
  cache: CachePlan;
  inputs: Inputs;
  dockerfile: string | undefined;
  pulls: readonly string[];
  /** the images a promote or merge reads */
  sources: readonly string[];
}): { registry: string; push: boolean }[] {
  const { inputs } = request;
  const references = [
    ...(request.cache.kind === 'registry'
      ? [cacheRepository({ ref: inputs.cacheRef, repositories: request.repositories }) ?? '']
      : []),
    ...[...request.cache.from, ...request.cache.to].flatMap((entry) => /(?:^|,)ref=([^,]+)/.exec(entry)?.[1] ?? []),
    ...inputs.buildContexts.flatMap(({ value }) =>
      value.startsWith('docker-image://') ? [value.slice('docker-image://'.length)] : [],
    ),
    ...(request.dockerfile === undefined ? [] : pulledImages(request.dockerfile, inputs.buildArgs)),
    ...inputs.dbRepositories,
    ...inputs.javaDbRepositories,
    ...request.pulls.map((registry) => `${registry}/x`),
    ...request.sources,
  ].filter((reference) => reference !== '');
  const pushed = request.repositories.map(registryOf);
  const registries = [
    ...pushed.map((registry) => ({ registry, push: request.push })),
    ...references.map((reference) => ({ registry: registryOf(reference), push: false })),
  ];
  return registries.filter((entry, index) => registries.findIndex((e) => e.registry === entry.registry) === index);
}

/**
 * The nodes of a builder docker-build creates: the first (at `endpoint` for remote), serving every platform that no
 * node of `append` declares, then those nodes.
 */
function builderNodes(inputs: Inputs): BuilderNodePlan[] {
  const declared = inputs.append.flatMap((node) => node.platforms);
  const first: BuilderNodePlan = {
    endpoint: inputs.endpoint,
    platforms: declared.length === 0 ? [] : inputs.platforms.filter((platform) => !declared.includes(platform)),
    driverOpts: [],
  };
  return [first, ...inputs.append.map((node) => ({ ...node }))];
}

function tlsPlan(file: TlsFile | undefined): TlsFilePlan | undefined {
  if (file === undefined) return undefined;
  return file.kind === 'path' ? { kind: 'path', path: file.path } : { kind: 'pem' };
}

/** Tag groups of the images, then the references, one group per repository, no tag twice. */
function tagGroups(images: readonly TagGroup[], refs: readonly { repository: string; tag: string }[]): TagGroup[] {
  const groups: TagGroup[] = [];
  const add = (repository: string, tag: string) => {
    let group = groups.find((g) => g.repository === repository);
    if (group === undefined) {
      group = { repository, tags: [] };
      groups.push(group);
    }
    if (!group.tags.includes(tag)) group.tags.push(tag);
  };
  for (const image of images) for (const tag of image.tags) add(image.repository, tag);
  for (const ref of refs) add(ref.repository, ref.tag);
  return groups.filter((group) => group.tags.length > 0);
}
