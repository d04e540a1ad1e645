/**
 * Turns the raw input text into typed Inputs, validating everything before any side effect. Image names and tag rules
 * are validated by the tag engine (src/meta/), which owns their grammar.
 */
import { InputError } from '../errors.js';
import { combineLogins, parseRegistryAuth, simpleLogin, type RegistryLogin } from './login.js';
import { CHECK_FAIL_ON, type CheckFailOn } from '../check/verdict.js';
import { CACHE_KINDS, type CacheChoice } from './choices.js';
import { parseSeverities } from '../scan/policy.js';
import type { Severity } from '../scan/types.js';
import { parseCommand } from './command.js';
import { csvFields, parseList, type ListFormat } from './list.js';
import { COMMANDS, DRIVERS, inputSpec as spec, type Command, type Driver, type InputSpec } from './table.js';
import { optional, parseBoolean, parseInteger, parseKeyValue, parseOption, type KeyValue } from './values.js';

/** A node `append` adds to the builder: its endpoint (remote), the platforms it declares, its driver options. */
export interface BuilderNode {
  endpoint: string | undefined;
  platforms: string[];
  driverOpts: KeyValue[];
}

/** A TLS file of a remote builder: a path, or PEM text (written to the run's private directory when it starts). */
export type TlsFile = { kind: 'path'; path: string } | { kind: 'pem'; text: string };

export interface TlsInputs {
  caCert: TlsFile | undefined;
  cert: TlsFile | undefined;
  key: TlsFile | undefined;
}

export type PushMode = 'auto' | 'always' | 'never' | 'digest';

export interface Inputs {
  command: Command;
  /** `promote`'s image by digest: `registry/repo@sha256:...` */
  source: string | undefined;
  /** `merge`'s images, as given: references by digest, or paths of digest files and directories (read at the edge) */
  sources: string[];
  images: string[];
  tags: string[];
  flavor: string[];
  labels: string[];
  annotations: string[];
  shaLength: number | undefined;
  context: string;
  file: string | undefined;
  target: string | undefined;
  buildArgs: KeyValue[];
  buildContexts: KeyValue[];
  secrets: KeyValue[];
  /** id → the name of the environment variable that holds the secret (read by buildx, never by the plan) */
  secretEnvs: KeyValue[];
  secretFiles: KeyValue[];
  ssh: string[];
  platforms: string[];
  pull: boolean;
  noCache: boolean;
  provenance: string | undefined;
  sbom: string | undefined;
  sbomGenerator: string | undefined;
  sign: boolean;
  signKey: CosignKey | undefined;
  signKeyPassword: string | undefined;
  signTlog: boolean;
  verify: VerifyChoice;
  sbomFormat: SbomFormat;
  push: PushMode;
  load: boolean;
  logins: RegistryLogin[];
  githubToken: string | undefined;
  builder: string | undefined;
  driver: Driver;
  /** `remote`'s first node */
  endpoint: string | undefined;
  /** more nodes of the new builder */
  append: BuilderNode[];
  /** `remote` over TCP: each a file path, or PEM text (the key's is a secret) */
  tls: TlsInputs;
  buildkitImage: string;
  buildkitdConfigInline: string | undefined;
  driverOpts: KeyValue[];
  binfmtImage: string;
  check: boolean;
  checkFailOn: CheckFailOn;
  scan: boolean;
  failOn: Severity[];
  scanSeverity: Severity[];
  ignoreUnfixed: boolean;
  scanners: string[];
  trivyignores: string[];
  scanTimeout: string;
  trivyVersion: string;
  scanFailOpen: boolean;
  dbRepositories: string[];
  cache: CacheChoice;
  cacheMode: 'max' | 'min';
  cacheRef: string | undefined;
  cacheScope: string | undefined;
  cacheFrom: string[];
  cacheTo: string[];
  javaDbRepositories: string[];
  trivyCacheDir: string | undefined;
  trivyDbCache: boolean;
  reportsDir: string;
  /** the test gate's command, as an argument vector; undefined when `test` is empty */
  test: string[] | undefined;
  testEnv: KeyValue[];
  /** one platform's limit, in milliseconds (more than 0) */
  testTimeoutMs: number;
  testPlatforms: string[];
  healthcheck: boolean;
  testRunner: 'auto' | 'docker' | 'builder';
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_./:@-]*$/;
const OPTION_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SSH = /^[A-Za-z0-9_.-]+(?:=.+)?$/;
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const VERSION = /^v?\d+\.\d+\.\d+$/;
/** An image reference as it may stand in a CSV field of buildx (no comma, quote or space). */
const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;
export const SBOM_FORMATS = ['cyclonedx', 'spdx-json'] as const;

/** cosign's key: PEM text, a file, or a key in a KMS (cosign's own URI schemes). */
export type CosignKey = { kind: 'pem'; text: string } | { kind: 'path'; path: string } | { kind: 'kms'; uri: string };
export const KMS_SCHEMES = ['awskms', 'gcpkms', 'azurekms', 'hashivault', 'k8s'] as const;

/** How promote and merge check their sources: not at all, against a public key, or against a keyless identity. */
export type VerifyChoice =
  { kind: 'none' } | { kind: 'key'; key: CosignKey } | { kind: 'identity'; identity: string; issuer: string };

function cosignKey(input: string, value: string | undefined, half: 'private' | 'public'): CosignKey | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const scheme = /^([a-z0-9]+):\/\//.exec(text)?.[1];
  if (scheme !== undefined) {
    if (!(KMS_SCHEMES as readonly string[]).includes(scheme)) {
      throw new InputError(
        input,
        half === 'private' ? `${scheme}://...` : text,
        `expected a KMS URI of ${KMS_SCHEMES.map((s) => `${s}://`).join(', ')}, a file path or PEM text`,
      );
    }
    return { kind: 'kms', uri: text };
  }
  if (text.startsWith('-----BEGIN')) {
    const kinds =
      half === 'private'
        ? /-----BEGIN (?:ENCRYPTED SIGSTORE |ENCRYPTED COSIGN |EC |)PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/
        : /-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/;
    if (!kinds.test(text)) {
      // A private key's text is never repeated in an error.
      throw new InputError(
        input,
        half === 'private' ? '(PEM text)' : (text.split('\n')[0] ?? ''),
        `does not parse as a ${half} key in PEM (cosign generate-key-pair writes one)`,
      );
    }
    return { kind: 'pem', text: `${text}\n` };
  }
  return { kind: 'path', path: text };
}

function verifyChoice(
  kind: 'none' | 'key' | 'identity',
  key: CosignKey | undefined,
  identity: string | undefined,
  issuer: string | undefined,
): VerifyChoice {
  if (kind === 'none') return { kind };
  if (kind === 'key') {
    if (key === undefined) throw new InputError('verify-key', '', 'verify: key needs the public key');
    return { kind, key };
  }
  if (identity === undefined) throw new InputError('verify-identity', '', 'verify: identity needs the signer identity');
  if (issuer === undefined) throw new InputError('verify-issuer', '', 'verify: identity needs the OIDC issuer');
  try {
    new RegExp(identity);
  } catch {
    throw new InputError('verify-identity', identity, 'is not a regular expression');
  }
  return { kind, identity, issuer };
}
export type SbomFormat = (typeof SBOM_FORMATS)[number];

/** `sbom` as buildx takes it; an empty generator (BuildKit refuses it after the build started) is refused here. */
function sbomValue(value: string | undefined): string | undefined {
  if (value !== undefined && /(?:^|,)generator=(?:,|$)/.test(value)) {
    throw new InputError('sbom', value, 'names an empty generator: give an image, or use sbom-generator');
  }
  return value;
}

function imageRef(input: string, value: string | undefined): string | undefined {
  if (value !== undefined && !IMAGE_REF.test(value)) {
    throw new InputError(input, value, 'expected an image reference (registry/repository[:tag][@sha256:...])');
  }
  return value;
}

/** Everything is checked here or in the tag engine: the first error stops the run before anything happens. */
export function parseInputs(raw: ReadonlyMap<string, string>): Inputs {
  const text = (name: string): string => {
    const value = raw.get(name);
    if (value === undefined) throw new Error(`input ${name} is not in the input table`);
    return value;
  };
  const list = (name: string): string[] => parseList(name, text(name), listFormat(spec(name)), spec(name).secret);
  const keyValues = (name: string, key: RegExp, what: string, secret = false): KeyValue[] =>
    list(name).map((line) => parseKeyValue(name, line, key, what, secret));
  const bool = (name: string): boolean => parseBoolean(name, text(name));
  const enumList = (name: string): string[] => {
    const kind = spec(name).kind;
    const values = parseList(name, text(name), { commas: true });
    for (const value of values) {
      if (kind.type === 'enum-list' && !kind.options.includes(value)) {
        throw new InputError(name, value, `expected a comma-separated list of ${kind.options.join(', ')}`);
      }
    }
    return values;
  };

  const platforms = list('platforms');
  for (const platform of platforms) {
    if (!PLATFORM.test(platform)) {
      throw new InputError('platforms', platform, 'expected os/arch[/variant], such as linux/amd64 or linux/arm/v7');
    }
  }
  const ssh = list('ssh');
  for (const entry of ssh) {
    if (!SSH.test(entry)) throw new InputError('ssh', entry, 'expected default or id=path');
  }
  const shaLength = spec('sha-length').kind;
  if (shaLength.type !== 'number') throw new Error('sha-length must be a number input');

  const command = parseOption('command', text('command'), COMMANDS);
  const inputs: Inputs = {
    command,
    source: optional(text('source')),
    sources: list('sources'),
    images: list('images'),
    tags: list('tags'),
    flavor: list('flavor'),
    labels: list('labels'),
    annotations: list('annotations'),
    shaLength: parseInteger('sha-length', text('sha-length'), shaLength.min, shaLength.max),
    context: optional(text('context')) ?? '.',
    file: optional(text('file')),
    target: optional(text('target')),
    buildArgs: keyValues('build-args', ARG_NAME, 'NAME=value'),
    buildContexts: keyValues('build-contexts', CONTEXT_NAME, 'name=source'),
    secrets: keyValues('secrets', SECRET_ID, 'id=value', true),
    secretEnvs: keyValues('secret-envs', SECRET_ID, 'id=VARIABLE').map((entry) => secretEnv(entry)),
    secretFiles: keyValues('secret-files', SECRET_ID, 'id=path'),
    ssh,
    platforms,
    pull: bool('pull'),
    noCache: bool('no-cache'),
    provenance: optional(text('provenance')),
    sbom: sbomValue(optional(text('sbom'))),
    sbomGenerator: imageRef('sbom-generator', optional(text('sbom-generator'))),
    sign: bool('sign'),
    signKey: cosignKey('sign-key', optional(text('sign-key')), 'private'),
    signKeyPassword: optional(text('sign-key-password')),
    signTlog: bool('sign-tlog'),
    verify: verifyChoice(
      parseOption('verify', text('verify'), ['none', 'key', 'identity'] as const),
      cosignKey('verify-key', optional(text('verify-key')), 'public'),
      optional(text('verify-identity')),
      optional(text('verify-issuer')),
    ),
    sbomFormat: parseOption('sbom-format', text('sbom-format'), SBOM_FORMATS),
    push: ({ auto: 'auto', true: 'always', false: 'never', digest: 'digest' } as const)[
      parseOption('push', text('push'), ['auto', 'true', 'false', 'digest'] as const)
    ],
    load: bool('load'),
    logins: combineLogins([
      ...simpleLogin(text('registry'), text('username'), text('password')),
      ...parseRegistryAuth(text('registry-auth')),
    ]),
    githubToken: optional(text('github-token')),
    builder: optional(text('builder')),
    driver: parseOption('driver', text('driver'), DRIVERS),
    endpoint: optional(text('endpoint')),
    append: list('append').map((line) => builderNode(line)),
    tls: {
      caCert: tlsFile(optional(text('tls-ca-cert'))),
      cert: tlsFile(optional(text('tls-cert'))),
      key: tlsFile(optional(text('tls-key'))),
    },
    buildkitImage: optional(text('buildkit-image')) ?? spec('buildkit-image').default,
    buildkitdConfigInline: optional(text('buildkitd-config-inline')),
    // One line may hold several options, as buildx reads it: `network=host,"env.no_proxy=a,b"`.
    driverOpts: list('driver-opts').flatMap((line) =>
      csvFields('driver-opts', line).map((field) => parseKeyValue('driver-opts', field, OPTION_KEY, 'key=value')),
    ),
    binfmtImage: optional(text('binfmt-image')) ?? spec('binfmt-image').default,
    check: bool('check'),
    checkFailOn: parseOption('check-fail-on', text('check-fail-on'), CHECK_FAIL_ON),
    scan: bool('scan'),
    failOn: parseSeverities('fail-on', list('fail-on').join(',')),
    scanSeverity: parseSeverities('scan-severity', list('scan-severity').join(',')),
    ignoreUnfixed: bool('ignore-unfixed'),
    scanners: enumList('scanners'),
    trivyignores: list('trivyignores'),
    scanTimeout: text('scan-timeout').trim(),
    trivyVersion: `v${text('trivy-version').trim().replace(/^v/, '')}`,
    scanFailOpen: bool('scan-fail-open'),
    dbRepositories: repositories('db-repository', list('db-repository')),
    cache: parseOption('cache', text('cache'), CACHE_KINDS),
    cacheMode: parseOption('cache-mode', text('cache-mode'), ['max', 'min'] as const),
    cacheRef: notAnOption('cache-ref', optional(text('cache-ref'))),
    cacheScope: optional(text('cache-scope')),
    cacheFrom: list('cache-from').map((entry) => cacheEntry('cache-from', entry)),
    cacheTo: list('cache-to').map((entry) => cacheEntry('cache-to', entry)),
    javaDbRepositories: repositories('java-db-repository', list('java-db-repository')),
    trivyCacheDir: optional(text('trivy-cache-dir')),
    trivyDbCache: bool('trivy-db-cache'),
    reportsDir: optional(text('reports-dir')) ?? spec('reports-dir').default,
    test: optional(text('test')) === undefined ? undefined : parseCommand('test', text('test').trim()),
    testEnv: keyValues('test-env', ENV_NAME, 'NAME=value').map((entry) => testEnv(entry)),
    testTimeoutMs: positiveDuration('test-timeout', text('test-timeout')),
    testPlatforms: list('test-platforms'),
    healthcheck: bool('healthcheck'),
    testRunner: parseOption('test-runner', text('test-runner'), ['auto', 'docker', 'builder'] as const),
  };
  if (inputs.cacheScope !== undefined && !CACHE_SCOPE.test(inputs.cacheScope)) {
    throw new InputError('cache-scope', inputs.cacheScope, 'expected letters, digits, _ . - (at most 100)');
  }
  if (!DURATION.test(inputs.scanTimeout)) {
    throw new InputError('scan-timeout', inputs.scanTimeout, 'expected a duration such as 90s, 10m or 1h30m');
  }
  if (!VERSION.test(text('trivy-version').trim())) {
    throw new InputError('trivy-version', text('trivy-version'), 'expected a release version such as v0.74.0');
  }
  const unreported = inputs.failOn.filter((severity) => !inputs.scanSeverity.includes(severity));
  if (unreported.length > 0) {
    throw new InputError(
      'fail-on',
      inputs.failOn.join(','),
      `${unreported.join(', ')} must also be in scan-severity (${inputs.scanSeverity.join(',')}): the gate fails only on what it reports`,
    );
  }
  for (const platform of inputs.testPlatforms) {
    if (inputs.platforms.length > 0 && !inputs.platforms.includes(platform)) {
      throw new InputError('test-platforms', platform, `is not built: expected some of ${inputs.platforms.join(', ')}`);
    }
    if (!PLATFORM.test(platform)) throw new InputError('test-platforms', platform, 'expected os/arch[/variant]');
  }
  if (inputs.healthcheck && inputs.testRunner === 'builder') {
    throw new InputError(
      'test-runner',
      'builder',
      'healthcheck: true starts the image as a container: it needs docker',
    );
  }
  if (inputs.load && inputs.platforms.length > 1) {
    throw new InputError('load', 'true', `loads one platform only, and platforms has ${inputs.platforms.length}`);
  }
  checkCommand(inputs);
  checkBuilder(inputs);
  return inputs;
}

/** `registry.example.com/team/app@sha256:<64 hex>`: an image pinned by digest, with no tag. */
export const BY_DIGEST =
  /^[a-z0-9][a-z0-9.-]*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+@sha256:[a-f0-9]{64}$/;

/** Why `value` is not an image by digest, in words for an error. */
export function notByDigest(value: string): string {
  if (value.includes('@sha256:')) {
    return /:[^/@]+@/.test(value)
      ? 'expected an image by digest alone: drop the tag before @sha256:'
      : 'expected an image by digest: registry/repository@sha256: and 64 hexadecimal digits';
  }
  return /:[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(value.slice(value.lastIndexOf('/') + 1))
    ? 'is an image by tag; give it by digest (registry/repository@sha256:...): a tag can move between the gates and the tags'
    : 'expected an image by digest: registry/repository@sha256:...';
}

/**
 * The command's own inputs, and those that mean nothing for it: `source` for promote, `sources` for merge, `push:
 * digest` for one platform of a build. A misplaced input is an error rather than ignored.
 */
function checkCommand(inputs: Inputs): void {
  const { command } = inputs;
  if (command === 'promote') {
    if (inputs.source === undefined) {
      throw new InputError(
        'source',
        '',
        'promote needs the image to promote, by digest: registry/repository@sha256:... (the GitLab component takes ' +
          "the build job's $DOCKER_BUILD_IMAGE from its dotenv report: is that job in an earlier stage, or in needs?)",
      );
    }
    if (!BY_DIGEST.test(inputs.source)) throw new InputError('source', inputs.source, notByDigest(inputs.source));
  } else if (inputs.source !== undefined) {
    throw new InputError('source', inputs.source, `is for command promote, and the command is ${command}`);
  }
  if (command !== 'merge' && inputs.sources.length > 0) {
    throw new InputError('sources', inputs.sources.join(', '), `is for command merge, and the command is ${command}`);
  }
  if (command !== 'build') {
    if (inputs.push === 'digest') {
      throw new InputError(
        'push',
        'digest',
        `pushes one platform of a build by digest; ${command} takes images already pushed`,
      );
    }
    if (inputs.load) throw new InputError('load', 'true', `loads a build into the engine; ${command} builds nothing`);
    if (inputs.platforms.length > 0) {
      throw new InputError(
        'platforms',
        inputs.platforms.join(','),
        `${command} takes the platforms of its ${command === 'promote' ? 'source' : 'sources'}`,
      );
    }
  }
  if (inputs.push === 'digest') {
    if (inputs.platforms.length > 1) {
      throw new InputError(
        'platforms',
        inputs.platforms.join(','),
        'push: digest builds one platform per job (a matrix of jobs, then merge); give one platform',
      );
    }
    if (inputs.load) throw new InputError('load', 'true', 'push: digest pushes the image; it does not load it');
  }
}

/** `tcp://host:port` or `unix:///path`: where a remote BuildKit listens. */
const ENDPOINT = /^(?:tcp:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?|unix:\/\/\/[^\s,]+)$/;

/** One `append` line: `endpoint=tcp://...,platforms=linux/arm64`, other fields driver options of that node. */
function builderNode(line: string): BuilderNode {
  const node: BuilderNode = { endpoint: undefined, platforms: [], driverOpts: [] };
  for (const field of csvFields('append', line)) {
    const entry = parseKeyValue('append', field, OPTION_KEY, 'key=value');
    if (entry.key === 'endpoint') {
      if (!ENDPOINT.test(entry.value)) {
        throw new InputError('append', line, `endpoint ${entry.value} is not tcp://host:port or unix:///path`);
      }
      node.endpoint = entry.value;
    } else if (entry.key === 'platforms') {
      node.platforms = entry.value.split(',').map((platform) => platform.trim());
      for (const platform of node.platforms) {
        if (!PLATFORM.test(platform)) throw new InputError('append', line, `${platform} is not os/arch[/variant]`);
      }
    } else node.driverOpts.push(entry);
  }
  if (node.platforms.length === 0) {
    throw new InputError('append', line, 'a node declares the platforms it builds: platforms=linux/arm64');
  }
  return node;
}

/** A TLS input: PEM text as given, else a path (checked when the builder starts). */
function tlsFile(value: string | undefined): TlsFile | undefined {
  if (value === undefined) return undefined;
  return value.trimStart().startsWith('-----BEGIN')
    ? { kind: 'pem', text: value }
    : { kind: 'path', path: value.trim() };
}

/** The builder inputs that go together: a driver's own inputs only with it, and not with an existing builder. */
function checkBuilder(inputs: Inputs): void {
  const { driver } = inputs;
  const tls = Object.entries({
    'tls-ca-cert': inputs.tls.caCert,
    'tls-cert': inputs.tls.cert,
    'tls-key': inputs.tls.key,
  })
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name);
  if (inputs.builder !== undefined && driver !== 'docker-container') {
    throw new InputError(
      'driver',
      driver,
      `is for a builder docker-build creates, and builder names ${inputs.builder}`,
    );
  }
  if (driver === 'remote') {
    if (inputs.endpoint === undefined) {
      throw new InputError(
        'endpoint',
        '',
        'driver: remote needs the address of BuildKit: tcp://host:port or unix:///path',
      );
    }
    if (!ENDPOINT.test(inputs.endpoint)) {
      throw new InputError('endpoint', inputs.endpoint, 'expected tcp://host:port or unix:///path');
    }
    if (inputs.endpoint.startsWith('unix://') && tls.length > 0) {
      throw new InputError(
        tls[0] ?? 'tls-cert',
        undefined,
        `is for an endpoint over TCP, and endpoint is ${inputs.endpoint}`,
      );
    }
    if ((inputs.tls.cert === undefined) !== (inputs.tls.key === undefined)) {
      throw new InputError(
        inputs.tls.cert === undefined ? 'tls-cert' : 'tls-key',
        '',
        'tls-cert and tls-key go together',
      );
    }
  } else {
    if (inputs.endpoint !== undefined) {
      throw new InputError('endpoint', inputs.endpoint, `is for driver: remote, and driver is ${driver}`);
    }
    if (tls.length > 0)
      throw new InputError(tls[0] ?? 'tls-cert', undefined, `is for driver: remote, and driver is ${driver}`);
  }
  for (const node of inputs.append) {
    const line = [
      node.endpoint === undefined ? [] : [`endpoint=${node.endpoint}`],
      `platforms=${node.platforms.join(',')}`,
    ]
      .flat()
      .join(',');
    if (driver === 'remote' && node.endpoint === undefined) {
      throw new InputError('append', line, 'a node of a remote builder needs its endpoint=tcp://host:port');
    }
    if (driver !== 'remote' && node.endpoint !== undefined) {
      throw new InputError('append', line, `endpoint= is for driver: remote, and driver is ${driver}`);
    }
    if (driver === 'buildkitd' || driver === 'docker-container') {
      throw new InputError(
        'append',
        line,
        `a ${driver} builder has one node: append nodes to a remote or kubernetes builder`,
      );
    }
  }
  const declared = inputs.append.flatMap((node) => node.platforms);
  const twice = declared.find((platform, index) => declared.indexOf(platform) !== index);
  if (twice !== undefined) throw new InputError('append', twice, 'is declared by two nodes');
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration (`90s`, `10m`, `1h30m`) in milliseconds, more than 0. */
function positiveDuration(name: string, text: string): number {
  const value = text.trim();
  const positive = 'expected a duration of more than 0, such as 90s, 10m or 1h30m';
  if (value.startsWith('-') || /^[0.]+$/.test(value)) throw new InputError(name, text, positive);
  if (!DURATION.test(value)) throw new InputError(name, text, 'expected a duration such as 90s, 10m or 1h30m');
  let ms = 0;
  for (const [, amount = '0', unit = 's'] of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    ms += Number(amount) * (UNIT_MS[unit] ?? 0);
  }
  if (ms < 1) throw new InputError(name, text, positive);
  return Math.round(ms);
}

/** An OCI repository with an optional tag (`registry.example.com/aquasec/trivy-db:2`): never an option, never spaces. */
const REPOSITORY = /^[a-z0-9][a-z0-9.-]*(?::[0-9]+)?\/[a-z0-9._/-]+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;

function repositories(name: string, values: string[]): string[] {
  for (const value of values) {
    if (!REPOSITORY.test(value)) {
      throw new InputError(name, value, 'expected an OCI repository such as registry.example.com/aquasec/trivy-db:2');
    }
  }
  return values;
}

const CACHE_SCOPE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

/** buildx's cache syntax: `type=registry,ref=...` (or, for cache-from, a bare reference); never an option. */
function cacheEntry(name: string, entry: string): string {
  if (
    !/^(?:type=[a-z0-9]+(?:,[a-z0-9_-]+=[^,]*)*|[a-z0-9][^\s,]*)$/i.test(entry) ||
    (name === 'cache-to' && !entry.startsWith('type='))
  ) {
    throw new InputError(name, entry, 'expected type=KIND,key=value,... (buildx syntax)');
  }
  return entry;
}

function notAnOption(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && (value.startsWith('-') || /[\s,]/.test(value))) {
    throw new InputError(name, value, 'expected a registry repository or a directory, without spaces or commas');
  }
  return value;
}

function listFormat(spec: InputSpec): ListFormat {
  if (spec.kind.type !== 'list') throw new Error(`input ${spec.name} is not a list`);
  return spec.kind;
}

/**
 * Variables docker-build itself sets for buildx (the private Docker config, `secrets`' values): buildx would read
 * docker-build's value under that name, not the job's.
 */
const OWN_VARIABLES = /^(?:DOCKER_CONFIG|BUILDX_CONFIG|DOCKER_BUILD_SECRET_\d+)$/;

/** A `secret-envs` entry: `id=VARIABLE`, the variable named as a shell would name it. */
function secretEnv(entry: KeyValue): KeyValue {
  const name = entry.value.trim();
  const given = `${entry.key}=${entry.value}`;
  if (!ENV_NAME.test(name)) throw new InputError('secret-envs', given, 'expected id=VARIABLE, a variable name');
  if (OWN_VARIABLES.test(name)) {
    throw new InputError('secret-envs', given, `${name} is set by docker-build for buildx: use another variable`);
  }
  return { key: entry.key, value: name };
}

/**
 * Variables docker and buildx themselves read: a `test-env` value is handed to them through their environment, so one
 * of these would change what docker does (its config, its engine, its PATH), not only what the test sees.
 */
const CLIENT_VARIABLES = /^(?:DOCKER_\w*|BUILDX_\w*|BUILDKIT_\w*|PATH|HOME|LD_\w*)$/;

function testEnv(entry: KeyValue): KeyValue {
  if (CLIENT_VARIABLES.test(entry.key)) {
    throw new InputError(
      'test-env',
      `${entry.key}=...`,
      `${entry.key} is read by docker and buildx themselves, which carry the values to the test: use another name`,
    );
  }
  return entry;
}

/** The values of the secret inputs, for masking every log line. */
export function secretValues(inputs: Inputs): string[] {
  return [
    ...inputs.logins.map((login) => login.password),
    ...inputs.secrets.map((secret) => secret.value),
    ...(inputs.githubToken === undefined ? [] : [inputs.githubToken]),
    // A PEM key is never logged; were a line of it ever shown, it is masked (the armour lines are not secret).
    ...(inputs.tls.key?.kind === 'pem'
      ? inputs.tls.key.text.split(/\r?\n/).filter((line) => line.length >= 16 && !line.startsWith('-----'))
      : []),
    ...(inputs.signKey?.kind === 'pem'
      ? inputs.signKey.text.split(/\r?\n/).filter((line) => line.length >= 16 && !line.startsWith('-----'))
      : []),
    ...(inputs.signKeyPassword === undefined ? [] : [inputs.signKeyPassword]),
  ].filter((value) => value !== '');
}
