// Stand-in `docker` and `trivy` programs (shell scripts) for unit tests that run a whole pipeline without a daemon or a
// network: docker answers login, buildx (create, build, imagetools, rm) as buildx would for a two-platform push by
// digest, and the Dockerfile checks with a real report of test/fixtures/check/; trivy answers --version, downloads a
// database into --cache-dir, and scans each platform with a real Trivy report of test/fixtures/trivy/ (linux/arm64:
// two CRITICAL findings; linux/amd64: four MEDIUM).
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const INDEX_DIGEST = `sha256:${'0'.repeat(64)}`;
export const AMD64_DIGEST = `sha256:${'1'.repeat(64)}`;
export const ARM64_DIGEST = `sha256:${'2'.repeat(64)}`;

const FIXTURES = new URL('../../fixtures/trivy/', import.meta.url).pathname;
const CHECK_FIXTURES = new URL('../../fixtures/check/', import.meta.url).pathname;

export interface StandIns {
  /** the directory to put first on PATH */
  dir: string;
  /** the command lines the stand-ins were given, in order */
  calls: string;
}

export interface StandInOptions {
  /** `docker buildx build` prints this on stderr and exits 1 */
  buildFails?: string;
  /** the report of linux/arm64's scan: `alpine-39-high-critical.json` (fails the default gate) by default */
  arm64Report?: string;
  /** the database download waits until this file exists */
  dbWaitsFor?: string;
  /** what `docker buildx build --call=check` prints: a report of test/fixtures/check/ (`clean.json` by default) */
  checkReport?: string;
  /** `docker buildx build --call=check` prints this on stderr, nothing on stdout, and exits 1 */
  checkFails?: string;
  /** the first this many checks report BuildKit's error for a base image the registry answered 503 for */
  checkTransient?: number;
}

const INDEX = JSON.stringify({
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    { digest: AMD64_DIGEST, platform: { os: 'linux', architecture: 'amd64' } },
    { digest: ARM64_DIGEST, platform: { os: 'linux', architecture: 'arm64' } },
  ],
});

/** Trivy's own log line format: TIME, LEVEL, message, fields, tab-separated. */
const log = (level: string, message: string, fields = '') =>
  `printf '2026-03-02T10:00:00Z\\t${level}\\t${message}${fields === '' ? '' : `\\t${fields}`}\\n' >&2`;

export function writeStandIns(options: StandInOptions = {}): StandIns {
  const dir = mkdtempSync(join(tmpdir(), 'stand-ins-'));
  const calls = join(dir, 'calls');
  const script = (name: string, lines: string[]) => {
    writeFileSync(join(dir, name), ['#!/bin/sh', `echo "${name} $*" >>${calls}`, ...lines, ''].join('\n'));
    chmodSync(join(dir, name), 0o755);
  };
  const build =
    options.buildFails === undefined
      ? [
          'for a in "$@"; do case "$a" in --metadata-file=*) file="${a#--metadata-file=}";; esac; done',
          `echo '{"containerimage.digest":"${INDEX_DIGEST}"}' >"$file"`,
          'echo "#5 [2/2] RUN make" >&2',
        ]
      : [`echo '${options.buildFails}' >&2`, 'exit 1'];
  const check = join(CHECK_FIXTURES, options.checkReport ?? 'clean.json');
  const transient = JSON.stringify({
    warnings: null,
    buildError: { message: 'r.example.com/base:1: failed to resolve source metadata: 503 Service Unavailable' },
  });
  const checkAnswer = [
    options.checkTransient === undefined
      ? ''
      : `n=$(cat ${dir}/checks 2>/dev/null || echo 0); echo $((n + 1)) >${dir}/checks; ` +
        `[ "$n" -lt ${options.checkTransient} ] && { echo '${transient}'; exit 1; }; `,
    options.checkFails === undefined
      ? `cat ${check}; grep -q '"ruleName"' ${check} && exit 1; exit 0`
      : `echo '${options.checkFails}' >&2; exit 1`,
  ].join('');
  script('docker', [
    'case "$1 $2 $3" in',
    '  "login "*) cat >/dev/null ;;',
    '  "buildx inspect "*) echo "Name: b"; echo "Platforms: linux/amd64, linux/arm64" ;;',
    // The Dockerfile checks print their report; buildx exits 1 when there is any finding.
    `  "buildx build "*) case "$*" in *--call=check*) ${checkAnswer} ;; esac`,
    `    ${build.join('; ')} ;;`,
    `  "buildx imagetools inspect") echo '${INDEX}' ;;`,
    'esac',
  ]);
  script('trivy', [
    'case "$1 $2" in',
    '  "--version "*) echo "Version: 0.74.0"; exit 0 ;;',
    '  "image --download-db-only")',
    '    for a in "$@"; do case "$a" in --cache-dir=*) cache="${a#--cache-dir=}";; esac; done',
    options.dbWaitsFor === undefined ? '' : `    while [ ! -f ${options.dbWaitsFor} ]; do sleep 0.02; done`,
    '    mkdir -p "$cache/db"',
    '    head -c 2048 /dev/zero >"$cache/db/trivy.db"',
    `    echo '{"Version":2,"UpdatedAt":"2026-03-02T06:00:00Z","NextUpdate":"2026-03-02T12:00:00Z"}' >"$cache/db/metadata.json"`,
    `    ${log('INFO', '[vulndb] Downloading artifact...', 'repo="mirror.example.com/trivy-db:2"')}`,
    `    ${log('INFO', '[vulndb] Artifact successfully downloaded', 'repo="mirror.example.com/trivy-db:2"')}`,
    '    exit 0 ;;',
    'esac',
    log('INFO', '[vuln] Vulnerability scanning is enabled'),
    log('INFO', 'Detected OS', 'family="alpine" version="3.9.4"'),
    'case "$*" in',
    `  *${ARM64_DIGEST}*) cat ${join(FIXTURES, options.arm64Report ?? 'alpine-39-high-critical.json')} ;;`,
    `  *) cat ${join(FIXTURES, 'alpine-310.json')} ;;`,
    'esac',
  ]);
  return { dir, calls };
}
