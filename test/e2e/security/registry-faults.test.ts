// Registry faults through a fault-injecting proxy in front of the lab registry: 503s, reset connections and stalls
// for the first requests are survived by retrying with backoff; a registry that stays down fails the run with a clear
// message; in a push to two registries, the error says which registry got which tags.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runLocal } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';

const lab = inject('lab');

describe('registry faults', () => {
  const client = new DockerClient();
  const figures: string[] = [];
  let proxy: FaultProxy;
  let repo = '';
  let image = '';

  beforeAll(async () => {
    proxy = await startFaultProxy(lab.home, lab.registry);
    image = `${proxy.host}/e2e/${unique('faults')}`;
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture('hello-app');
  });

  afterAll(async () => {
    console.log(`registry faults: ${figures.join('; ')}`);
    await proxy.close();
    client.dispose();
  });

  function build(tag: string) {
    return runLocal(
      lab,
      repo,
      {
        images: image,
        tags: `type=raw,value=${tag}`,
        platforms: 'linux/amd64',
        registry: proxy.host,
        scan: false,
        // The base image through the proxy too: one login, and the base's pull meets the faults as well.
        'build-args': `BASE=${lab.baseImage.replace(lab.registry, proxy.host)}`,
      },
      { timeoutMs: 300_000 },
    );
  }

  async function tagged(ref: string): Promise<boolean> {
    const direct = ref.replace(proxy.host, lab.registry);
    return (await client.docker(['buildx', 'imagetools', 'inspect', direct])).code === 0;
  }

  it.each([
    ['503', 3],
    ['reset', 2],
    ['stall', 1],
  ] as const)('%s for the first %i requests: retried with backoff, the run succeeds', async (fault, count) => {
    proxy.set(fault, count);
    const before = proxy.injected;
    const result = await build(`after-${fault}`);
    figures.push(`${fault}: ${proxy.injected - before} injected, survived: ${result.code === 0}`);
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(proxy.injected - before).toBe(count);
    expect(result.stderr).toMatch(/attempt 1 of 4 failed .*; retrying in 1s/);
    expect(await tagged(`${image}:after-${fault}`)).toBe(true);
  });

  it('a registry that stays down: a clear failure after the retries, and no tag', async () => {
    proxy.set('down');
    const result = await build('down');
    proxy.set('none');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/failed 4 times, the registry did not recover/);
    expect(await tagged(`${image}:down`)).toBe(false);
  });

  it('two registries, the second down while tagging: the error says which registry got which tags', async () => {
    const second = `${lab.registry2}/e2e/${unique('faults2')}`;
    expect((await client.login(lab.registry2, lab.registry2User, lab.registry2Password)).code).toBe(0);
    proxy.set('tags');
    const result = await runLocal(
      lab,
      repo,
      {
        // registry2 first, then the proxied registry, whose tag pushes fail
        images: `${second}\n${image}`,
        tags: 'type=raw,value=split',
        platforms: 'linux/amd64',
        scan: false,
        'build-args': `BASE=${lab.baseImage.replace(lab.registry, proxy.host)}`,
        'registry-auth': [
          `- registry: ${proxy.host}`,
          `  username: ${lab.registryUser}`,
          `  password: ${lab.registryPassword}`,
          `- registry: ${lab.registry2}`,
          `  username: ${lab.registry2User}`,
          `  password: ${lab.registry2Password}`,
        ].join('\n'),
      },
      { env: { INPUT_REGISTRY: '', INPUT_USERNAME: '', INPUT_PASSWORD: '' }, timeoutMs: 300_000 },
    );
    proxy.set('none');
    expect(result.code, result.stderr.slice(-2000)).toBe(1);
    expect(result.stderr).toContain(
      `tagging ${image} failed, its tags were not attached (tagged before it: ${second} (split))`,
    );
    expect(await tagged(`${image}:split`)).toBe(false);
    expect((await client.docker(['buildx', 'imagetools', 'inspect', `${second}:split`])).code).toBe(0);
  });
});
