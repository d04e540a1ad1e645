// Keyless signing's side of the job: whether it holds a token Sigstore takes, and the identity its certificate names.
import { describe, expect, it } from 'vitest';
import { keylessIdentity, oidcToken } from '../../../src/platform/sigstore.js';

describe('keyless signing', () => {
  it("finds GitHub's token service (id-token: write) or GitLab's SIGSTORE_ID_TOKEN, nothing else", () => {
    expect(oidcToken({ ACTIONS_ID_TOKEN_REQUEST_URL: 'https://t', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x' })).toBe(true);
    // GitHub without the permission sets neither, or only one
    expect(oidcToken({ ACTIONS_ID_TOKEN_REQUEST_URL: 'https://t' })).toBe(false);
    expect(oidcToken({ SIGSTORE_ID_TOKEN: 'eyJ' })).toBe(true);
    expect(oidcToken({ SIGSTORE_ID_TOKEN: '' })).toBe(false);
    expect(oidcToken({ CI_JOB_JWT_V2: 'eyJ' })).toBe(false);
  });

  it('names the workflow file and ref on GitHub, the project, CI file and ref on GitLab', () => {
    expect(
      keylessIdentity({
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/build.yml@refs/heads/main',
      }),
    ).toEqual({
      subject: 'https://github.com/acme/app/.github/workflows/build.yml@refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
    });
    const gitlab = { CI_SERVER_URL: 'https://gitlab.com', CI_PROJECT_PATH: 'acme/app', CI_COMMIT_REF_NAME: 'main' };
    expect(keylessIdentity(gitlab)).toEqual({
      subject: 'https://gitlab.com/acme/app//.gitlab-ci.yml@refs/heads/main',
      issuer: 'https://gitlab.com',
    });
    expect(keylessIdentity({ ...gitlab, CI_COMMIT_REF_NAME: 'v1.2.3', CI_COMMIT_TAG: 'v1.2.3' })?.subject).toBe(
      'https://gitlab.com/acme/app//.gitlab-ci.yml@refs/tags/v1.2.3',
    );
    expect(keylessIdentity({})).toBeUndefined();
  });
});
