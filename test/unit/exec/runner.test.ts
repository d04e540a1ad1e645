import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretMask } from '../../../src/exec/mask.js';
import { CommandError, displayCommand, Runner } from '../../../src/exec/runner.js';

// These tests start a real process: Node itself, the one program sure to be here.
function setup(...secrets: string[]) {
  const mask = new SecretMask();
  mask.add(...secrets);
  const log: string[] = [];
  return { runner: new Runner(mask, (line) => log.push(line)), log };
}

describe('the command runner', () => {
  it('passes arguments as argv, never through a shell', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'runner-')), 'pwned');
    const hostile = `$(touch ${marker}); \`touch ${marker}\` | touch ${marker}`;
    const { runner } = setup();
    const result = await runner.run(process.execPath, ['-e', 'console.log(JSON.stringify(process.argv[1]))', hostile]);
    expect(JSON.parse(result.stdout)).toBe(hostile);
    expect(existsSync(marker)).toBe(false);
  });

  it('gives a secret on stdin, and masks it in the command line and the output', async () => {
    const { runner, log } = setup('hunter2-secret');
    const result = await runner.run(process.execPath, [
      '-e',
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log("got "+s))',
      'hunter2-secret-as-arg',
    ]);
    expect(result.stdout).toBe('got \n');
    const withStdin = await runner.run(
      process.execPath,
      ['-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log("got "+s))'],
      { stdin: 'hunter2-secret' },
    );
    expect(withStdin.stdout).toBe('got hunter2-secret\n');
    expect(log.join('\n')).not.toContain('hunter2-secret');
    expect(log).toContain('got ***');
    expect(log.some((line) => line.includes('***-as-arg'))).toBe(true);
  });

  it('fails on a non-zero exit code with the tool, the code and the last stderr lines, masked', async () => {
    const { runner } = setup('s3cr3t');
    const script =
      'for (let i = 0; i < 30; i++) console.error("line " + i); console.error("bad s3cr3t"); process.exit(3)';
    const error = await runner.run(process.execPath, ['-e', script], { quiet: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    const failure = error as CommandError;
    expect(failure.code).toBe(3);
    expect(failure.stderrTail.split('\n')).toHaveLength(20);
    expect(failure.stderrTail).toMatch(/line 29\nbad \*\*\*$/);
    expect(failure.message).toMatch(/failed with exit code 3/);
    expect(failure.message).not.toContain('s3cr3t');
  });

  it('fails on a non-zero exit code even with empty stderr', async () => {
    const { runner } = setup();
    await expect(runner.run(process.execPath, ['-e', 'process.exit(1)'])).rejects.toThrow(/exit code 1/);
  });

  it('sends a quiet program’s output to the debug sink, masked, and none of it to the log', async () => {
    const mask = new SecretMask();
    mask.add('hunter2-secret');
    const log: string[] = [];
    const debug: string[] = [];
    const runner = new Runner(
      mask,
      (line) => log.push(line),
      process.env,
      undefined,
      (line) => debug.push(line),
    );
    const script = 'console.log("out hunter2-secret"); console.error("err line")';
    await runner.withLog((line) => log.push(line)).run(process.execPath, ['-e', script], { quiet: true });
    expect(log).toEqual([`$ ${displayCommand(process.execPath, ['-e', script], mask)}`]);
    expect(debug.sort()).toEqual(['err line', 'out ***']);
    await runner.run(process.execPath, ['-e', 'console.log("loud")']);
    expect(log.at(-1)).toBe('loud');
    expect(debug).toHaveLength(2);
  });

  it('hands each stderr line, masked, to onStderrLine as it arrives, before the program ends', async () => {
    const { runner } = setup('hunter2-secret');
    const seen: string[] = [];
    // The program goes on only once the listener has seen its first line: the line arrives while it runs.
    const flag = join(mkdtempSync(join(tmpdir(), 'runner-')), 'seen');
    const script = [
      'const fs = require("node:fs");',
      'console.error("first hunter2-secret"); console.log("on stdout");',
      `const wait = () => fs.existsSync(${JSON.stringify(flag)}) ? console.error("second") : setTimeout(wait, 10);`,
      'wait();',
    ].join('');
    await runner.run(process.execPath, ['-e', script], {
      quiet: true,
      onStderrLine: (line) => {
        seen.push(line);
        writeFileSync(flag, '');
      },
    });
    expect(seen).toEqual(['first ***', 'second']);
  });

  it('returns the result instead with allowFailure', async () => {
    const { runner } = setup();
    expect(await runner.run(process.execPath, ['-e', 'process.exit(4)'], { allowFailure: true })).toMatchObject({
      code: 4,
    });
  });

  it('names a program that is not installed', async () => {
    const { runner } = setup();
    await expect(runner.run('no-such-tool-here', ['x'])).rejects.toThrow(/no-such-tool-here was not found on PATH/);
  });

  it('adds and removes environment variables', async () => {
    const runner = new Runner(new SecretMask(), () => undefined, { KEEP: '1', DROP: '2' });
    const { stdout } = await runner.run(
      process.execPath,
      ['-e', 'console.log([process.env.KEEP, process.env.DROP, process.env.ADD].join(","))'],
      { env: { DROP: undefined, ADD: '3' } },
    );
    expect(stdout.trim()).toBe('1,,3');
  });

  it('displays a command line quoted where a shell would need it', () => {
    const mask = new SecretMask();
    mask.add('tok3n');
    expect(displayCommand('docker', ['login', '--username=me', 'a b', "it's", 'tok3n'], mask)).toBe(
      `docker login --username=me 'a b' 'it'\\''s' ***`,
    );
  });
});

describe('the secret mask', () => {
  it('masks each line of a multi-line secret, longest first, ignoring trivial values', () => {
    const mask = new SecretMask();
    mask.add('line-one\nline-two', 'ab', '');
    expect(mask.apply('x line-one y\nline-two z ab')).toBe('x *** y\n*** z ab');
  });
});
