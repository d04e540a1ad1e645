// The GitHub adapter as the runner reads it: workflow commands on stdout and the runner's files. @actions/core reads
// process.env and writes process.stdout, so each test sets the runner's variables with vi.stubEnv and reads what was
// written to stdout through a spy.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SecretMask } from '../../../src/exec/mask.js';
import { GithubReporter } from '../../../src/platform/github.js';

const dir = mkdtempSync(join(tmpdir(), 'github-reporter-'));
// @actions/core's summary keeps the first path it reads: one summary file for the whole file, emptied before each test.
const summaryFile = join(dir, 'summary.md');

let stdout: string[] = [];

beforeEach(() => {
  stdout = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(chunk.toString());
    return true;
  });
  for (const name of ['output', 'state']) writeFileSync(join(dir, name), '');
  writeFileSync(summaryFile, '');
  vi.stubEnv('GITHUB_OUTPUT', join(dir, 'output'));
  vi.stubEnv('GITHUB_STATE', join(dir, 'state'));
  vi.stubEnv('GITHUB_STEP_SUMMARY', summaryFile);
  vi.stubEnv('RUNNER_DEBUG', '');
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function reporter(...secrets: string[]): GithubReporter {
  const mask = new SecretMask();
  mask.add(...secrets);
  return new GithubReporter(mask);
}

/** `name<<DELIMITER\nvalue\nDELIMITER` entries of a runner file, as the runner parses them. */
function fileCommands(file: string): Record<string, string> {
  const text = readFileSync(file, 'utf8');
  const entries: Record<string, string> = {};
  const pattern = /^([\w-]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) entries[match[1] ?? ''] = match[3] ?? '';
  return entries;
}

describe('the GitHub adapter (@actions/core)', () => {
  it('writes lines, warnings and errors as workflow commands, masked and escaped', () => {
    const github = reporter('hunter2-secret');
    github.info('logged in with hunter2-secret');
    github.warning('50% done\nthen hunter2-secret');
    github.error('failed');
    expect(stdout).toEqual(['logged in with ***\n', '::warning::50%25 done%0Athen ***\n', '::error::failed\n']);
  });

  it('annotates a file and line when the message has a location', () => {
    const github = reporter();
    github.warning('FROM without a digest', { file: 'app/Dockerfile', line: 3 });
    github.error('no such file', { file: 'Dockerfile' });
    expect(stdout).toEqual([
      '::warning file=app/Dockerfile,line=3::FROM without a digest\n',
      '::error file=Dockerfile::no such file\n',
    ]);
  });

  it('writes ::debug:: lines only when the run has debug logging on, masked', () => {
    const github = reporter('hunter2-secret');
    github.debug('cache keys tried: a, b');
    expect(stdout).toEqual([]);
    vi.stubEnv('RUNNER_DEBUG', '1');
    github.debug('$ docker login --password-stdin hunter2-secret');
    expect(stdout).toEqual(['::debug::$ docker login --password-stdin ***\n']);
  });

  it('opens and closes a group around a step, also when it fails', async () => {
    const github = reporter();
    await expect(github.group('Build 100%', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(stdout).toEqual(['::group::Build 100%25\n', '::endgroup::\n']);
  });

  it('registers each line of a multi-line secret with the runner', () => {
    reporter().addMask('line-one\n\nline-two\r\n');
    expect(stdout).toEqual(['::add-mask::line-one\n', '::add-mask::line-two\n']);
  });

  it('writes outputs to GITHUB_OUTPUT, multi-line values whole, secrets masked', () => {
    const github = reporter('hunter2-secret');
    github.setOutput('tags', 'r/app:1.2.3\nr/app:1.2');
    github.setOutput('image', 'r/app@sha256:aa-hunter2-secret');
    expect(fileCommands(join(dir, 'output'))).toEqual({
      tags: 'r/app:1.2.3\nr/app:1.2',
      image: 'r/app@sha256:aa-***',
    });
    expect(stdout).toEqual([]);
  });

  it('refuses to write an output, state or summary outside a GitHub step, naming the variable', async () => {
    vi.stubEnv('GITHUB_OUTPUT', '');
    vi.stubEnv('GITHUB_STATE', '');
    vi.stubEnv('GITHUB_STEP_SUMMARY', '');
    const github = reporter();
    expect(() => {
      github.setOutput('digest', 'sha256:aa');
    }).toThrow(/GITHUB_OUTPUT is not set/);
    expect(() => {
      github.saveState('isPost', 'true');
    }).toThrow(/GITHUB_STATE is not set/);
    await expect(github.summary('# hi')).rejects.toThrow(/GITHUB_STEP_SUMMARY is not set/);
    // never the deprecated stdout commands, which the runner refuses
    expect(stdout.join('')).not.toMatch(/::set-output|::save-state/);
  });

  it('keeps state for the post step in GITHUB_STATE, and reads it back from STATE_*', () => {
    const github = reporter();
    github.saveState('cleanup', '[{"kind":"directory","path":"/tmp/x"}]');
    expect(fileCommands(join(dir, 'state'))).toEqual({ cleanup: '[{"kind":"directory","path":"/tmp/x"}]' });
    expect(github.getState('cleanup')).toBe('');
    vi.stubEnv('STATE_cleanup', '[]');
    expect(github.getState('cleanup')).toBe('[]');
  });

  it('appends the job summary, masked', async () => {
    const github = reporter('hunter2-secret');
    await github.summary('## docker-build\nPushed with hunter2-secret');
    await github.summary('second');
    expect(readFileSync(summaryFile, 'utf8')).toBe('## docker-build\nPushed with ***\nsecond\n');
  });
});

describe('an OIDC token for signing (getIDToken)', () => {
  const requestToken = 'request-token-7f3a';
  const idToken = 'eyJhbGciOiJSUzI1NiJ9.oidc-token-for-sigstore.sig';
  const seen: { url: string; auth: string | undefined }[] = [];
  let server: Server;
  let base = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.headers.authorization !== `Bearer ${requestToken}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"bad token"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ value: `${idToken}.${url.searchParams.get('audience') ?? 'none'}` }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  it('asks the runner’s token service for the audience, and masks the token at once', async () => {
    vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_URL', `${base}/token?api-version=2.0`);
    vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_TOKEN', requestToken);
    const github = reporter();
    const token = await github.getIDToken('sigstore');
    expect(token).toBe(`${idToken}.sigstore`);
    expect(seen.at(-1)).toEqual({ url: '/token?api-version=2.0&audience=sigstore', auth: `Bearer ${requestToken}` });
    expect(stdout).toContain(`::add-mask::${token}\n`);
    github.info(`signing with ${token} (asked with ${requestToken})`);
    expect(stdout.at(-1)).toBe('signing with *** (asked with ***)\n');
  });

  it('says why when the token service refuses, without the request token', async () => {
    vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_URL', `${base}/token?api-version=2.0`);
    vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'wrong-request-token');
    const refused = reporter().getIDToken('sigstore');
    await expect(refused).rejects.toThrow(/could not get an OIDC token for audience sigstore: .*401/s);
    await expect(refused).rejects.not.toThrow(/wrong-request-token/);
  });

  it('says what the job lacks when it has no token service', async () => {
    vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_URL', '');
    await expect(reporter().getIDToken('sigstore')).rejects.toThrow(/permissions: id-token: write/);
  });
});
