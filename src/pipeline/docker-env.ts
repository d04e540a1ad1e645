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
  if (!privateConfig) return { vars: {}, workDir: dir, private: false };
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
  };
}
