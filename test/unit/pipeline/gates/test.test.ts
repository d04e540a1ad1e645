// The test gate with a stand-in `docker`: a two-platform image whose arm64 test fails, the time limit, the builder's
// path, and the reports. No daemon: the stand-in answers as docker and buildx do, and records its arguments.
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_GATE } from '../../../../src/pipeline/gates/test.js';
import type { GateRun, ScanTarget } from '../../../../src/pipeline/step.js';
import type { Plan, TestPlan } from '../../../../src/plan/types.js';
import { testStep as newStep } from '../../helpers/step.js';

/** testStep's directories, removed after each test. */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function testStep(...args: Parameters<typeof newStep>): ReturnType<typeof newStep> {
  const made = newStep(...args);
  dirs.push(made.dir);
  return made;
}

const AMD64 = `sha256:${'1'.repeat(64)}`;
const ARM64 = `sha256:${'2'.repeat(64)}`;
const REPO = 'registry.example.com/app';
const PUSHED: ScanTarget[] = [
  { platform: 'linux/amd64', digest: AMD64, source: { kind: 'registry', reference: `${REPO}@${AMD64}` } },
  { platform: 'linux/arm64', digest: ARM64, source: { kind: 'registry', reference: `${REPO}@${ARM64}` } },
];

const TEST: TestPlan = {
  command: ['sh', '-c', 'uname -m; cat /app/ok'],
  env: [{ key: 'MODE', value: 'secret-ish value' }],
  timeoutMs: 60_000,
  platforms: [],
  healthcheck: false,
  runner: 'docker',
  runnerReason: 'docker run on the job’s Docker engine',
};

/** `docker` as the gate calls it: arm64's command fails; `SLOW` makes every run outlast the limit. */
function standIn(dir: string, body: string[]) {
  const file = join(dir, 'docker');
  writeFileSync(file, ['#!/bin/sh', `echo "docker $* MODE=$MODE" >>${join(dir, 'calls')}`, ...body, ''].join('\n'));
  chmodSync(file, 0o755);
}

const ENGINE = [
  'case "$*" in',
  '  pull*) exit 0 ;;',
  '  "container rm"*) exit 0 ;;',
  // (one stream: stdout and stderr come through two pipes, whose lines' order between them is not kept)
  "  *--platform=linux/arm64*) echo aarch64; echo \"cat: can't open '/app/ok': No such file or directory\"; exit 1 ;;",
  '  *--platform=linux/amd64*) [ -n "$SLOW" ] && sleep 5; echo x86_64; echo ok; exit 0 ;;',
  'esac',
];

function gateRun(dir: string, step: GateRun['step'], test: TestPlan, targets = PUSHED): GateRun {
  const plan = { test } as Plan;
  return { step, plan, host: {} as GateRun['host'], builder: 'b', targets, imageName: REPO, reportDir: join(dir, 'r') };
}

describe('the test gate', () => {
  it('fails on the platform whose command fails, naming it, its exit code and its last lines', async () => {
    const { dir, step, log } = testStep('test-gate-', { standIns: true });
    standIn(dir, ENGINE);
    const result = await TEST_GATE.judge(gateRun(dir, step, TEST), undefined);
    expect(result.result).toBe('failed');
    expect(result.failure).toBe('the test gate failed on linux/arm64 (exit code 1)');
    expect(result.outputs).toEqual({ 'test-result': 'failed', 'test-junit': join(dir, 'r', 'test-junit.xml') });
    expect(result.text).toMatch(/linux\/amd64\s+passed\s+exit code 0/);
    expect(result.text).toMatch(/linux\/arm64\s+FAILED \(exit code 1\)\s+exit code 1/);
    expect(result.text).toContain("  cat: can't open '/app/ok': No such file or directory");
    expect(result.summary).toMatch(/\| linux\/arm64 \| FAILED \(exit code 1\) \| 1 \| \d+\.\d \|/);
    const junit = readFileSync(join(dir, 'r', 'test-junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(2);
    expect(junit.match(/<failure /g)).toHaveLength(1);
    expect(junit).toMatch(/name="linux\/arm64: [^"]*"[^>]*>\s*<failure message="linux\/arm64: exit code 1"/);
    // each platform's lines in one block: the command line, what it printed, its end
    const text = log.join('');
    expect(text).toMatch(
      /\$ docker run --rm --name=docker-build-test-[0-9a-f]{8}-2 --platform=linux\/arm64 --env=MODE --entrypoint=sh -- registry.example.com\/app@sha256:2{64} -c 'uname -m; cat \/app\/ok'\naarch64\ncat: can't open/,
    );
    // the value of test-env reached docker through its environment, never its arguments
    const calls = readFileSync(join(dir, 'calls'), 'utf8');
    expect(calls).toContain('MODE=secret-ish value');
    expect(
      calls
        .split('\n')
        .filter((line) => line.startsWith('docker run'))
        .join('\n'),
    ).not.toMatch(/--env=MODE=/);
    expect(calls).toMatch(/docker pull --quiet --platform=linux\/arm64 registry.example.com\/app@sha256:2{64}/);
    // both containers are on the cleanup stack
    expect(step.cleanup.size).toBe(2);
  });

  it('passes when every tested platform passes (test-platforms: linux/amd64)', async () => {
    const { dir, step } = testStep('test-gate-', { standIns: true });
    standIn(dir, ENGINE);
    const result = await TEST_GATE.judge(gateRun(dir, step, { ...TEST, platforms: ['linux/amd64'] }), undefined);
    expect(result.result).toBe('passed');
    expect(result.failure).toBeUndefined();
    expect(readFileSync(join(dir, 'r', 'test-junit.xml'), 'utf8')).not.toContain('<failure');
  });

  it('a platform not built is an error, not a pass', async () => {
    const { dir, step } = testStep('test-gate-', { standIns: true });
    standIn(dir, ENGINE);
    await expect(
      TEST_GATE.judge(gateRun(dir, step, { ...TEST, platforms: ['linux/s390x'] }), undefined),
    ).rejects.toThrow(/test-platforms names linux\/s390x, and the image has linux\/amd64, linux\/arm64/);
  });

  it('past the time limit: failed, and the container removed', async () => {
    const { dir, step } = testStep('test-gate-', { standIns: true });
    standIn(dir, ['[ "$1" = run ] && export SLOW=1', ...ENGINE]);
    const started = performance.now();
    const result = await TEST_GATE.judge(
      gateRun(dir, step, { ...TEST, timeoutMs: 300, platforms: ['linux/amd64'] }),
      undefined,
    );
    expect(performance.now() - started).toBeLessThan(4000);
    expect(result.failure).toBe('the test gate failed on linux/amd64 (timed out after 300ms)');
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toMatch(
      /docker container rm --force docker-build-test-[0-9a-f]{8}-1/,
    );
  });

  it("in the builder, on a not-pushed platform's OCI layout: the RUN's output and exit code from buildx's progress", async () => {
    const { dir, step, log } = testStep('test-gate-', { standIns: true });
    standIn(dir, [
      'cat >>' + join(dir, 'stdin'),
      'case "$*" in',
      '  *--platform=linux/arm64*)',
      '    printf \'#3 [2/2] RUN ["sh"]\\n#3 0.1 aarch64\\n#3 ERROR: process "sh" did not complete successfully: exit code: 7\\n\' >&2; exit 1 ;;',
      '  *) printf \'#3 [2/2] RUN ["sh"]\\n#3 0.1 x86_64\\n#3 DONE 0.2s\\n\' >&2 ;;',
      'esac',
    ]);
    const layouts: ScanTarget[] = PUSHED.map((t) => ({
      ...t,
      source: { kind: 'archive', path: join(dir, `image-${t.platform.replace('/', '-')}`) },
    }));
    const result = await TEST_GATE.judge(
      gateRun(dir, step, { ...TEST, runner: 'builder', runnerReason: 'in the builder' }, layouts),
      undefined,
    );
    expect(result.failure).toBe('the test gate failed on linux/arm64 (exit code 7)');
    const stdin = readFileSync(join(dir, 'stdin'), 'utf8');
    expect(stdin).toContain('FROM docker-build-tested-image\nARG MODE\nRUN ["sh","-c","uname -m; cat /app/ok"]\n');
    const calls = readFileSync(join(dir, 'calls'), 'utf8');
    expect(calls).toContain(`--build-context=docker-build-tested-image=oci-layout://${dir}/image-linux-arm64@${ARM64}`);
    expect(calls).not.toContain('docker pull');
    expect(log.join('\n')).toMatch(/\naarch64\n/);
  });
});

describe('the test gate in the builder, when the registry fails for a moment', () => {
  it('tries again when the image could not be read (503), and judges the RUN of the try that ran', async () => {
    const { dir, step, log } = testStep('test-gate-', { standIns: true });
    const once = join(dir, 'failed-once');
    standIn(dir, [
      'cat >/dev/null',
      `if [ ! -f ${once} ]; then touch ${once}; echo 'ERROR: failed to resolve source metadata: 503 Service Unavailable' >&2; exit 1; fi`,
      'printf \'#3 [2/2] RUN ["sh"]\\n#3 0.1 fine\\n#3 DONE 0.2s\\n\' >&2',
    ]);
    const result = await TEST_GATE.judge(
      gateRun(dir, step, { ...TEST, runner: 'builder', runnerReason: 'in the builder', platforms: ['linux/amd64'] }),
      undefined,
    );
    expect(result.result).toBe('passed');
    expect(log.join('')).toMatch(
      /testing linux\/amd64 in the builder: attempt 1 of 4 failed \(ERROR: failed to resolve source metadata: 503 Service Unavailable\); retrying in 1s/,
    );
  });
});

describe('the health check', () => {
  const state = (health: string | undefined, healthcheck = true) =>
    JSON.stringify({
      State: {
        Status: 'running',
        Running: true,
        ExitCode: 0,
        ...(health === undefined ? {} : { Health: { Status: health, Log: [{ ExitCode: 1, Output: '' }] } }),
      },
      Config: healthcheck ? { Healthcheck: { Test: ['CMD-SHELL', 'test -f /tmp/up'] } } : {},
    });

  function healthStandIn(dir: string, states: string[]) {
    const count = join(dir, 'looks');
    standIn(dir, [
      'case "$1 $2" in',
      '  "pull "*|"run "*) exit 0 ;;',
      '  "container logs") echo \'starting, never up\' ;;',
      '  "container inspect")',
      `    n=$(cat ${count} 2>/dev/null || echo 0); echo $((n + 1)) >${count}`,
      ...states.map((json, i) => `    [ "$n" = ${i} ] && { echo '${json}'; exit 0; }`),
      `    echo '${states.at(-1) ?? ''}' ;;`,
      'esac',
    ]);
  }

  const HEALTH: TestPlan = { ...TEST, command: undefined, healthcheck: true, platforms: ['linux/arm64'] };

  it('passes once the container is healthy; the container started with its own entrypoint, then removed', async () => {
    const { dir, step, log } = testStep('test-gate-', { standIns: true });
    healthStandIn(dir, [state('starting'), state('healthy')]);
    const result = await TEST_GATE.judge(gateRun(dir, step, HEALTH), undefined);
    expect(result.result).toBe('passed');
    expect(log.join('')).toMatch(/linux\/arm64: health starting\nlinux\/arm64: health healthy\n/);
    const calls = readFileSync(join(dir, 'calls'), 'utf8');
    expect(calls).toMatch(
      /docker run --detach --name=docker-build-test-[0-9a-f]{8}-1-health --platform=linux\/arm64 --env=MODE -- registry.example.com\/app@sha256:2{64} MODE=secret-ish value/,
    );
    expect(calls).not.toMatch(/--entrypoint/);
    expect(calls).toMatch(/docker container rm --force --volumes docker-build-test-[0-9a-f]{8}-1-health/);
  });

  it('fails when unhealthy, with the container log and the last check', async () => {
    const { dir, step } = testStep('test-gate-', { standIns: true });
    healthStandIn(dir, [state('starting'), state('unhealthy')]);
    const result = await TEST_GATE.judge(gateRun(dir, step, HEALTH), undefined);
    expect(result.failure).toBe('the test gate failed on linux/arm64 (unhealthy)');
    expect(result.text).toContain('  starting, never up\n  last health check:\n  (no output)');
  });

  it('fails when the image config has no HEALTHCHECK', async () => {
    const { dir, step } = testStep('test-gate-', { standIns: true });
    healthStandIn(dir, [state(undefined, false)]);
    const result = await TEST_GATE.judge(gateRun(dir, step, HEALTH), undefined);
    expect(result.failure).toBe('the test gate failed on linux/arm64 (no HEALTHCHECK in the image config)');
  });
});
