/**
 * The pure plan: inputs and CI context in, everything docker-build will do out. No environment, clock or file system
 * here: the edge passes the clock reading, the metadata toggles and the builder's name.
 */
import type { CiContext } from '../context/types.js';
import type { RegistryLogin } from '../inputs/login.js';
import type { Inputs } from '../inputs/parse.js';
import { NO_PROXY_ENV, type ProxyEnv } from '../inputs/proxy.js';
import type { KeyValue } from '../inputs/values.js';
import { computeMeta } from '../meta/index.js';
import { planCache } from './cache.js';
import { planProxy } from './proxy.js';
import { decidePush } from './push.js';
import { registriesOf } from './registries.js';
import type { BuilderPlan, BuildOutput, BuildPlan, Plan } from './types.js';

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
  now: Date;
  /** name for a builder docker-build creates */
  builderName: string;
  /** the platform the builder builds for when `platforms` is empty (`linux/amd64`) */
  hostPlatform: string;
  /** the runner offers GitHub's cache service */
  ghaAvailable: boolean;
  /** the job's proxy variables; none when absent */
  proxy?: ProxyEnv;
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

export function makePlan(request: PlanRequest): Plan {
  const { ctx, inputs, toggles } = request;
  const multiPlatform = inputs.platforms.length > 1;
  const meta = computeMeta(
    ctx,
    {
      images: inputs.images,
      tags: inputs.tags,
      flavor: inputs.flavor,
      labels: inputs.labels,
      annotations: inputs.annotations,
      shaLength: inputs.shaLength,
      shortShaLengthEnv: toggles.shortShaLength,
      prHeadSha: toggles.prHeadSha,
      annotationLevels: toggles.annotationLevels ?? (multiPlatform ? ['manifest', 'index'] : ['manifest']),
    },
    request.now,
  );
  const images = inputs.images.length === 0 ? [] : meta.tags;
  const repositories = [...new Set(images.map(repositoryOf))];
  const targets = registriesOf(repositories);
  const logins = [
    ...request.logins,
    ...request.automatic.filter(
      (login) =>
        (targets.includes(login.registry) || login.source === 'dependency-proxy') &&
        !request.logins.some((l) => l.registry === login.registry),
    ),
  ];
  // Images given, but no rule gives a tag for this event: there would be nothing to attach after the push.
  const push =
    inputs.images.length > 0 && repositories.length === 0 && inputs.push !== 'never'
      ? { push: false, reason: 'no tag rule gives a tag for this event' }
      : decidePush(
          inputs.push,
          ctx,
          repositories,
          logins.map((login) => login.registry),
        );

  let output: BuildOutput;
  if (push.push) output = { kind: 'push-by-digest', repositories };
  else if (inputs.load) output = { kind: 'load', tags: images };
  else output = { kind: 'none' };

  const proxy = planProxy(
    request.proxy ?? NO_PROXY_ENV,
    inputs.builder === undefined ? { kind: 'create', driverOpts: inputs.driverOpts } : { kind: 'existing' },
  );
  const builder: BuilderPlan =
    inputs.builder === undefined
      ? {
          kind: 'create',
          name: request.builderName,
          image: inputs.buildkitImage,
          config: inputs.buildkitdConfigInline,
          driverOpts: [...inputs.driverOpts, ...proxy.driverOpts],
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
    tags: images,
    target: inputs.target,
    platforms: inputs.platforms,
    hostPlatform: request.hostPlatform,
    push: push.push,
    ghaAvailable: request.ghaAvailable,
  });

  const build: BuildPlan = {
    context: inputs.context,
    file: inputs.file,
    target: inputs.target,
    platforms: inputs.platforms,
    buildArgs: inputs.buildArgs,
    buildContexts: inputs.buildContexts,
    secretIds: inputs.secrets.map((secret) => secret.key),
    secretFiles: inputs.secretFiles,
    ssh: inputs.ssh,
    labels: meta.labels.map(keyValue),
    annotations: meta.annotations,
    pull: inputs.pull,
    noCache: inputs.noCache,
    provenance: inputs.provenance,
    sbom: inputs.sbom,
    cacheFrom: cache.from,
    cacheTo: cache.to,
    output,
  };

  return {
    platform: ctx.platform,
    version: meta.version.main,
    tags: images,
    labels: build.labels,
    annotations: meta.annotations,
    platforms: inputs.platforms,
    push,
    logins: logins.map((login) => ({ registry: login.registry, source: login.source })),
    builder,
    cache,
    build,
    proxy: proxy.plan,
  };
}
