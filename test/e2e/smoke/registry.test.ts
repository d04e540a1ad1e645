import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';

const lab = inject('lab');
const clients: DockerClient[] = [];
function newClient(): DockerClient {
  const client = new DockerClient();
  clients.push(client);
  return client;
}
afterAll(() => {
  for (const client of clients) client.dispose();
});

describe('lab registries: TLS with the lab CA and htpasswd auth', () => {
  let loggedIn: DockerClient;
  beforeAll(async () => {
    loggedIn = newClient();
    expect((await loggedIn.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
  });

  it('accepts the lab password on stdin', async () => {
    const result = await newClient().login(lab.registry, lab.registryUser, lab.registryPassword);
    expect(result.stdout).toContain('Login Succeeded');
    expect(result.code).toBe(0);
  });

  it('refuses a wrong password', async () => {
    const result = await newClient().login(lab.registry, lab.registryUser, `${lab.registryPassword}x`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unauthorized|401/i);
  });

  it("refuses the first registry's credentials on the second, and takes its own", async () => {
    const client = newClient();
    const wrong = await client.login(lab.registry2, lab.registryUser, lab.registryPassword);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/unauthorized|401/i);
    expect((await client.login(lab.registry2, lab.registry2User, lab.registry2Password)).code).toBe(0);
  });

  it('refuses an anonymous push', async () => {
    const anonymous = newClient();
    const ref = `${lab.registry2}/smoke/anonymous:${unique('t')}`;
    // An empty image: a tar archive is two zero blocks.
    await anonymous.mustDocker(['import', '-', ref], { input: '\0'.repeat(1024) });
    try {
      const result = await anonymous.docker(['push', ref]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/no basic auth credentials|unauthorized/i);
    } finally {
      await anonymous.docker(['image', 'rm', ref]);
    }
  });

  it('serves the two-platform base image as a manifest list', async () => {
    const { stdout } = await loggedIn.mustDocker(['buildx', 'imagetools', 'inspect', lab.baseImage]);
    expect(stdout).toMatch(/MediaType:\s+application\/vnd\.(docker\.distribution\.manifest\.list|oci\.image\.index)/);
    expect(stdout).toContain('linux/amd64');
    expect(stdout).toContain('linux/arm64');
  });
});
