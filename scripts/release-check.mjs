// Decides whether a pushed tag may become a release, before anything is published: what .github/workflows/release.yml
// runs first (and a maintainer may run before pushing a tag). Checks, in a clone with main's history:
//   - the tag is X.Y.Z, a semantic version without a `v` (the one form GitLab's CI/CD catalog takes; docs/gitlab.md);
//   - its commit is on main (origin/main), so a release is always something main's CI has run;
//   - package.json at that commit says the same version (what `docker-build --version` prints);
//   - CHANGELOG.md at that commit has a section for the version: the release notes;
//   - in a workflow, the tag still names the commit the run was started for (GITHUB_SHA).
// Then says whether the moving major tag vX follows this release (only when it is the newest X.y.z: a fix to an older
// minor leaves vX where it is) and whether it is the newest release of all (GitHub's "latest").
// Usage: node scripts/release-check.mjs TAG [--notes FILE]
// Writes version, major, commit, move-major and latest as key=value lines to $GITHUB_OUTPUT (or stdout), the notes to
// FILE. Exits 1 with a message naming the tag and what is wrong; nothing is written then.
import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';

const MAIN = 'origin/main';
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

class Refusal extends Error {}

/** git's answer, or undefined when git exits non-zero (an unknown ref, a path not in a commit). */
function git(...args) {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return undefined;
  }
}

/** [major, minor, patch] of a release tag, or undefined for any other tag. */
function version(tag) {
  const m = SEMVER.exec(tag);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])];
}

const newer = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** The CHANGELOG.md section of a version (Keep a Changelog: `## [1.2.3] - 2026-12-03`), without its heading. */
function section(changelog, tag) {
  const lines = changelog.split('\n');
  const heading = new RegExp(`^## \\[?${tag.replaceAll('.', '\\.')}\\]?(?:\\s|$)`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  const body = lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
  return body.trim() === '' ? undefined : `${body.trim()}\n`;
}

function check(tag) {
  const own = version(tag);
  if (own === undefined) {
    const hint = /^v\d/.test(tag)
      ? ` Releases are tagged without a v (${tag.slice(1)}), the one form GitLab's CI/CD catalog takes; the` +
        ' release workflow moves the major tag vX itself (docs/gitlab.md, "Versions").'
      : '';
    throw new Refusal(`Release tag "${tag}" refused: expected X.Y.Z, a semantic version such as 1.2.3.${hint}`);
  }
  const commit = git('rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`)?.trim();
  if (commit === undefined || commit === '') throw new Refusal(`Release tag "${tag}" refused: no such tag here`);
  // The commit this run was started for (GITHUB_SHA; for an annotated tag it may name the tag object): a tag moved
  // since would have one commit checked and attested, and another released.
  const started = process.env.GITHUB_SHA;
  if (started !== undefined && git('rev-parse', '--verify', '--quiet', `${started}^{commit}`)?.trim() !== commit) {
    throw new Refusal(`Release tag "${tag}" refused: it names ${commit} now, but this run was started for ${started}`);
  }
  if (git('rev-parse', '--verify', '--quiet', `${MAIN}^{commit}`) === undefined) {
    throw new Refusal(`Release tag "${tag}" refused: ${MAIN} is unknown here (a clone with main's history is needed)`);
  }
  if (git('merge-base', '--is-ancestor', commit, MAIN) === undefined) {
    throw new Refusal(`Release tag "${tag}" refused: its commit ${commit} is not on main (${MAIN})`);
  }
  const pkg = git('show', `${commit}:package.json`);
  const declared = pkg === undefined ? undefined : String(JSON.parse(pkg).version);
  if (declared !== tag) {
    throw new Refusal(
      `Release tag "${tag}" refused: package.json at ${commit} has version "${declared ?? 'none'}";` +
        ` set it to ${tag} (npm version ${tag} --no-git-tag-version), commit, then tag`,
    );
  }
  const notes = section(git('show', `${commit}:CHANGELOG.md`) ?? '', tag);
  if (notes === undefined) {
    throw new Refusal(
      `Release tag "${tag}" refused: CHANGELOG.md at ${commit} has no section "## [${tag}]" with notes`,
    );
  }
  const releases = (git('tag', '--list') ?? '')
    .split('\n')
    .map(version)
    .filter((v) => v !== undefined);
  const newest = (list) => list.reduce((a, b) => (newer(a, b) >= 0 ? a : b), own);
  const ofMajor = newest(releases.filter((v) => v[0] === own[0]));
  return {
    outputs: {
      version: tag,
      major: `v${own[0]}`,
      commit,
      'move-major': String(newer(own, ofMajor) === 0),
      latest: String(newer(own, newest(releases)) === 0),
    },
    notes,
  };
}

const [tag = '', ...rest] = process.argv.slice(2);
const notesFile = rest[0] === '--notes' ? rest[1] : undefined;
try {
  const { outputs, notes } = check(tag);
  const lines = Object.entries(outputs).map(([key, value]) => `${key}=${value}\n`);
  if (notesFile !== undefined) writeFileSync(notesFile, notes);
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, lines.join(''));
  else process.stdout.write(lines.join(''));
} catch (error) {
  if (!(error instanceof Refusal)) throw error;
  console.error(process.env.GITHUB_ACTIONS === 'true' ? `::error::${error.message}` : error.message);
  process.exitCode = 1;
}
