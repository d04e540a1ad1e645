/**
 * Argument lists for docker and buildx, built apart from running them (the getCommand pattern): pure functions that
 * table tests check. Values go as `--flag=value`, one argv element each, so no value can ever be read as an option.
 */
import type { BuilderPlan, BuildPlan } from '../plan/types.js';

export function loginArgs(registry: string, username: string): string[] {
  return ['login', `--username=${username}`, '--password-stdin', registry];
}

export function logoutArgs(registry: string): string[] {
  return ['logout', registry];
}

/** Where the step wrote the files of the new builder: `buildkitd-config-inline`, and the TLS files of a remote one. */
export interface BuilderFiles {
  config?: string | undefined;
  caCert?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

type CreatePlan = Extract<BuilderPlan, { kind: 'create' }>;

/**
 * `buildx create` of the new builder's first node. `endpoint`: where a `buildkitd` builder's daemon listens (the run
 * started it); a remote builder's is in its plan. With nodes to append, those follow (appendNodeArgs).
 */
export function createBuilderArgs(builder: CreatePlan, files: BuilderFiles = {}, endpoint?: string): string[] {
  const [first] = builder.nodes;
  return [
    'buildx',
    'create',
    `--name=${builder.name}`,
    ...nodeArgs(builder, first, files),
    ...(files.config === undefined ? [] : [`--buildkitd-config=${files.config}`]),
    '--bootstrap',
    ...endpointArg(endpoint ?? first?.endpoint),
  ];
}

/**
 * `docker context create` of a context for an engine reached over TCP with TLS: buildx makes a docker-container
 * builder on such an engine only through a context, never from DOCKER_HOST and DOCKER_CERT_PATH themselves.
 */
export function createContextArgs(
  name: string,
  engine: { host: string; ca: string; cert: string; key: string },
): string[] {
  return [
    'context',
    'create',
    name,
    '--docker',
    `host=${engine.host},ca=${engine.ca},cert=${engine.cert},key=${engine.key}`,
  ];
}

/** `buildx create --append` of node `index` (1 and on) of the new builder: each serves the platforms it declares. */
export function appendNodeArgs(builder: CreatePlan, index: number, files: BuilderFiles = {}): string[] {
  const node = builder.nodes[index];
  return [
    'buildx',
    'create',
    '--append',
    `--name=${builder.name}`,
    `--node=${builder.name}${index}`,
    ...nodeArgs(builder, node, files),
    ...(files.config === undefined ? [] : [`--buildkitd-config=${files.config}`]),
    '--bootstrap',
    ...endpointArg(node?.endpoint),
  ];
}

function nodeArgs(builder: CreatePlan, node: CreatePlan['nodes'][number] | undefined, files: BuilderFiles): string[] {
  const driver = builder.driver === 'buildkitd' ? 'remote' : builder.driver;
  const tls =
    driver === 'remote'
      ? [
          ...(files.caCert === undefined ? [] : [{ key: 'cacert', value: files.caCert }]),
          ...(files.cert === undefined ? [] : [{ key: 'cert', value: files.cert }]),
          ...(files.key === undefined ? [] : [{ key: 'key', value: files.key }]),
        ]
      : [];
  const image = driver === 'remote' ? [] : [`--driver-opt=image=${builder.image}`];
  return [
    `--driver=${driver}`,
    ...image,
    ...[...tls, ...builder.driverOpts, ...(node?.driverOpts ?? [])].map(
      (opt) => `--driver-opt=${csvField(`${opt.key}=${opt.value}`)}`,
    ),
    ...((node?.platforms.length ?? 0) > 0 ? [`--platform=${node?.platforms.join(',') ?? ''}`] : []),
  ];
}

/** The endpoint, last, after `--`: never read as an option. */
function endpointArg(endpoint: string | undefined): string[] {
  return endpoint === undefined ? [] : ['--', endpoint];
}

export function removeBuilderArgs(name: string): string[] {
  return ['buildx', 'rm', '--force', name];
}

export function inspectBuilderArgs(name: string): string[] {
  return ['buildx', 'inspect', '--bootstrap', name];
}

/**
 * One field of an option that buildx reads as a CSV record (`--driver-opt`, `--secret`; builder/builder.go csvToMap):
 * quoted when it holds a comma, a quote or a line break, so that `env.no_proxy=a,b` stays one field.
 */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The environment variable that carries the value of build secret number `index` to buildx. */
export function secretEnvName(index: number): string {
  return `DOCKER_BUILD_SECRET_${index}`;
}

function outputArg(build: BuildPlan): string[] {
  switch (build.output.kind) {
    case 'push-by-digest':
      return [
        `--output=type=image,"name=${build.output.repositories.join(',')}",push-by-digest=true,name-canonical=true,push=true`,
      ];
    case 'load':
      return ['--load', ...build.output.tags.map((tag) => `--tag=${tag}`)];
    case 'none':
      // Said outright, so buildx does not warn that the result stays in the cache: that is the point.
      return ['--output=type=cacheonly'];
    case 'oci-archive':
      // An OCI layout directory: Trivy's --input reads a layout directory or a docker-archive tar, not an OCI tar.
      return [`--output=type=oci,dest=${build.output.dest},tar=false`];
  }
}

export function buildArgs(build: BuildPlan, builder: string, metadataFile: string): string[] {
  const optional = (flag: string, value: string | undefined) => (value === undefined ? [] : [`--${flag}=${value}`]);
  return [
    'buildx',
    'build',
    `--builder=${builder}`,
    // CI logs are not terminals: one line per event, no cursor movement.
    '--progress=plain',
    ...optional('file', build.file),
    ...optional('target', build.target),
    ...(build.platforms.length > 0 ? [`--platform=${build.platforms.join(',')}`] : []),
    ...build.buildArgs.map((arg) => `--build-arg=${arg.key}=${arg.value}`),
    ...build.buildContexts.map((ctx) => `--build-context=${ctx.key}=${ctx.value}`),
    ...build.secretIds.map((id, index) => `--secret=id=${id},env=${secretEnvName(index)}`),
    ...build.secretEnvs.map((secret) => `--secret=id=${secret.key},env=${secret.value}`),
    ...build.secretFiles.map((secret) => `--secret=id=${secret.key},${csvField(`src=${secret.value}`)}`),
    ...build.ssh.map((ssh) => `--ssh=${ssh}`),
    ...build.labels.map((label) => `--label=${label.key}=${label.value}`),
    ...build.annotations.map((annotation) => `--annotation=${annotation}`),
    ...(build.pull ? ['--pull'] : []),
    ...(build.noCache ? ['--no-cache'] : []),
    ...build.cacheFrom.map((entry) => `--cache-from=${entry}`),
    ...build.cacheTo.map((entry) => `--cache-to=${entry}`),
    ...optional('provenance', build.provenance),
    ...optional('sbom', build.sbom),
    ...outputArg(build),
    `--metadata-file=${metadataFile}`,
    // The context last, after `--`: a context path can never be taken for an option.
    '--',
    build.context,
  ];
}

/**
 * Attaches tags to a pushed digest (one call per repository), copying it first when the source is in another
 * repository. One source is taken as it is (`--prefer-index=false`: an image manifest is not wrapped in a new index),
 * so the tags point at the very digest the gates judged.
 */
export function imagetoolsCreateArgs(builder: string, tags: readonly string[], source: string): string[] {
  return [
    'buildx',
    'imagetools',
    'create',
    `--builder=${builder}`,
    '--prefer-index=false',
    ...tags.map((tag) => `--tag=${tag}`),
    source,
  ];
}

/**
 * Joins images by digest into one index: `--dry-run` prints it (nothing pushed); else it is pushed to `target`, a
 * reference by digest (the index's own, as the dry run gave it), so that no tag is written, and its descriptor is
 * written to `metadataFile`.
 */
export function imagetoolsMergeArgs(
  builder: string,
  sources: readonly string[],
  push: { target: string; metadataFile: string } | 'dry-run',
): string[] {
  return [
    'buildx',
    'imagetools',
    'create',
    `--builder=${builder}`,
    ...(push === 'dry-run' ? ['--dry-run'] : [`--tag=${push.target}`, `--metadata-file=${push.metadataFile}`]),
    ...sources,
  ];
}

/** What the registry holds for a reference: `--raw` (the manifest as served), or a Go template (`{{json .Image}}`). */
export function imagetoolsInspectArgs(builder: string, reference: string, format: string): string[] {
  return [
    'buildx',
    'imagetools',
    'inspect',
    `--builder=${builder}`,
    ...(format === 'raw' ? ['--raw'] : [`--format=${format}`]),
    reference,
  ];
}
