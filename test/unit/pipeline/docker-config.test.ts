import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyRegistry, privateConfigEntries, readUserDockerConfig } from '../../../src/pipeline/docker-config.js';

function configDir(config: unknown, helpers: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'docker-config-test-'));
  writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const helper of helpers) {
    writeFileSync(join(bin, `docker-credential-${helper}`), '#!/bin/sh\n');
    chmodSync(join(bin, `docker-credential-${helper}`), 0o755);
  }
  return { DOCKER_CONFIG: dir, PATH: `${bin}:/usr/bin` };
}

describe("the user's Docker config", () => {
  it.each([
    ['ghcr.io', 'ghcr.io'],
    ['https://ghcr.io', 'ghcr.io'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['http://Registry.Example.com:5000/v2/', 'registry.example.com:5000'],
  ])('the key %s names %s', (key, registry) => {
    expect(keyRegistry(key)).toBe(registry);
  });

  it('reads prior logins, helpers and which helpers are on PATH, without the secrets', () => {
    const env = configDir(
      {
        auths: {
          'registry2.lab.test:5444': { auth: 'dTpw' },
          'https://index.docker.io/v1/': { identitytoken: 'tok' },
          'ghcr.io': {},
        },
        credHelpers: { '123.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login', 'europe-docker.pkg.dev': 'nothere' },
        credsStore: 'desktop',
        proxies: { default: { httpsProxy: 'http://proxy:3128' } },
      },
      ['ecr-login'],
    );
    const user = readUserDockerConfig(env);
    expect(user?.view).toEqual({
      path: join(env.DOCKER_CONFIG, 'config.json'),
      auths: [
        { key: 'registry2.lab.test:5444', registry: 'registry2.lab.test:5444', usable: true },
        { key: 'https://index.docker.io/v1/', registry: 'docker.io', usable: true },
        { key: 'ghcr.io', registry: 'ghcr.io', usable: false },
      ],
      credHelpers: [
        {
          key: '123.dkr.ecr.us-east-1.amazonaws.com',
          registry: '123.dkr.ecr.us-east-1.amazonaws.com',
          helper: 'ecr-login',
        },
        { key: 'europe-docker.pkg.dev', registry: 'europe-docker.pkg.dev', helper: 'nothere' },
      ],
      credsStore: 'desktop',
      helpersOnPath: ['ecr-login'],
    });
    expect(JSON.stringify(user?.view)).not.toContain('dTpw');
  });

  it('no config file: nothing to read', () => {
    expect(readUserDockerConfig({ DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'none-')) })).toBeUndefined();
  });

  it.each([
    ['{', /^Invalid Docker config .*config\.json: .*JSON/],
    ['[]', /not a JSON object/],
    ['{"auths": []}', /auths is not an object/],
    ['{"credHelpers": {"a.io": 1}}', /credHelpers\.a\.io is not a string/],
    [
      '{"credsStore": "../../bin/sh"}',
      /Invalid credential helper "..\/..\/bin\/sh" in .*: expected a name such as ecr-login/,
    ],
  ])('a config that does not parse (%s) is an error naming the file', (text, message) => {
    expect(() => readUserDockerConfig(configDir(text))).toThrow(message);
  });

  it('the private config takes only the chosen entries, under their own keys, and the proxies', () => {
    const env = configDir({
      auths: { 'registry2.lab.test:5444': { auth: 'dTpw' }, 'other.io': { auth: 'b3RoZXI6eA==' } },
      credHelpers: { 'a.io': 'lab' },
      credsStore: 'desktop',
      proxies: { default: { httpsProxy: 'http://proxy:3128' } },
    });
    const entries = privateConfigEntries(readUserDockerConfig(env), [
      {
        registry: 'registry2.lab.test:5444',
        push: true,
        source: '',
        copy: { kind: 'auths', key: 'registry2.lab.test:5444' },
      },
      {
        registry: 'a.io',
        push: false,
        source: '',
        copy: { kind: 'helper', helper: 'lab', key: 'a.io', from: 'credHelpers' },
      },
      {
        registry: 'docker.io',
        push: false,
        source: '',
        copy: { kind: 'helper', helper: 'desktop', key: 'https://index.docker.io/v1/', from: 'credsStore' },
      },
      { registry: 'ghcr.io', push: true, source: 'inputs' },
    ]);
    expect(entries).toEqual({
      auths: { 'registry2.lab.test:5444': { auth: 'dTpw' } },
      credHelpers: { 'a.io': 'lab', 'https://index.docker.io/v1/': 'desktop' },
      proxies: { default: { httpsProxy: 'http://proxy:3128' } },
    });
  });
});
