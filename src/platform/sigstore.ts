/** What a job offers Sigstore's keyless signing: an OIDC token, and the identity its certificate will name. */
type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether the job holds an OIDC token Sigstore takes for keyless signing: GitHub's (with `id-token: write`, cosign
 * asks for it itself) or GitLab's SIGSTORE_ID_TOKEN (`id_tokens` with `aud: sigstore`, which cosign reads).
 */
export function oidcToken(env: Env): boolean {
  const set = (name: string) => (env[name] ?? '') !== '';
  return (set('ACTIONS_ID_TOKEN_REQUEST_URL') && set('ACTIONS_ID_TOKEN_REQUEST_TOKEN')) || set('SIGSTORE_ID_TOKEN');
}

/** The certificate identity of a keyless signature from this job, for the verify command users get. */
export function keylessIdentity(env: Env): { subject: string; issuer: string } | undefined {
  if ((env.GITHUB_WORKFLOW_REF ?? '') !== '') {
    return {
      subject: `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_WORKFLOW_REF ?? ''}`,
      issuer: 'https://token.actions.githubusercontent.com',
    };
  }
  if ((env.CI_PROJECT_PATH ?? '') !== '' && (env.CI_SERVER_URL ?? '') !== '') {
    return {
      subject:
        `${env.CI_SERVER_URL ?? ''}/${env.CI_PROJECT_PATH ?? ''}//${env.CI_CONFIG_PATH ?? '.gitlab-ci.yml'}` +
        ((env.CI_COMMIT_TAG ?? '') !== ''
          ? `@refs/tags/${env.CI_COMMIT_TAG ?? ''}`
          : `@refs/heads/${env.CI_COMMIT_REF_NAME ?? ''}`),
      issuer: env.CI_SERVER_URL ?? '',
    };
  }
  return undefined;
}
