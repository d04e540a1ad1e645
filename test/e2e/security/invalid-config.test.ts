// Invalid configuration, across the inputs: each run exits 2 with a message naming the input and its value, before
// anything happens (no login, no builder, no push), checked against the lab registry and `docker buildx ls`.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { runLocal, withLine } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { run } from '../helpers/run.js';

const lab = inject('lab');

/** [input, bad value, what the message must say]: one case each, 40 and more. */
const CASES: [string, string, RegExp][] = [
  ['platforms', 'linux', /Invalid platforms "linux": expected os\/arch/],
  ['platforms', 'linux/amd64,Windows/ARM', /Invalid platforms "Windows\/ARM"/],
  ['push', 'yes', /Invalid push "yes": expected one of auto, true, false/],
  ['load', 'sometimes', /Invalid load "sometimes": expected true or false/],
  ['pull', '1', /Invalid pull "1": expected true or false/],
  ['no-cache', 'maybe', /Invalid no-cache "maybe"/],
  ['check', 'off', /Invalid check "off": expected true or false/],
  ['check-fail-on', 'maybe', /Invalid check-fail-on "maybe": expected one of error, warning, none/],
  ['scan', 'off', /Invalid scan "off"/],
  ['fail-on', 'SEVERE', /Invalid fail-on "SEVERE"/],
  ['fail-on', 'CRITICAL,HGH', /Invalid fail-on "HGH"/],
  ['scan-severity', 'LOUD', /Invalid scan-severity "LOUD"/],
  ['scanners', 'vuln,virus', /Invalid scanners "virus"/],
  ['scan-timeout', 'ten minutes', /Invalid scan-timeout "ten minutes": expected a duration/],
  ['scan-timeout', '10', /Invalid scan-timeout "10"/],
  ['trivy-version', 'latest', /Invalid trivy-version "latest": expected a release version/],
  ['trivy-version', '0.74', /Invalid trivy-version "0.74"/],
  ['ignore-unfixed', 'yes', /Invalid ignore-unfixed "yes"/],
  ['scan-fail-open', 'open', /Invalid scan-fail-open "open"/],
  ['trivyignores', 'no-such-ignore-file', /Invalid trivyignores "no-such-ignore-file": no such file/],
  ['db-repository', '--help', /Invalid db-repository "--help": expected an OCI repository/],
  ['db-repository', 'has space/db:2', /Invalid db-repository "has space\/db:2"/],
  ['java-db-repository', 'nohost', /Invalid java-db-repository "nohost"/],
  ['trivy-db-cache', 'daily', /Invalid trivy-db-cache "daily"/],
  ['cache', 'gh', /Invalid cache "gh": expected one of auto, gha, registry, inline, local, none/],
  ['cache-mode', 'all', /Invalid cache-mode "all": expected one of max, min/],
  ['cache-ref', '--output=/etc', /Invalid cache-ref "--output=\/etc"/],
  ['cache-ref', 'a b', /Invalid cache-ref "a b"/],
  ['cache-scope', 'no/slashes', /Invalid cache-scope "no\/slashes"/],
  ['cache-to', 'registry.example.com/x', /Invalid cache-to "registry.example.com\/x": expected type=KIND/],
  ['cache-from', '--cache-to=type=local,dest=/', /Invalid cache-from "--cache-to=type=local,dest=\/"/],
  ['sha-length', 'seven', /Invalid sha-length "seven": expected a whole number from 4 to 40/],
  ['sha-length', '99', /Invalid sha-length "99"/],
  ['build-args', 'NOEQUALS', /Invalid build-args "NOEQUALS": expected NAME=value/],
  ['build-args', '=1', /Invalid build-args "=1"/],
  ['build-args', '1X=1', /Invalid build-args "1X=1"/],
  ['secret-files', 'nopath', /Invalid secret-files "nopath"/],
  ['ssh', 'id with space', /Invalid ssh "id with space"/],
  ['driver-opts', 'novalue', /Invalid driver-opts "novalue"/],
  ['registry-auth', '- registry: [', /Invalid registry-auth/],
  ['registry-auth', '- username: u\n  password: p', /Invalid registry-auth/],
  ['tags', 'type=nope,value=x', /Invalid tags/],
  ['tags', 'type=semver,pattern={{version}},enable=perhaps', /Invalid tags/],
  ['flavor', 'latest=sometimes', /Invalid flavor/],
  ['images', 'name=r.example.com/app,enable=perhaps', /Invalid images/],
];

describe(`invalid configuration: ${CASES.length} cases, each refused before anything happens`, () => {
  const client = new DockerClient();
  const image = `${lab.registry}/e2e/${unique('invalid')}`;
  let repo = '';
  let buildersBefore = '';

  const builders = async () => (await run('docker', ['buildx', 'ls', '--format', '{{.Name}}'])).stdout;

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture('hello-app');
    buildersBefore = await builders();
  });

  afterAll(() => {
    client.dispose();
  });

  it.each(CASES)('%s = %j', async (input, value, message) => {
    // the bad value as one more flag: for tags and images, a second line after a good one
    const inputs = withLine({ images: image, tags: 'type=raw,value=invalid' }, input, value);
    const result = await runLocal(lab, repo, inputs, { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    // nothing ran but git: no login, no builder, no build, no Trivy
    expect(result.stderr).not.toMatch(/^\$ (docker|trivy)/m);
  });

  it('left nothing behind: no builder, nothing in the registry', async () => {
    expect(await builders()).toBe(buildersBefore);
    const tags = await client.docker(['buildx', 'imagetools', 'inspect', `${image}:invalid`]);
    expect(tags.code).not.toBe(0);
  });
});
