/**
 * Credentials docker-build can find by itself: the workflow token for ghcr.io on GitHub, the job's registry
 * credentials on GitLab. The plan uses one only for a registry it pushes to and has no configured login for.
 */
import type { Platform } from '../context/types.js';
import type { RegistryLogin } from '../inputs/login.js';

type Env = Readonly<Record<string, string | undefined>>;

export function automaticCandidates(platform: Platform, env: Env, githubToken: string | undefined): RegistryLogin[] {
  if (platform === 'github') {
    const username = env.GITHUB_ACTOR ?? '';
    return githubToken === undefined || username === ''
      ? []
      : [{ registry: 'ghcr.io', username, password: githubToken, source: 'automatic' }];
  }
  if (platform === 'gitlab') {
    const registry = env.CI_REGISTRY ?? '';
    const username = env.CI_REGISTRY_USER ?? '';
    const password = env.CI_REGISTRY_PASSWORD ?? '';
    const job: RegistryLogin[] =
      registry === '' || username === '' || password === ''
        ? []
        : [{ registry, username, password, source: 'automatic' }];
    // The dependency proxy, when the group has it: base images pulled through it (FROM
    // $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/...) need its login, whatever the image is pushed to.
    const proxy = (env.CI_DEPENDENCY_PROXY_SERVER ?? '').replace(/:443$/, '');
    const proxyUser = env.CI_DEPENDENCY_PROXY_USER ?? '';
    const proxyPassword = env.CI_DEPENDENCY_PROXY_PASSWORD ?? '';
    const pull: RegistryLogin[] =
      proxy === '' || proxyUser === '' || proxyPassword === '' || proxy === registry
        ? []
        : [{ registry: proxy, username: proxyUser, password: proxyPassword, source: 'dependency-proxy' }];
    return [...job, ...pull];
  }
  return [];
}
