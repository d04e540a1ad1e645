/**
 * The Docker client environment of a run: a private, temporary DOCKER_CONFIG (mode 0700) that receives the
 * credentials of this run only (its logins, and what the plan took over from the user's config: prior logins and
 * credential helpers of the registries in play), and is removed by the cleanup stack. The CLI plugins of the user's own config stay
 * visible through `cliPluginsExtraDirs`, and an existing builder named by `builder` through BUILDX_CONFIG.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CleanupStack } from './cleanup.js';
import { userDockerConfig, type PrivateEntries } from './docker-config.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface DockerEnv {
  /** Variables for every docker/buildx command of the run. */
  vars: Record<string, string>;
  /** A private directory for the run's files (buildkitd.toml, metadata): inside the private config when there is one. */
  workDir: string;
  /** Whether the config is private to this run. */
  private: boolean;
  /**
   * The engine the client reaches over TCP with TLS from the environment (DOCKER_HOST, DOCKER_TLS_VERIFY,
   * DOCKER_CERT_PATH: Docker-in-Docker as GitLab sets it up). buildx creates no builder from those variables, only
   * from a Docker context.
   */
  tlsEngine?: TlsEngine;
}

export interface TlsEngine {
  host: string;
  ca: string;
  cert: string;
  key: string;
}

/** The engine of DOCKER_HOST when the client reaches it over TCP with TLS verified; undefined otherwise. */
export function tlsEngineOf(env: Env): TlsEngine | undefined {
  const host = env.DOCKER_HOST ?? '';
  if (!host.startsWith('tcp://') || (env.DOCKER_TLS_VERIFY ?? '') === '') return undefined;
  const dir =
    env.DOCKER_CERT_PATH !== undefined && env.DOCKER_CERT_PATH !== '' ? env.DOCKER_CERT_PATH : userDockerConfig(env);
  return { host, ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
}

/**
 * `privateConfig` false (the local command without configured credentials) keeps the user's own Docker config, and
 * their existing logins with it.
 */
export function createDockerEnv(
  env: Env,
  cleanup: CleanupStack,
  privateConfig: boolean,
  existingBuilder: boolean,
  entries: PrivateEntries = { auths: {}, credHelpers: {} },
): DockerEnv {
  const base = env.RUNNER_TEMP !== undefined && env.RUNNER_TEMP !== '' ? env.RUNNER_TEMP : tmpdir();
  const dir = mkdtempSync(join(base, 'docker-build-'));
  chmodSync(dir, 0o700);
  cleanup.push({ kind: 'directory', path: dir });
  const user = userDockerConfig(env);
  const tlsEngine = tlsEngineOf(env);
  const tls = tlsEngine === undefined ? {} : { tlsEngine };
  if (!privateConfig) return { vars: {}, workDir: dir, private: false, ...tls };
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ ...entries, cliPluginsExtraDirs: [join(user, 'cli-plugins')] }, null, 2),
    { mode: 0o600 },
  );
  return {
    vars: {
      DOCKER_CONFIG: dir,
      BUILDX_CONFIG: existingBuilder ? (env.BUILDX_CONFIG ?? join(user, 'buildx')) : join(dir, 'buildx'),
    },
    workDir: dir,
    private: true,
    ...tls,
  };
}
