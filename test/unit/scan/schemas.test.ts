// The reports against their published schemas: SARIF against SARIF 2.1.0 (the final schema, of the generation GitHub's
// upload-sarif validates with, and the rtm.5 draft), the GitLab report against GitLab's published container-scanning
// schema 15.2.4 (draft-07; a report of version 15.0.x is valid under it, the version being a pattern).
// Every Trivy JSON fixture goes through the converters on one platform and two, passing and failing, and so does a scan
// without findings. Where the schemas come from: test/fixtures/schemas/README.md.
import { readFileSync } from 'node:fs';
import ajvDraft04 from 'ajv-draft-04';
import ajv from 'ajv';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { GITLAB_SCHEMA_VERSION, toGitlabReport } from '../../../src/scan/gitlab.js';
import { evaluatePolicy, reportedScans } from '../../../src/scan/policy.js';
import { toSarif } from '../../../src/scan/sarif.js';
import { SEVERITIES, type PlatformScan, type Policy } from '../../../src/scan/types.js';
import { REPORT_ALL, scanOf, trivyFixture, twoPlatforms } from './helpers.js';

// ajv and its companions are CommonJS: under Node's ESM the default import is `module.exports`, the class its `default`.
const { default: Ajv } = ajv;
const { default: Ajv2020 } = ajv2020;
const { default: AjvDraft04 } = ajvDraft04;
const { default: addFormats } = ajvFormats;

function schema(name: string): object {
  return JSON.parse(readFileSync(new URL(`../../fixtures/schemas/${name}`, import.meta.url), 'utf8')) as object;
}

/** A validator that says why it failed: the first errors, enough to find the field. */
function validator(compile: (schema: object) => (data: unknown) => boolean, source: object) {
  const validate = compile(source) as ((data: unknown) => boolean) & { errors?: unknown[] | null };
  return (data: unknown): string => (validate(data) ? 'valid' : JSON.stringify(validate.errors?.slice(0, 3)));
}

// The final SARIF 2.1.0 schema declares JSON Schema 2020-12 and compiles in ajv's strict mode as it is.
const sarifAjv = new Ajv2020({ allErrors: true });
addFormats(sarifAjv);
// rtm.5 is draft-04, and its `language` pattern (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`, fixed in the final schema)
// is not a valid regular expression with the `u` flag ajv uses by default: compile its patterns without it.
const rtm5Ajv = new AjvDraft04({ allErrors: true, unicodeRegExp: false });
addFormats(rtm5Ajv);
const SARIF_SCHEMAS = [
  { name: 'sarif-2.1.0.json', check: validator((s) => sarifAjv.compile(s), schema('sarif-2.1.0.json')) },
  { name: 'sarif-2.1.0-rtm.5.json', check: validator((s) => rtm5Ajv.compile(s), schema('sarif-2.1.0-rtm.5.json')) },
];

// GitLab's schema is draft-07 (ajv's default draft), with formats (date-time, uri) and keywords of its own
// (`self`): ajv's strict mode is off for the latter, as GitLab's own validator runs.
const GITLAB_SCHEMA = 'container-scanning-report-format-15.2.4.json';
const gitlabAjv = new Ajv({ allErrors: true, strict: false });
addFormats(gitlabAjv);
const checkGitlab = validator((s) => gitlabAjv.compile(s), schema(GITLAB_SCHEMA));

/** Every Trivy JSON of test/fixtures/trivy/. */
const TRIVY_JSON = [
  'alpine-310.json',
  'alpine-39-high-critical.json',
  'debian-buster.json',
  'debian-buster-ignore-unfixed.json',
  'npm.json',
  'dockerfile.json',
  'secrets.json',
  'licenses.json',
];

const AMD64 = `sha256:${'1'.repeat(64)}`;
const ARM64 = `sha256:${'2'.repeat(64)}`;

const PASSING: Policy = { ...REPORT_ALL, failOn: [] };
const FAILING: Policy = { ...REPORT_ALL, failOn: [...SEVERITIES] };

/** One fixture as one platform, and as two (linux/amd64 + linux/arm64), each under a passing and a failing policy. */
function cases(name: string): { label: string; scans: PlatformScan[]; policy: Policy; passed: boolean }[] {
  const one = [scanOf(name, 'linux/amd64', AMD64)];
  const two = [scanOf(name, 'linux/amd64', AMD64), scanOf(name, 'linux/arm64', ARM64)];
  return [
    { label: 'one platform, passing', scans: one, policy: PASSING, passed: true },
    { label: 'one platform, failing', scans: one, policy: FAILING, passed: false },
    { label: 'two platforms, passing', scans: two, policy: PASSING, passed: true },
    { label: 'two platforms, failing', scans: two, policy: FAILING, passed: false },
  ];
}

const EMPTY: PlatformScan = { platform: 'linux/amd64', digest: AMD64, artifactName: 'r/app', findings: [] };

describe.each(SARIF_SCHEMAS)('SARIF against $name', ({ check }) => {
  it("accepts Trivy's own SARIF of alpine-310", () => {
    expect(check(JSON.parse(trivyFixture('alpine-310.sarif')))).toBe('valid');
  });

  it('rejects what breaks it: a result on line 0', () => {
    const sarif = toSarif([scanOf('secrets.json')], evaluatePolicy([scanOf('secrets.json')], REPORT_ALL), '0.74.0');
    const region = sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation.region;
    if (region === undefined) throw new Error('secrets.json has a located result');
    region.startLine = 0;
    expect(check(sarif)).toMatch(/startLine/);
  });

  it.each(TRIVY_JSON)('%s', (name) => {
    for (const { label, scans, policy, passed } of cases(name)) {
      const verdict = evaluatePolicy(scans, policy);
      expect(verdict.passed, label).toBe(passed);
      const sarif = toSarif(scans, verdict, '0.74.0');
      expect(sarif.runs, label).toHaveLength(scans.length);
      expect(check(sarif), label).toBe('valid');
    }
  });

  it('two platforms with different findings, one of them failing', () => {
    const { scans, verdict } = twoPlatforms();
    expect(verdict.passed).toBe(false);
    expect(check(toSarif(scans, verdict, '0.74.0'))).toBe('valid');
  });

  it('an image without findings', () => {
    const sarif = toSarif([EMPTY], evaluatePolicy([EMPTY], REPORT_ALL), '0.74.0');
    expect(sarif.runs[0]?.results).toEqual([]);
    expect(check(sarif)).toBe('valid');
  });

  it('file names a URI cannot hold as they are', () => {
    const secrets = scanOf('secrets.json');
    const targets = ['/app/my key.pem', '/srv/100%/ünï [1].env', '/app/a#b?.env', 'C:\\app\\x.env'];
    const scan = {
      ...secrets,
      findings: secrets.findings.flatMap((finding) => targets.map((target) => ({ ...finding, target }))),
    };
    expect(check(toSarif([scan], evaluatePolicy([scan], REPORT_ALL), '0.74.0'))).toBe('valid');
  });
});

describe(`the GitLab report against GitLab's published ${GITLAB_SCHEMA}`, () => {
  const info = {
    trivyVersion: '0.74.0',
    start: new Date('2024-03-01T12:34:56Z'),
    end: new Date('2024-03-01T12:35:07Z'),
    imageName: 'registry.example.com/group/app',
  };
  const gitlab = (scans: PlatformScan[], policy: Policy) =>
    toGitlabReport(reportedScans(scans, evaluatePolicy(scans, policy)), info);

  it('says version 15.0.7, which GitLab accepts from 15.0 on, as Trivy’s own report does', () => {
    expect(GITLAB_SCHEMA_VERSION).toBe('15.0.7');
    expect(gitlab([EMPTY], REPORT_ALL).version).toBe('15.0.7');
  });

  it("accepts Trivy's own GitLab report of alpine-310", () => {
    const trivys = JSON.parse(trivyFixture('alpine-310.gitlab')) as { version: string };
    expect(trivys.version).toBe('15.0.7');
    expect(checkGitlab(trivys)).toBe('valid');
  });

  it('rejects what breaks it: a link that is not a web address, a vulnerability without an image', () => {
    const report = gitlab([scanOf('alpine-310.json')], REPORT_ALL);
    const [first, second] = report.vulnerabilities;
    if (first === undefined || second === undefined) throw new Error('alpine-310.json has vulnerabilities');
    first.links = [{ url: 'mailto:security@example.com' }];
    second.location.image = '';
    const errors = checkGitlab(report);
    expect(errors).toMatch(/\/vulnerabilities\/0\/links\/0\/url/);
    expect(errors).toMatch(/\/vulnerabilities\/1\/location\/image/);
  });

  it.each(TRIVY_JSON)('%s', (name) => {
    for (const { label, scans, policy } of cases(name)) {
      const report = gitlab(scans, policy);
      expect(report.version, label).toBe(GITLAB_SCHEMA_VERSION);
      expect(checkGitlab(report), label).toBe('valid');
    }
  });

  it('two platforms with different findings', () => {
    const { scans } = twoPlatforms();
    expect(checkGitlab(gitlab(scans, REPORT_ALL))).toBe('valid');
  });

  it('references that are not web links, and texts past its limits', () => {
    const npm = scanOf('npm.json');
    const odd = npm.findings.map((finding) => ({
      ...finding,
      primaryUrl: 'urn:cve:CVE-2019-11358',
      references: ['mailto:security@example.com', 'http:/example.com', ...finding.references],
      description: 'd'.repeat(1_048_577),
      fixedVersion: 'v'.repeat(7000),
    }));
    expect(checkGitlab(gitlab([{ ...npm, findings: odd }], REPORT_ALL))).toBe('valid');
  });

  it('an image without findings', () => {
    const report = gitlab([EMPTY], REPORT_ALL);
    expect(report.vulnerabilities).toEqual([]);
    expect(checkGitlab(report)).toBe('valid');
  });
});
