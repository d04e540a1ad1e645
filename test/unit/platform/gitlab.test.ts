import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SecretMask } from '../../../src/exec/mask.js';
import { BUILDER_MODE_NAMES, renderComponent } from '../../../src/inputs/component.js';
import { rawInput } from '../../../src/inputs/read.js';
import { INPUTS } from '../../../src/inputs/table.js';
import { dockerClientEnv } from '../../../src/platform/gitlab.js';
import { dotenvReport, GitlabReporter, sectionLines } from '../../../src/platform/gitlab.js';

describe('a GitLab job', () => {
  it('gets the outputs later jobs need as a dotenv report, one line each', () => {
    expect(
      dotenvReport({
        digest: 'sha256:aa',
        tags: 'r/app:1.2.3\nr/app:1.2',
        version: '1.2.3',
        'scan-result': 'passed',
        labels: 'a=b\nc=d',
        metadata: '{"big":"json"}',
      }),
    ).toBe(
      'DOCKER_BUILD_DIGEST=sha256:aa\nDOCKER_BUILD_TAGS=r/app:1.2.3,r/app:1.2\nDOCKER_BUILD_VERSION=1.2.3\nDOCKER_BUILD_SCAN_RESULT=passed\n',
    );
  });

  it('writes the dotenv file as outputs arrive, masked', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dotenv-')), 'docker-build.env');
    const mask = new SecretMask();
    mask.add('s3cret');
    const reporter = new GitlabReporter(mask, file, () => undefined);
    reporter.setOutput('digest', 'sha256:bb');
    reporter.setOutput('image', 'r/app@sha256:bb-s3cret');
    expect(readFileSync(file, 'utf8')).toBe('DOCKER_BUILD_DIGEST=sha256:bb\nDOCKER_BUILD_IMAGE=r/app@sha256:bb-***\n');
  });

  it('shows each step as a collapsible section', async () => {
    const lines: string[] = [];
    const reporter = new GitlabReporter(new SecretMask(), undefined, (text) => lines.push(text));
    await reporter.group('Scan gate', () => Promise.resolve());
    const shown = lines.map((line) => line.replaceAll('\u001b', '<ESC>'));
    expect(shown[0]).toMatch(
      /^<ESC>\[0Ksection_start:\d+:docker_build_scan_gate\[collapsed=true\]\r<ESC>\[0KScan gate\n$/,
    );
    expect(shown[1]).toMatch(/^<ESC>\[0Ksection_end:\d+:docker_build_scan_gate\r<ESC>\[0K\n$/);
    expect(sectionLines('Set up QEMU', () => 7).start).toContain('section_start:7:docker_build_set_up_qemu');
  });

  it('prints a location as file:line, and debug lines only under CI_DEBUG_TRACE', () => {
    const lines: string[] = [];
    const mask = new SecretMask();
    mask.add('s3cret');
    const quiet = new GitlabReporter(mask, undefined, (text) => lines.push(text));
    quiet.warning('FROM without a digest', { file: 'Dockerfile', line: 3 });
    quiet.error('no such file', { file: 'app/Dockerfile' });
    quiet.debug('not shown');
    const tracing = new GitlabReporter(mask, undefined, (text) => lines.push(text), true);
    tracing.debug('cache keys tried: s3cret');
    expect(lines).toEqual([
      '\u001b[33mDockerfile:3: warning: FROM without a digest\u001b[0m\n',
      '\u001b[31mapp/Dockerfile: error: no such file\u001b[0m\n',
      'debug: cache keys tried: ***\n',
    ]);
  });

  it('takes a secret from the CI/CD variable an input names, never from the input itself', () => {
    const password = INPUTS.find((input) => input.name === 'password');
    if (password === undefined) throw new Error('no password input');
    expect(rawInput({ INPUT_PASSWORD_VARIABLE: 'REG_PW', REG_PW: 'hunter2' }, password)).toBe('hunter2');
    expect(() => rawInput({ INPUT_PASSWORD_VARIABLE: 'MISSING' }, password)).toThrow(
      /Invalid password-variable "MISSING": no such variable in this job/,
    );
    expect(rawInput({ INPUT_PASSWORD: 'direct' }, password)).toBe('direct');
  });

  it('drops the TLS variables where the Docker host is not dind over TCP', () => {
    const shell: NodeJS.ProcessEnv = { DOCKER_HOST: '', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs/client' };
    dockerClientEnv(shell);
    expect(shell).toEqual({});
    const socket: NodeJS.ProcessEnv = { DOCKER_HOST: 'unix:///var/run/docker.sock', DOCKER_TLS_VERIFY: '1' };
    dockerClientEnv(socket);
    expect(socket).toEqual({ DOCKER_HOST: 'unix:///var/run/docker.sock' });
    const dind: NodeJS.ProcessEnv = { DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1' };
    dockerClientEnv(dind);
    expect(dind).toEqual({ DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1' });
  });
});

describe('the component template', () => {
  const [header, body] = renderComponent()
    .split('\n---\n')
    .map((part) => parse(part) as Record<string, unknown>);
  const inputs = (header?.spec as { inputs: Record<string, { type?: string; default: unknown; options?: string[] }> })
    .inputs;
  const job = body?.['$[[ inputs.job-name ]]'] as { variables: Record<string, string>; script: string[] };

  it("has every GitLab input of the table (but the other commands' source and sources), typed, no secret as input", () => {
    // `builder` (the mode) takes the place of the driver; the table's `builder` is `builder-name`.
    const other = ['source', 'sources', 'driver'];
    for (const input of INPUTS.filter((i) => i.platforms.includes('gitlab') && i.secret !== true)) {
      if (other.includes(input.name)) {
        expect(inputs[input.name], input.name).toBeUndefined();
        continue;
      }
      expect(inputs[input.name], input.name).toBeDefined();
      const variable = job.variables[`INPUT_${input.name.toUpperCase().replace(/-/g, '_')}`];
      if (input.name === 'builder') expect(variable).toBe('$[[ inputs.builder-name ]]');
      else if (input.name === 'endpoint')
        expect(variable).toBeUndefined(); // the remote mode's
      else expect(variable, input.name).toBe(`$[[ inputs.${input.name} ]]`);
    }
    expect(inputs.password).toBeUndefined();
    expect(inputs['registry-auth']).toBeUndefined();
    expect(inputs['password-variable']).toBeDefined();
    expect(inputs['trivy-db-cache']).toBeUndefined(); // GitHub only
    expect(inputs.push).toMatchObject({ default: 'auto', options: ['auto', 'true', 'false', 'digest'] });
    expect(inputs.scan).toMatchObject({ type: 'boolean', default: true });
  });

  it('reaches its builder the way the `builder` input says: one hidden job per mode, which the job extends', () => {
    expect(inputs.builder).toMatchObject({ default: 'dind', options: BUILDER_MODE_NAMES });
    expect(BUILDER_MODE_NAMES).toEqual(
      expect.arrayContaining(['dind', 'socket', 'buildkit-service', 'buildkitd', 'shell']),
    );
    expect(body?.['$[[ inputs.job-name ]]']).toMatchObject({
      extends: '.$[[ inputs.job-name ]]-builder-$[[ inputs.builder ]]',
    });
    const mode = (name: string) =>
      body?.[`.$[[ inputs.job-name ]]-builder-${name}`] as { services?: unknown[]; variables: Record<string, string> };
    for (const name of BUILDER_MODE_NAMES) expect(mode(name).variables.INPUT_DRIVER, name).toBeDefined();
    // dind: TLS on 2376, the client's certificates from the directory the runner shares
    expect(mode('dind')).toMatchObject({
      services: [{ name: '$[[ inputs.dind-image ]]', alias: 'docker' }],
      variables: { DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1', INPUT_DRIVER: 'docker-container' },
    });
    expect(mode('socket')).toEqual({
      variables: { DOCKER_HOST: 'unix:///var/run/docker.sock', INPUT_DRIVER: 'docker-container' },
    });
    // no Docker at all: BuildKit as a service, or started by the job
    expect(mode('buildkit-service')).toMatchObject({
      services: [{ name: '$[[ inputs.buildkit-service-image ]]', alias: 'buildkitd' }],
      variables: { INPUT_DRIVER: 'remote', INPUT_ENDPOINT: 'tcp://buildkitd:1234' },
    });
    expect(mode('buildkitd')).toEqual({ variables: { INPUT_DRIVER: 'buildkitd' } });
    expect(mode('remote').variables).toEqual({ INPUT_DRIVER: 'remote', INPUT_ENDPOINT: '$[[ inputs.endpoint ]]' });
    // the shell runner's own engine: no service, and DOCKER_HOST left as the runner has it
    expect(mode('shell')).toEqual({ variables: { INPUT_DRIVER: 'docker-container' } });
    expect(job.variables.DOCKER_HOST).toBeUndefined();
  });

  it('runs the bundled script, and cleans up in after_script', () => {
    expect(job.script).toEqual(['node "$[[ inputs.entrypoint ]]" build']);
    expect(body?.['$[[ inputs.job-name ]]']).toMatchObject({
      after_script: ['node "$[[ inputs.entrypoint ]]" cleanup'],
    });
  });
});

describe('the promote and merge components', () => {
  const parts = (command: 'promote' | 'merge') => {
    const [header, body] = renderComponent(command)
      .split('\n---\n')
      .map((part) => parse(part) as Record<string, unknown>);
    const inputs = (header?.spec as { inputs: Record<string, { default: unknown }> }).inputs;
    const job = body?.['$[[ inputs.job-name ]]'] as {
      variables: Record<string, string>;
      script: string[];
      artifacts: { reports: Record<string, unknown> };
    };
    return { inputs, job };
  };

  it('promote runs `promote` on tag pipelines after the build stage, from the build job’s DOCKER_BUILD_IMAGE', () => {
    const { inputs, job } = parts('promote');
    expect(job.script).toEqual(['node "$[[ inputs.entrypoint ]]" promote']);
    expect(inputs.source?.default).toBe('$DOCKER_BUILD_IMAGE');
    expect(inputs.rules?.default).toEqual([{ if: '$CI_COMMIT_TAG' }]);
    expect(inputs.stage?.default).toBe('deploy');
    expect(inputs['job-name']?.default).toBe('docker-build-promote');
    // It builds nothing: no build input, no Dockerfile check report.
    for (const name of ['context', 'file', 'platforms', 'cache', 'check', 'sources', 'secrets-variable']) {
      expect(inputs[name], name).toBeUndefined();
    }
    expect(job.artifacts.reports.codequality).toBeUndefined();
  });

  it('merge runs `merge`, reading the digest files of the earlier jobs by default', () => {
    const { inputs, job } = parts('merge');
    expect(job.script).toEqual(['node "$[[ inputs.entrypoint ]]" merge']);
    expect(inputs.sources?.default).toBe('');
    expect(inputs.source).toBeUndefined();
    expect(job.variables.INPUT_SOURCES).toBe('$[[ inputs.sources ]]');
  });
});
