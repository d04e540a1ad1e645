// What the user-facing documents and examples promise, checked: links that lead somewhere, snippets that use the
// current majors of GitHub's actions with the permissions they need, GitLab pipelines that run once per push, and
// component versions that the release job's tags make resolvable.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url).pathname;
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const filesIn = (dir: string, ext: string): string[] =>
  readdirSync(join(root, dir))
    .filter((name) => name.endsWith(ext))
    .map((name) => `${dir}/${name}`);

const MARKDOWN = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'SECURITY.md', ...filesIn('docs', '.md')];
const WORKFLOWS = [...filesIn('.github/workflows', '.yml'), ...filesIn('.github/examples', '.yml')];
const GITLAB_PIPELINES = ['.gitlab-ci.yml', ...filesIn('.gitlab/examples', '.yml')];

/**
 * The majors users are shown, checked everywhere at once so that an upgrade is one edit here. Found late 2026 in the
 * actions' own repositories: actions/checkout v7.0.1 (July 2026), actions/setup-node v7.0.0 (August 2026),
 * github/codeql-action v4.36.2 (June 2026; its v3 is deprecated in December 2026), actions/upload-artifact v7 and
 * actions/download-artifact v8.0.1 (their first majors on Node 24 by default; v4, docker's multi-runner recipe's,
 * runs on Node 20).
 */
const CURRENT: Record<string, string> = {
  'actions/checkout': 'v7',
  'actions/setup-node': 'v7',
  'actions/upload-artifact': 'v7',
  'actions/download-artifact': 'v8',
  'github/codeql-action/upload-sarif': 'v4',
};

/** The fenced code blocks of a Markdown text in a language. */
function blocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
}

/** Every piece of GitHub workflow YAML users read: the workflow files and the YAML snippets of the documents. */
function githubYaml(): { where: string; text: string }[] {
  return [
    ...WORKFLOWS.map((where) => ({ where, text: read(where) })),
    ...MARKDOWN.flatMap((where) =>
      blocks(read(where), 'yaml')
        .filter((text) => /^\s*(?:-\s+)?uses:/m.test(text))
        .map((text) => ({ where, text })),
    ),
  ];
}

/** A heading's anchor as GitHub and GitLab make it: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

describe('the README', () => {
  const readme = read('README.md');

  it('stays under 15 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThan(15_000);
  });

  it('ends with the two set-up commands, the demo first, and a link to CONTRIBUTING.md', () => {
    const development = readme.slice(readme.lastIndexOf('\n## '));
    expect(development).toMatch(/^\n## Development\n/);
    const commands = [...development.matchAll(/^npm (?:run )?\S+/gm)].map((m) => m[0]);
    expect(commands).toEqual(['npm run demo', 'npm test']);
    expect(development).toContain('](CONTRIBUTING.md)');
  });

  it('has one mermaid diagram of the steps', () => {
    const [diagram, ...more] = blocks(readme, 'mermaid');
    expect(more).toHaveLength(0);
    expect(diagram).toMatch(/^flowchart LR\n/);
    // a lowercase `end` as a label breaks mermaid's flowchart parser
    expect(diagram).not.toMatch(/\bend\b/);
  });
});

describe('the documents', () => {
  it('never tell anyone to run `npx docker-build`: that name is an unrelated npm package', () => {
    for (const file of MARKDOWN) expect(read(file), file).not.toMatch(/npx docker-build/);
  });

  // Images are left out: the job summary picture is made from a lab run by separate tooling.
  it.each(MARKDOWN)('%s: every relative link leads to a file, and every anchor to a heading', (file) => {
    const links = [...read(file).matchAll(/(?<!!)\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
    for (const link of links.filter((l) => !/^[a-z]+:/.test(l))) {
      const [path = '', anchor] = link.split('#');
      const target = path === '' ? file : normalize(join(dirname(file), path));
      expect(existsSync(join(root, target)), `${file}: ${link}`).toBe(true);
      if (anchor !== undefined && target.endsWith('.md')) {
        const headings = [...read(target).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] ?? ''));
        expect(headings, `${file}: ${link}`).toContain(anchor);
      }
    }
  });
});

describe('GitHub workflows and snippets', () => {
  // A pin by commit SHA (the release workflow's) counts by the version its comment names: `@<sha> # v7.0.1` is v7.
  it('use the current major of each action they name', () => {
    for (const { where, text } of githubYaml()) {
      for (const [, action = '', ref = '', comment] of text.matchAll(
        /uses:\s*([\w./-]+)@(\S+)(?:[ \t]+#[ \t]*(\S+))?/g,
      )) {
        const want = CURRENT[action];
        const major = /^[0-9a-f]{40}$/.test(ref) ? /^(v\d+)\.\d+\.\d+$/.exec(comment ?? '')?.[1] : ref;
        if (want !== undefined) expect(`${where}: ${action}@${major ?? ref}`).toBe(`${where}: ${action}@${want}`);
      }
    }
  });

  it('grant security-events: write wherever a SARIF report is uploaded', () => {
    const uploads = githubYaml().filter(({ text }) => text.includes('upload-sarif'));
    expect(uploads.length).toBeGreaterThan(0);
    for (const { where, text } of uploads) expect(text, where).toMatch(/^\s*security-events: write\b/m);
  });
});

describe('GitLab pipelines and versions', () => {
  interface Rule {
    if?: string;
    when?: string;
  }

  it.each(GITLAB_PIPELINES)('%s runs one pipeline per push (GitLab’s $CI_OPEN_MERGE_REQUESTS rules)', (file) => {
    const rules = ((parse(read(file)) as { workflow?: { rules?: Rule[] } }).workflow?.rules ?? []).map(
      (rule) => `${rule.if ?? ''}${rule.when === undefined ? '' : ` -> ${rule.when}`}`,
    );
    const mergeRequests = rules.indexOf('$CI_PIPELINE_SOURCE == "merge_request_event"');
    const noDuplicate = rules.indexOf('$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS -> never');
    const branches = rules.indexOf('$CI_COMMIT_BRANCH');
    expect(mergeRequests, rules.join('\n')).toBeGreaterThanOrEqual(0);
    expect(noDuplicate, rules.join('\n')).toBeGreaterThan(mergeRequests);
    expect(branches, rules.join('\n')).toBeGreaterThan(noDuplicate);
  });

  it("releases exactly the tags the catalog takes: X.Y.Z, not GitHub's v-prefixed major tags", () => {
    const release = (parse(read('.gitlab-ci.yml')) as { release: { rules: Rule[] } }).release;
    const [rule] = release.rules;
    const pattern = /^\$CI_COMMIT_TAG =~ \/(.+)\/$/.exec(rule?.if ?? '')?.[1];
    expect(pattern).toBeDefined();
    const releases = new RegExp(pattern ?? '$^');
    expect(['1.0.0', '1.2.3', '10.20.30'].filter((tag) => releases.test(tag))).toHaveLength(3);
    expect(['v1', 'v1.2.3', '1.2', '1', 'main'].filter((tag) => releases.test(tag))).toEqual([]);
  });

  it('include the component by a version the catalog resolves, the same in the README and the examples', () => {
    const sources = [...MARKDOWN, ...GITLAB_PIPELINES.slice(1)];
    const versions = sources.flatMap((file) =>
      [...read(file).matchAll(/docker-build\/docker-build\/docker-build@(\S+)/g)].map((m) => `${file}: @${m[1] ?? ''}`),
    );
    expect(versions.length).toBeGreaterThan(2);
    // or a full commit SHA, the pin SECURITY.md recommends
    for (const version of versions) expect(version).toMatch(/: @(?:~latest|\d+(?:\.\d+){0,2}|[0-9a-f]{40})$/);
    expect(versions.filter((version) => version.startsWith('README.md'))).toEqual(['README.md: @1']);
  });
});
