/**
 * Which credential each registry of the run uses, decided before anything happens. Pure: the edge reads the user's
 * Docker config (src/pipeline/docker-config.ts) and passes what it holds, without the secrets.
 *
 * A job often has credentials before docker-build runs: docker/login-action, aws-actions/amazon-ecr-login, `gcloud auth
 * configure-docker` or a `docker login` in `before_script` all write the user's Docker config (`auths`, or a credential
 * helper in `credHelpers`/`credsStore`). The run's private config starts from those entries, for the registries in
 * play only, and the user's file is never written. Order, first found wins: docker-build's own inputs, a prior login's
 * `auths` entry, a `credHelpers` entry for the registry, the platform's automatic login (the workflow token for
 * ghcr.io, the job's `$CI_REGISTRY` credentials), then `credsStore`.
 */
import { UsageError } from '../errors.js';
import type { RegistryLogin } from '../inputs/login.js';
import type { Platform } from '../context/types.js';

/** What the user's Docker config says, secrets left out. */
export interface UserDockerConfig {
  /** the file, for messages */
  path: string;
  /** `auths` entries: the key as written, its registry, and whether it holds a credential (or is a store's stub) */
  auths: readonly { key: string; registry: string; usable: boolean }[];
  /** `credHelpers` entries */
  credHelpers: readonly { key: string; registry: string; helper: string }[];
  credsStore: string | undefined;
  /** the helpers named above that are on PATH (`docker-credential-<name>`) */
  helpersOnPath: readonly string[];
}

export type CredentialSource =
  /** `docker login` into the private config, with credentials docker-build has */
  | { kind: 'login'; from: RegistryLogin['source'] }
  /** a prior login's `auths` entry, copied */
  | { kind: 'auths'; key: string }
  /** a credential helper, asked by Docker itself (and by docker-build before a push) */
  | { kind: 'helper'; helper: string; key: string; from: 'credHelpers' | 'credsStore' };

export interface RegistryCredential {
  registry: string;
  /** pushed to: a credential is required */
  push: boolean;
  source: CredentialSource | undefined;
}

export interface CredentialRequest {
  platform: Platform;
  /** every registry of the run, the pushed ones marked */
  registries: readonly { registry: string; push: boolean }[];
  /** logins from docker-build's inputs */
  logins: readonly RegistryLogin[];
  /** logins the platform offers by itself */
  automatic: readonly RegistryLogin[];
  /** the user's Docker config, when there is one */
  config: UserDockerConfig | undefined;
  /** the run pushes: only then is a missing credential of a pushed registry reported */
  pushing: boolean;
}

export interface CredentialPlan {
  credentials: RegistryCredential[];
  /** the logins to run (`docker login`), inputs first */
  logins: RegistryLogin[];
  /** pushed registries with no credential, when the run pushes: the build stops before it starts */
  missing: string[];
}

/** The key Docker looks a registry up by: Docker Hub's is its historical index URL. */
export function dockerConfigKey(registry: string): string {
  return registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}

/** Throws a UsageError when a chosen helper is not on PATH; says which pushed registries have no credential. */
export function planCredentials(request: CredentialRequest): CredentialPlan {
  const { config } = request;
  const credentials = request.registries.map(({ registry, push }): RegistryCredential => {
    const given = request.logins.find((login) => login.registry === registry);
    if (given !== undefined) return { registry, push, source: { kind: 'login', from: given.source } };
    const entry = config?.auths.find((auth) => auth.registry === registry && auth.usable);
    if (entry !== undefined) return { registry, push, source: { kind: 'auths', key: entry.key } };
    const helper = config?.credHelpers.find((h) => h.registry === registry);
    if (helper !== undefined) {
      return {
        registry,
        push,
        source: { kind: 'helper', helper: helper.helper, key: helper.key, from: 'credHelpers' },
      };
    }
    const automatic = request.automatic.find((login) => login.registry === registry);
    if (automatic !== undefined) return { registry, push, source: { kind: 'login', from: automatic.source } };
    if (config?.credsStore !== undefined) {
      const key = dockerConfigKey(registry);
      return { registry, push, source: { kind: 'helper', helper: config.credsStore, key, from: 'credsStore' } };
    }
    return { registry, push, source: undefined };
  });

  for (const credential of credentials) {
    const source = credential.source;
    if (source?.kind === 'helper' && !(config?.helpersOnPath ?? []).includes(source.helper)) {
      throw new UsageError(
        `Invalid ${source.from} "${source.helper}" in ${config?.path ?? 'the Docker config'}: ` +
          `docker-credential-${source.helper} is not on PATH, and Docker needs it for ${credential.registry}`,
      );
    }
  }
  const missing = request.pushing
    ? credentials.filter((credential) => credential.push && credential.source === undefined).map((c) => c.registry)
    : [];
  // Every login the inputs ask for (a registry may be in play unseen: a base image behind an unresolved ARG), and the
  // automatic ones that a registry of the run uses.
  const used = credentials.flatMap(({ registry, source }) =>
    source?.kind === 'login' && (source.from === 'automatic' || source.from === 'dependency-proxy') ? [registry] : [],
  );
  const logins = [...request.logins, ...request.automatic.filter((login) => used.includes(login.registry))];
  return { credentials, logins, missing };
}

/** How a credential source reads in the log and in `plan`. */
export function describeSource(source: CredentialSource | undefined): string {
  if (source === undefined) return 'none';
  switch (source.kind) {
    case 'login':
      return {
        inputs: 'inputs',
        'registry-auth': 'registry-auth',
        automatic: 'automatic',
        'dependency-proxy': 'dependency proxy',
      }[source.from];
    case 'auths':
      return `a prior login (auths ${source.key})`;
    case 'helper':
      return `credential helper ${source.helper} (${source.from})`;
  }
}

/** The error of a push with no credential: which registries, and every way to give one. */
export function missingMessage(
  registries: readonly string[],
  platform: Platform,
  push: { reason: string; auto: boolean } = {
    reason: 'push: auto pushes on every event but pull and merge requests',
    auto: true,
  },
): string {
  const ways = [
    'the registry, username and password inputs (or registry-auth for several)',
    'a login before this step (docker/login-action, aws-actions/amazon-ecr-login, docker login) or a credential helper in the Docker config (credHelpers or credsStore, with docker-credential-<name> on PATH)',
    ...(platform === 'github'
      ? ['for ghcr.io, the workflow token (github-token, with permissions: packages: write)']
      : []),
    ...(platform === 'gitlab' ? ['for $CI_REGISTRY, the job’s own credentials (images under $CI_REGISTRY_IMAGE)'] : []),
  ];
  // Only push: auto is a default someone may not have chosen: push: true, push: digest and a promote were asked for.
  return (
    `no credential for ${registries.join(', ')}, and this run pushes there (${push.reason}). Give one: ` +
    ways.join('; ') +
    (push.auto ? '. Or set push: false to build and scan without pushing.' : '.')
  );
}
