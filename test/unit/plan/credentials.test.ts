import { describe, expect, it } from 'vitest';
import type { RegistryLogin } from '../../../src/inputs/login.js';
import {
  describeSource,
  missingMessage,
  planCredentials,
  type CredentialRequest,
  type UserDockerConfig,
} from '../../../src/plan/credentials.js';

const CONFIG: UserDockerConfig = {
  path: '/home/runner/.docker/config.json',
  auths: [
    { key: 'registry2.lab.test:5444', registry: 'registry2.lab.test:5444', usable: true },
    { key: 'https://index.docker.io/v1/', registry: 'docker.io', usable: true },
    // what `docker login` leaves in the file when a store holds the credential
    { key: 'ghcr.io', registry: 'ghcr.io', usable: false },
  ],
  credHelpers: [
    {
      key: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      helper: 'ecr-login',
    },
    { key: 'europe-docker.pkg.dev', registry: 'europe-docker.pkg.dev', helper: 'gcloud' },
  ],
  credsStore: 'desktop',
  helpersOnPath: ['ecr-login', 'gcloud', 'desktop'],
};

const login = (registry: string, source: RegistryLogin['source']): RegistryLogin => ({
  registry,
  username: 'u',
  password: 'p',
  source,
});

function request(over: Partial<CredentialRequest>): CredentialRequest {
  return { platform: 'github', registries: [], logins: [], automatic: [], config: CONFIG, pushing: true, ...over };
}

const pushed = (registry: string) => ({ registry, push: true });
const pulled = (registry: string) => ({ registry, push: false });

describe('which credential each registry of the run uses', () => {
  it('in order: inputs, a prior login, a credHelpers entry, the automatic login, credsStore', () => {
    const plan = planCredentials(
      request({
        registries: [
          pushed('registry2.lab.test:5444'),
          pushed('123456789012.dkr.ecr.us-east-1.amazonaws.com'),
          pushed('ghcr.io'),
          pulled('docker.io'),
          pulled('quay.io'),
          pushed('registry.example.com'),
        ],
        logins: [login('registry.example.com', 'inputs')],
        automatic: [login('ghcr.io', 'automatic')],
      }),
    );
    expect(plan.credentials.map((c) => [c.registry, describeSource(c.source)])).toEqual([
      ['registry2.lab.test:5444', 'a prior login (auths registry2.lab.test:5444)'],
      ['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'credential helper ecr-login (credHelpers)'],
      // the store's stub in auths is no credential: the workflow token is
      ['ghcr.io', 'automatic'],
      ['docker.io', 'a prior login (auths https://index.docker.io/v1/)'],
      ['quay.io', 'credential helper desktop (credsStore)'],
      ['registry.example.com', 'inputs'],
    ]);
    expect(plan.logins.map((l) => l.registry)).toEqual(['registry.example.com', 'ghcr.io']);
  });

  it('inputs win over a prior login of the same registry', () => {
    const plan = planCredentials(
      request({
        registries: [pushed('registry2.lab.test:5444')],
        logins: [login('registry2.lab.test:5444', 'inputs')],
      }),
    );
    expect(plan.credentials[0]?.source).toEqual({ kind: 'login', from: 'inputs' });
  });

  it('a prior login wins over the automatic one (a token with more rights, given on purpose)', () => {
    const plan = planCredentials(
      request({
        registries: [pushed('registry2.lab.test:5444')],
        automatic: [login('registry2.lab.test:5444', 'automatic')],
      }),
    );
    expect(plan.credentials[0]?.source).toEqual({ kind: 'auths', key: 'registry2.lab.test:5444' });
    expect(plan.logins).toEqual([]);
  });

  it('credsStore is asked for Docker Hub under its index URL', () => {
    const config = { ...CONFIG, auths: [] };
    const plan = planCredentials(request({ registries: [pushed('docker.io')], config }));
    expect(plan.credentials[0]?.source).toEqual({
      kind: 'helper',
      helper: 'desktop',
      key: 'https://index.docker.io/v1/',
      from: 'credsStore',
    });
  });

  it('keeps every login the inputs ask for, even for a registry it does not see in play', () => {
    const plan = planCredentials(request({ registries: [], logins: [login('docker.io', 'inputs')] }));
    expect(plan.logins.map((l) => l.registry)).toEqual(['docker.io']);
  });

  it('a pushed registry with no credential: named, with every way to give one', () => {
    const plan = planCredentials(
      request({ config: undefined, registries: [pushed('a.io'), pulled('b.io'), pushed('c.io')] }),
    );
    expect(plan.missing).toEqual(['a.io', 'c.io']);
    expect(missingMessage(plan.missing, 'github')).toBe(
      'no credential for a.io, c.io, and this run pushes there (push: auto pushes on every event but pull and merge ' +
        'requests). Give one: the registry, username and password inputs (or registry-auth for several); a login ' +
        'before this step (docker/login-action, aws-actions/amazon-ecr-login, docker login) or a credential helper in ' +
        'the Docker config (credHelpers or credsStore, with docker-credential-<name> on PATH); for ghcr.io, the ' +
        'workflow token (github-token, with permissions: packages: write). Or set push: false to build and scan ' +
        'without pushing.',
    );
    expect(missingMessage(['a.io'], 'gitlab')).toMatch(/for \$CI_REGISTRY, the job’s own credentials/);
    expect(missingMessage(['a.io'], 'local')).not.toMatch(/ghcr\.io|CI_REGISTRY/);
  });

  it('no credential is needed when the run does not push', () => {
    const plan = planCredentials(request({ config: undefined, pushing: false, registries: [pushed('a.io')] }));
    expect(plan.credentials).toEqual([{ registry: 'a.io', push: true, source: undefined }]);
    expect(plan.missing).toEqual([]);
  });

  it('a helper that is not on PATH is an error naming it and the file, whichever registry needs it', () => {
    const config = { ...CONFIG, helpersOnPath: ['desktop'] };
    expect(() => planCredentials(request({ config, registries: [pulled('europe-docker.pkg.dev')] }))).toThrow(
      'Invalid credHelpers "gcloud" in /home/runner/.docker/config.json: docker-credential-gcloud is not on PATH, and ' +
        'Docker needs it for europe-docker.pkg.dev',
    );
    expect(() =>
      planCredentials(request({ config: { ...CONFIG, helpersOnPath: [] }, registries: [pulled('quay.io')] })),
    ).toThrow(/^Invalid credsStore "desktop"/);
    // a helper for a registry the run does not use is not looked for
    expect(() => planCredentials(request({ config, registries: [pulled('quay.io')] }))).not.toThrow();
  });
});
