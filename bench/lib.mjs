// The benchmark's tools: the lab's environment, a timed run of a program, a scratch git repository of the reference
// project, and statistics. Node only, no dependencies: `npm run bench` runs on a lab machine as it is.
import { Buffer } from 'node:buffer';
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;
export const DIST = join(ROOT, 'dist', 'index.js');

/** `npm run lab:env`'s variables, as an object. */
export function labEnv() {
  const text = execFileSync('bash', [join(ROOT, 'test/lab/lab.sh'), 'env'], { encoding: 'utf8' });
  const env = {};
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) env[match[1]] = match[2].replace(/\\(.)/g, '$1');
  }
  return env;
}

/** Runs a program (argv, no shell); resolves with its exit code, output and wall time in seconds. */
export function timed(cmd, args, { cwd, env, input } = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    // A program that exits before reading its input closes the pipe: that is not an error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
    child.on('close', (code) => {
      resolve({
        code,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
  });
}

export async function must(cmd, args, options) {
  const result = await timed(cmd, args, options);
  if (result.code !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.code}):\n${result.stderr.slice(-3000)}`);
  return result;
}

/** A fresh git repository holding the reference project, one commit on main. */
export async function projectRepo() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-project-'));
  cpSync(join(ROOT, 'bench', 'project'), dir, { recursive: true });
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await commit(dir, 'project');
  return dir;
}

export function git(dir, ...args) {
  return must('git', args, { cwd: dir });
}

export function commit(dir, message) {
  return git(dir, '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-qam', message);
}

/** A source-only change: the dependency layer stays valid, the build step and runtime stage do not. */
export async function changeSource(dir, text) {
  writeFileSync(join(dir, 'src', 'main.txt'), `${text}\n`);
  await commit(dir, text);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function stats(values) {
  return { runs: values.length, median: median(values), min: Math.min(...values), max: Math.max(...values), values };
}

export function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * The scenarios of a suite whose charts are groups (`group/name`): each `[name, title, label, color]` that has times,
 * with its statistics and its ratio to its group's reference scenario (`reference`: group → name).
 */
export function groupedScenarios(list, times, reference) {
  return list
    .filter(([name]) => times[name] !== undefined)
    .map(([name, title, label, color]) => {
      const group = name.split('/')[0];
      const seconds = stats(times[name]);
      return {
        name,
        group,
        title,
        label,
        color,
        seconds,
        against: reference[group],
        ratio: seconds.median / stats(times[reference[group]]).median,
      };
    });
}
