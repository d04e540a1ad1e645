import { describe, expect, it } from 'vitest';
import { parseInputs, secretValues } from '../../../src/inputs/parse.js';
import { inputVariables, rawInputs, secretEnvValues } from '../../../src/inputs/read.js';
import { INPUTS } from '../../../src/inputs/table.js';

/** Inputs as the environment would give them: `INPUT_<NAME>` variables, hyphens kept as GitHub sets them. */
function parse(given: Record<string, string>) {
  const env = Object.fromEntries(Object.entries(given).map(([name, value]) => [inputVariables(name)[0], value]));
  return parseInputs(rawInputs(env));
}

describe('reading inputs from the environment', () => {
  it('accepts INPUT_CACHE-MODE and INPUT_CACHE_MODE spellings, hyphen first', () => {
    expect(inputVariables('no-cache')).toEqual(['INPUT_NO-CACHE', 'INPUT_NO_CACHE']);
    expect(parseInputs(rawInputs({ INPUT_NO_CACHE: 'true' })).noCache).toBe(true);
    expect(parseInputs(rawInputs({ 'INPUT_NO-CACHE': 'false', INPUT_NO_CACHE: 'true' })).noCache).toBe(false);
  });

  it('uses the table defaults when nothing is set', () => {
    const inputs = parseInputs(rawInputs({}));
    expect(inputs).toMatchObject({
      context: '.',
      push: 'auto',
      pull: false,
      load: false,
      platforms: [],
      logins: [],
      buildkitImage: 'moby/buildkit:buildx-stable-1',
      shaLength: undefined,
    });
  });

  it('declares every input once, in kebab-case', () => {
    const names = INPUTS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});

describe('parsing inputs', () => {
  it('splits lists on lines, and on commas where the input allows it', () => {
    const inputs = parse({
      images: 'ghcr.io/a/b, registry.example.com/c\n\n  docker.io/d/e  ',
      tags: 'type=raw,value=x\n# a comment\ntype=sha',
      platforms: 'linux/amd64,linux/arm64\nlinux/arm/v7',
    });
    expect(inputs.images).toEqual(['ghcr.io/a/b, registry.example.com/c', 'docker.io/d/e']);
    expect(inputs.tags).toEqual(['type=raw,value=x', 'type=sha']);
    expect(inputs.platforms).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
  });

  it('reads key=value lines, keeping further = in the value', () => {
    expect(parse({ 'build-args': 'A=1\nB=x=y\nC=' }).buildArgs).toEqual([
      { key: 'A', value: '1' },
      { key: 'B', value: 'x=y' },
      { key: 'C', value: '' },
    ]);
  });

  it("reads list inputs as docker's actions do: quoted lines, commas in quotes, several lines in quotes", () => {
    const inputs = parse({
      secrets: '"github_token=ghs_abc"\n"gpg=-----BEGIN-----\nline 2\n\n-----END-----\n"\ncomma=a,b=c\n',
      'build-args': '"A=1,2"\nB=3,4',
      'secret-files': '"MY_SECRET=./secret.txt"',
      labels: '"org.example.list=a, b"\n# a comment',
      tags: 'type=match,"pattern=\\d{1,2}"\n# a comment',
    });
    expect(inputs.secrets).toEqual([
      { key: 'github_token', value: 'ghs_abc' },
      { key: 'gpg', value: '-----BEGIN-----\nline 2\n\n-----END-----\n' },
      { key: 'comma', value: 'a,b=c' },
    ]);
    expect(inputs.buildArgs).toEqual([
      { key: 'A', value: '1,2' },
      { key: 'B', value: '3,4' },
    ]);
    expect(inputs.secretFiles).toEqual([{ key: 'MY_SECRET', value: './secret.txt' }]);
    expect(inputs.labels).toEqual(['org.example.list=a, b']);
    expect(inputs.tags).toEqual(['type=match,"pattern=\\d{1,2}"']);
  });

  it('keeps a secret value to the byte, and trims its id', () => {
    expect(parse({ secrets: '"padded=  two spaces  "\n  id = tail \t' }).secrets).toEqual([
      { key: 'padded', value: '  two spaces  ' },
      { key: 'id', value: ' tail \t' },
    ]);
  });

  it.each([
    ['ssh', 'default,github=/run/key', 'ssh', ['default', 'github=/run/key']],
    [
      'trivyignores',
      '.trivyignore,ci/.trivyignore\nmore/.trivyignore',
      'trivyignores',
      ['.trivyignore', 'ci/.trivyignore', 'more/.trivyignore'],
    ],
    ['fail-on', 'CRITICAL\nHIGH', 'failOn', ['CRITICAL', 'HIGH']],
    ['scanners', 'vuln\nsecret', 'scanners', ['vuln', 'secret']],
  ] as const)('%s: lines or commas', (name, text, field, want) => {
    expect(parse({ [name]: text })[field]).toEqual(want);
  });

  it('reads secret-envs as build-push-action does: id=VARIABLE, lines or commas', () => {
    expect(parse({ 'secret-envs': 'gh=GH_TOKEN, npm = NPM_TOKEN\n_x=_Y1' }).secretEnvs).toEqual([
      { key: 'gh', value: 'GH_TOKEN' },
      { key: 'npm', value: 'NPM_TOKEN' },
      { key: '_x', value: '_Y1' },
    ]);
  });

  it('reads driver options as buildx does: several on a line, a quoted one holding commas', () => {
    expect(parse({ 'driver-opts': 'network=host,image=x\n"env.no_proxy=localhost,127.0.0.1"' }).driverOpts).toEqual([
      { key: 'network', value: 'host' },
      { key: 'image', value: 'x' },
      { key: 'env.no_proxy', value: 'localhost,127.0.0.1' },
    ]);
  });

  it('maps push to a mode', () => {
    expect(parse({ push: 'true', images: 'a/b' }).push).toBe('always');
    expect(parse({ push: 'false' }).push).toBe('never');
  });

  it('combines registry/username/password and registry-auth', () => {
    const inputs = parse({
      registry: 'ghcr.io',
      username: 'octo',
      password: 'p1',
      'registry-auth':
        '- registry: registry.example.com:5000\n  username: ci\n  password: p2\n- registry: docker.io\n  username: hub\n  password: p3\n',
    });
    expect(inputs.logins).toEqual([
      { registry: 'ghcr.io', username: 'octo', password: 'p1', source: 'inputs' },
      { registry: 'registry.example.com:5000', username: 'ci', password: 'p2', source: 'registry-auth' },
      { registry: 'docker.io', username: 'hub', password: 'p3', source: 'registry-auth' },
    ]);
    expect(secretValues(inputs)).toEqual(['p1', 'p2', 'p3']);
  });

  it('logs in to Docker Hub when a username comes without a registry', () => {
    expect(parse({ username: 'u', password: 'p' }).logins).toEqual([
      { registry: 'docker.io', username: 'u', password: 'p', source: 'inputs' },
    ]);
  });
});

describe('bad input: an error naming the input and the value, before anything happens', () => {
  it.each([
    [{ platforms: 'linux' }, /Invalid platforms "linux": expected os\/arch\[\/variant\]/],
    [{ 'fail-on': 'CRITICAL,SEVERE' }, /Invalid fail-on "SEVERE"/],
    [{ 'scan-severity': 'bad' }, /Invalid scan-severity "bad"/],
    [
      { scanners: 'vuln,virus' },
      /Invalid scanners "virus": expected a comma-separated list of vuln, secret, misconfig/,
    ],
    [{ 'scan-timeout': 'ten minutes' }, /Invalid scan-timeout "ten minutes": expected a duration/],
    [{ 'db-repository': '--help' }, /Invalid db-repository "--help": expected an OCI repository/],
    [{ 'db-repository': 'ok.example/db:2,has space/db' }, /Invalid db-repository "has space\/db"/],
    [{ 'java-db-repository': 'noregistry' }, /Invalid java-db-repository "noregistry"/],
    [{ 'trivy-db-cache': 'daily' }, /Invalid trivy-db-cache "daily": expected true or false/],
    [{ 'trivy-version': 'latest' }, /Invalid trivy-version "latest": expected a release version such as v0.74.0/],
    [
      { 'fail-on': 'MEDIUM', 'scan-severity': 'HIGH,CRITICAL' },
      /Invalid fail-on "MEDIUM": MEDIUM must also be in scan-severity/,
    ],
    [{ platforms: 'linux/amd64,Linux/ARM64' }, /Invalid platforms "Linux\/ARM64"/],
    [{ push: 'yes' }, /Invalid push "yes": expected one of auto, true, false/],
    [{ pull: 'maybe' }, /Invalid pull "maybe": expected true or false/],
    [{ 'sha-length': 'seven' }, /Invalid sha-length "seven": expected a whole number from 4 to 40/],
    [{ 'sha-length': '41' }, /Invalid sha-length "41"/],
    [{ 'build-args': 'GOOD=1\nNOEQUALS' }, /Invalid build-args "NOEQUALS": expected NAME=value/],
    [{ 'build-args': '=1' }, /Invalid build-args "=1"/],
    [{ 'build-contexts': 'nope' }, /Invalid build-contexts "nope": expected name=source/],
    [{ 'secret-files': 'id' }, /Invalid secret-files "id": expected id=path/],
    [{ ssh: 'a b' }, /Invalid ssh "a b": expected default or id=path/],
    [{ 'driver-opts': 'network' }, /Invalid driver-opts "network": expected key=value/],
    [{ 'driver-opts': 'network=host,"image=x' }, /Invalid driver-opts "network=host,\\"image=x": expected comma-sep/],
    [
      { 'build-args': 'A=1\n"B=2\nC=3' },
      /^Invalid build-args "\\"B=2": the quote that opens on line 2 is never closed$/,
    ],
    [{ labels: '# c\n"a=1' }, /^Invalid labels "\\"a=1": the quote that opens on line 2 is never closed$/],
    // `#` is a comment only in metadata-action's inputs, as in docker's actions.
    [{ 'build-args': '# a note\nA=1' }, /^Invalid build-args "# a note": expected NAME=value$/],
    [{ 'secret-envs': 'token' }, /^Invalid secret-envs "token": expected id=VARIABLE$/],
    [{ 'secret-envs': 'token=' }, /^Invalid secret-envs "token=": expected id=VARIABLE, a variable name$/],
    [{ 'secret-envs': 'token=MY-TOKEN' }, /^Invalid secret-envs "token=MY-TOKEN": expected id=VARIABLE, a variable/],
    [{ 'secret-envs': 'a b=TOKEN' }, /^Invalid secret-envs "a b=TOKEN": expected id=VARIABLE$/],
    [{ 'secret-envs': 'cfg=DOCKER_CONFIG' }, /"cfg=DOCKER_CONFIG": DOCKER_CONFIG is set by docker-build for buildx/],
    [{ 'secret-envs': 'x=DOCKER_BUILD_SECRET_0' }, /DOCKER_BUILD_SECRET_0 is set by docker-build for buildx/],
    [{ load: 'true', platforms: 'linux/amd64,linux/arm64' }, /Invalid load "true": loads one platform only/],
    [{ username: 'u' }, /Invalid password: needed with username u/],
    [{ password: 'p' }, /Invalid username "": needed with password/],
    [{ registry: 'ghcr.io' }, /Invalid username "": needed to log in to ghcr.io/],
    [{ registry: '-ghcr.io', username: 'u', password: 'p' }, /Invalid registry "-ghcr.io": expected a registry host/],
    [{ 'registry-auth': '- username: u\n  password: p' }, /Invalid registry-auth: entry 1 has no registry/],
    [{ 'registry-auth': '- registry: a.io\n  username: u' }, /Invalid registry-auth: entry 1 \(a.io\) needs both/],
    [{ 'registry-auth': 'registry: a.io' }, /Invalid registry-auth: expected a YAML list/],
    [{ 'registry-auth': '- registry: [a.io\n  password: hunter2' }, /Invalid registry-auth: malformed YAML at line \d/],
    [
      {
        'registry-auth':
          '- registry: a.io\n  username: u\n  password: p\n- registry: a.io\n  username: v\n  password: q',
      },
      /Invalid registry-auth: a.io is given more than once/,
    ],
  ])('%j', (given, message) => {
    expect(() => parse(given)).toThrow(message);
  });

  it('never repeats a secret in an error', () => {
    for (const given of [
      { secrets: 'TOKEN' },
      { secrets: 'hunter2' },
      { secrets: 'A=1\n"TOKEN=hunter2\nhunter2' },
      { secrets: '"TOKEN=hunter2\nhunter2"\nhunter2' },
      { 'registry-auth': '- registry: [a.io\n  password: hunter2' },
      { username: 'u', 'registry-auth': '- {registry: a.io, username: u, password: hunter2}\n- hunter2' },
    ]) {
      expect(() => parse(given)).toThrow();
      try {
        parse(given);
      } catch (error) {
        expect(String(error)).not.toContain('hunter2');
        expect(String(error)).not.toContain('TOKEN');
      }
    }
  });
});

describe('secret-envs: the variables, read at the edge', () => {
  it('gives each value as the environment holds it, an empty one included', () => {
    const secretEnvs = [
      { key: 'gh', value: 'GH_TOKEN' },
      { key: 'key', value: 'GPG_KEY' },
      { key: 'empty', value: 'EMPTY' },
    ];
    expect(secretEnvValues({ GH_TOKEN: 'ghs_1', GPG_KEY: ' a\nb\n', EMPTY: '' }, secretEnvs)).toEqual([
      'ghs_1',
      ' a\nb\n',
      '',
    ]);
  });

  it('refuses a variable that is not set, naming it', () => {
    expect(() => secretEnvValues({ OTHER: 'x' }, [{ key: 'gh', value: 'GH_TOKEN' }])).toThrow(
      /^Invalid secret-envs "gh=GH_TOKEN": GH_TOKEN is not set in this job/,
    );
  });
});

describe('the test gate inputs', () => {
  it('reads the command as an argument vector, the environment as NAME=value, the limit in milliseconds', () => {
    const inputs = parse({
      test: "sh -c 'uname -m; cat /app/ok'",
      'test-env': 'MODE=ci\nTOKEN=a=b c',
      'test-timeout': '1m30s',
      platforms: 'linux/amd64,linux/arm64',
      'test-platforms': 'linux/arm64',
    });
    expect(inputs.test).toEqual(['sh', '-c', 'uname -m; cat /app/ok']);
    expect(inputs.testEnv).toEqual([
      { key: 'MODE', value: 'ci' },
      { key: 'TOKEN', value: 'a=b c' },
    ]);
    expect(inputs.testTimeoutMs).toBe(90_000);
    expect(inputs.testPlatforms).toEqual(['linux/arm64']);
    expect(inputs).toMatchObject({ healthcheck: false, testRunner: 'auto' });
  });

  it('has no test by default, and a limit of 10 minutes', () => {
    expect(parse({})).toMatchObject({ test: undefined, testEnv: [], testTimeoutMs: 600_000, testPlatforms: [] });
  });

  it.each([
    [{ 'test-timeout': '0' }, /Invalid test-timeout "0": expected a duration of more than 0/],
    [{ 'test-timeout': '0s' }, /Invalid test-timeout "0s": expected a duration of more than 0/],
    [{ 'test-timeout': '-5m' }, /Invalid test-timeout "-5m": expected a duration of more than 0/],
    [{ 'test-timeout': '10 minutes' }, /Invalid test-timeout "10 minutes": expected a duration such as 90s/],
    [
      { platforms: 'linux/amd64', 'test-platforms': 'linux/arm64' },
      /Invalid test-platforms "linux\/arm64": is not built: expected some of linux\/amd64/,
    ],
    [{ 'test-env': 'not a pair' }, /Invalid test-env "not a pair": expected NAME=value/],
    [{ 'test-env': 'DOCKER_CONFIG=/tmp/x' }, /Invalid test-env "DOCKER_CONFIG=...": DOCKER_CONFIG is read by docker/],
    [{ 'test-runner': 'podman' }, /Invalid test-runner "podman": expected one of auto, docker, builder/],
    [
      { healthcheck: 'true', 'test-runner': 'builder' },
      /Invalid test-runner "builder": healthcheck: true starts the image as a container: it needs docker/,
    ],
    [{ test: 'make | tee' }, /Invalid test "make \| tee": "\|" means something to a shell only/],
  ])('refuses %o', (given, message) => {
    expect(() => parse(given)).toThrow(message);
  });
});
