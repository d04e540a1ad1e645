import { describe, expect, it } from 'vitest';
import { SecretMask } from '../../../src/exec/mask.js';
import { Runner } from '../../../src/exec/runner.js';
import { readProxyEnv } from '../../../src/inputs/proxy.js';
import type { KeyValue } from '../../../src/inputs/values.js';
import { planCommand, prepare } from '../../../src/main.js';
import { planProxy, proxySummary } from '../../../src/plan/proxy.js';
import { LocalReporter } from '../../../src/platform/local.js';
import { readEnvFile } from '../helpers/env-file.js';

const HOST = [{ key: 'network', value: 'host' }];
const create = (driverOpts: KeyValue[] = HOST) => ({ kind: 'create' as const, driverOpts });

describe('the proxy in the plan, and what BuildKit gets of it', () => {
  it('no proxy variables: nothing for BuildKit, nothing to say', () => {
    const { plan, driverOpts } = planProxy(readProxyEnv({}), create());
    expect(driverOpts).toEqual([]);
    expect(plan).toEqual({
      https: null,
      http: null,
      noProxy: [],
      buildkit: { variables: [], reason: 'no proxy variable is set' },
      warnings: [],
    });
    expect(proxySummary(plan)).toBeUndefined();
  });

  it('a builder docker-build creates gets every variable set, as given, as env.* driver options', () => {
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128', http_proxy: 'proxy.corp:3128', NO_PROXY: 'a.corp,.b.corp' };
    const { plan, driverOpts } = planProxy(readProxyEnv(env), create());
    expect(driverOpts).toEqual([
      { key: 'env.HTTPS_PROXY', value: 'http://proxy.corp:3128' },
      { key: 'env.http_proxy', value: 'proxy.corp:3128' },
      { key: 'env.NO_PROXY', value: 'a.corp,.b.corp' },
    ]);
    expect(plan).toMatchObject({
      https: 'http://proxy.corp:3128',
      http: 'http://proxy.corp:3128',
      noProxy: ['a.corp', '.b.corp'],
      buildkit: { variables: ['HTTPS_PROXY', 'http_proxy', 'NO_PROXY'], reason: 'passed as driver options' },
    });
    expect(proxySummary(plan)).toBe(
      'proxy: https:// http://proxy.corp:3128, http:// http://proxy.corp:3128, except NO_PROXY a.corp,.b.corp and ' +
        'loopback addresses; BuildKit: HTTPS_PROXY, http_proxy, NO_PROXY (passed as driver options)',
    );
  });

  it('driver-opts that set a variable (in any case) win; the others are still passed', () => {
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'a.corp' };
    const { plan, driverOpts } = planProxy(
      readProxyEnv(env),
      create([...HOST, { key: 'env.https_proxy', value: 'http://buildkit-proxy.corp:3128' }]),
    );
    expect(driverOpts).toEqual([{ key: 'env.NO_PROXY', value: 'a.corp' }]);
    expect(plan.buildkit).toEqual({
      variables: ['NO_PROXY'],
      reason: 'passed as driver options (driver-opts set 1 of them)',
    });
  });

  it('driver-opts that set them all: nothing added', () => {
    const { plan, driverOpts } = planProxy(
      readProxyEnv({ HTTPS_PROXY: 'http://proxy.corp:3128' }),
      create([{ key: 'env.HTTPS_PROXY', value: 'http://other.corp:1' }]),
    );
    expect(driverOpts).toEqual([]);
    expect(plan.buildkit.reason).toBe('driver-opts set the proxy variables');
  });

  it('an existing builder keeps its own environment', () => {
    const { plan, driverOpts } = planProxy(readProxyEnv({ HTTPS_PROXY: 'http://proxy.corp:3128' }), {
      kind: 'existing',
    });
    expect(driverOpts).toEqual([]);
    expect(plan.buildkit.reason).toBe('the builder named by `builder` keeps the environment it was created with');
  });

  it('credentials never reach a driver option (a command line): BuildKit gets no proxy, and a warning says why', () => {
    const env = { HTTPS_PROXY: 'http://ci:hunter2@proxy.corp:3128', HTTP_PROXY: 'http://proxy.corp:3128' };
    const { plan, driverOpts } = planProxy(readProxyEnv(env), create());
    expect(driverOpts).toEqual([]);
    expect(plan.https).toBe('http://***@proxy.corp:3128');
    expect(plan.buildkit.variables).toEqual([]);
    expect(plan.buildkit.reason).toMatch(/^none: HTTPS_PROXY carries credentials, and driver options are command-line/);
    expect(plan.warnings).toEqual([
      'BuildKit gets no proxy: HTTPS_PROXY carries credentials, and driver options are command-line arguments; ' +
        'BuildKit connects directly. To give it a proxy, use one without credentials in driver-opts ' +
        '(env.HTTPS_PROXY=...), or a builder of your own set up for it (builder)',
    ]);
    expect(JSON.stringify(plan)).not.toContain('hunter2');
  });

  it('credentials in a variable driver-opts replace do not matter', () => {
    const { driverOpts } = planProxy(
      readProxyEnv({ HTTPS_PROXY: 'http://ci:hunter2@proxy.corp:3128', NO_PROXY: 'a.corp' }),
      create([...HOST, { key: 'env.HTTPS_PROXY', value: 'http://buildkit-proxy.corp:3128' }]),
    );
    expect(driverOpts).toEqual([{ key: 'env.NO_PROXY', value: 'a.corp' }]);
  });

  it.each([['http://127.0.0.1:3128'], ['localhost:3128'], ['http://[::1]:3128']])(
    'a proxy on loopback (%s) needs the host network, or the builder’s container cannot reach it',
    (value) => {
      const warned = planProxy(readProxyEnv({ HTTPS_PROXY: value }), create([])).plan.warnings;
      expect(warned.filter((w) => w.includes('loopback'))).toEqual([
        "HTTPS_PROXY points at this machine's loopback address, which the builder's container reaches only on the " +
          'host network: add network=host to driver-opts',
      ]);
      expect(planProxy(readProxyEnv({ HTTPS_PROXY: value }), create(HOST)).plan.warnings).toEqual(
        warned.filter((w) => !w.includes('loopback')),
      );
    },
  );

  it('credentials in the user’s own driver-opts: a warning (they are argv), with or without proxy variables', () => {
    const opts = [...HOST, { key: 'env.https_proxy', value: 'http://ci:hunter2@proxy.corp:3128' }];
    const expected = [
      'driver-opts env.https_proxy carries credentials: buildx takes driver options on its command line, where every ' +
        'process on this machine can read them',
    ];
    expect(planProxy(readProxyEnv({}), create(opts)).plan.warnings).toEqual(expected);
    expect(planProxy(readProxyEnv({ NO_PROXY: 'a.corp' }), create(opts)).plan.warnings).toEqual(expected);
    expect(
      planProxy(readProxyEnv({}), create([...HOST, { key: 'env.HTTPS_PROXY', value: 'http://p:1' }])).plan.warnings,
    ).toEqual([]);
  });

  it('the variables’ own warnings are carried to the log', () => {
    expect(planProxy(readProxyEnv({ HTTPS_PROXY: 'proxy.corp:3128' }), create()).plan.warnings).toEqual([
      expect.stringMatching(/^HTTPS_PROXY "proxy.corp:3128" has no scheme/),
    ]);
  });
});

describe('the proxy through prepare and plan', () => {
  const gitlabJob = (extra: Record<string, string>) => ({
    ...readEnvFile('gitlab/branch-main.env'),
    CI_REGISTRY_USER: 'gitlab-ci-token',
    CI_REGISTRY_PASSWORD: 'job-token',
    INPUT_IMAGES: 'registry.gitlab.example.com/group/app',
    'INPUT_DRIVER-OPTS': 'network=host',
    ...extra,
  });

  async function plan(env: Record<string, string>) {
    let stdout = '';
    let stderr = '';
    await planCommand(
      env,
      process.cwd(),
      (text) => (stdout += text),
      (text) => (stderr += text),
    );
    return { json: JSON.parse(stdout) as Record<string, unknown>, stdout, stderr };
  }

  it('plan shows the decision, and the builder’s driver options carry the variables', async () => {
    const { json, stderr } = await plan(
      gitlabJob({ HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'registry.gitlab.example.com,.corp' }),
    );
    expect(json.proxy).toEqual({
      https: 'http://proxy.corp:3128',
      http: null,
      noProxy: ['registry.gitlab.example.com', '.corp'],
      buildkit: { variables: ['HTTPS_PROXY', 'NO_PROXY'], reason: 'passed as driver options' },
      warnings: [],
    });
    expect((json.builder as { driverOpts: unknown }).driverOpts).toEqual([
      { key: 'network', value: 'host' },
      { key: 'env.HTTPS_PROXY', value: 'http://proxy.corp:3128' },
      { key: 'env.NO_PROXY', value: 'registry.gitlab.example.com,.corp' },
    ]);
    expect(stderr).toContain('proxy: https:// http://proxy.corp:3128, http:// direct, except NO_PROXY');
  });

  it('a password is in no line of plan’s output, and the warning says BuildKit gets no proxy', async () => {
    const { stdout, stderr } = await plan(gitlabJob({ https_proxy: 'http://ci:Hunter2-pr0xy@proxy.corp:3128' }));
    expect(`${stdout}${stderr}`).not.toContain('Hunter2-pr0xy');
    expect(stdout).toContain('"https": "http://***@proxy.corp:3128"');
    expect(stderr).toMatch(/^warning: BuildKit gets no proxy: https_proxy carries credentials/m);
  });

  it('the password is masked in every line the run logs', async () => {
    const mask = new SecretMask();
    const lines: string[] = [];
    const reporter = new LocalReporter(mask, (text) => lines.push(text), 'gitlab');
    const env = gitlabJob({ HTTPS_PROXY: 'http://ci:p%40ss-Hunter2@proxy.corp:3128' });
    await prepare(env, reporter, new Runner(mask, () => undefined), mask, process.cwd());
    reporter.info(`the proxy said: p@ss-Hunter2 and p%40ss-Hunter2, ci:p%40ss-Hunter2`);
    expect(lines.at(-1)).toBe('the proxy said: *** and ***, ***\n');
  });

  it('credentials in driver-opts proxy values are masked too', async () => {
    const mask = new SecretMask();
    const reporter = new LocalReporter(mask, () => undefined, 'gitlab');
    const env = gitlabJob({
      'INPUT_DRIVER-OPTS': 'network=host\nenv.HTTPS_PROXY=http://ci:Opt-Hunter2@proxy.corp:3128',
    });
    await prepare(env, reporter, new Runner(mask, () => undefined), mask, process.cwd());
    expect(mask.apply('--driver-opt=env.HTTPS_PROXY=http://ci:Opt-Hunter2@proxy.corp:3128')).toBe(
      '--driver-opt=env.HTTPS_PROXY=http://***@proxy.corp:3128',
    );
  });

  it('a bad proxy value stops prepare before the context is read, naming the variable', async () => {
    const env = gitlabJob({ HTTP_PROXY: 'http://ci:Hunter2@proxy.corp:80a' });
    const run = () => plan(env);
    await expect(run()).rejects.toThrow('Invalid HTTP_PROXY "http://***@proxy.corp:80a": expected a proxy URL');
    await expect(run()).rejects.toThrow(expect.objectContaining({ name: 'InputError' }) as Error);
  });
});
