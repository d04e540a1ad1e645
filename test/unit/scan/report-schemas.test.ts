// The reports against schemas: SARIF against the OASIS SARIF 2.1.0 schema (what GitHub's upload-sarif validates),
// the GitLab report against the required fields and formats of GitLab's container-scanning schema 15.0.7.
import { readFileSync } from 'node:fs';
import ajvDraft04 from 'ajv-draft-04';
import ajv from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { toGitlabReport } from '../../../src/scan/gitlab.js';
import { evaluatePolicy, reportedScans } from '../../../src/scan/policy.js';
import { toSarif } from '../../../src/scan/sarif.js';
import type { PlatformScan } from '../../../src/scan/types.js';
import { REPORT_ALL, scanOf, trivyFixture } from './helpers.js';

const SARIF_SCHEMA = JSON.parse(
  readFileSync(new URL('../../fixtures/schemas/sarif-2.1.0-rtm.5.json', import.meta.url), 'utf8'),
) as object;

// ajv and its companions are CommonJS: under Node's ESM the default import is `module.exports`, the class its `default`.
const { default: AjvDraft04 } = ajvDraft04;
const { default: Ajv } = ajv;
const { default: addFormats } = ajvFormats;

// The published schema has keywords ajv's strict mode rejects as unknown, and a `language` pattern that is not a
// valid regular expression with the `u` flag (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`).
const sarifAjv = new AjvDraft04({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(sarifAjv);
const validateSarif = sarifAjv.compile(SARIF_SCHEMA);

/**
 * The container-scanning schema's requirements that a report can get wrong, written down from GitLab's schema 15.0.7
 * (security-report-schemas, dist/container-scanning-report-format.json): the published file cannot be installed here
 * (see test/fixtures/schemas/README.md).
 */
const GITLAB_REQUIRED = {
  type: 'object',
  required: ['version', 'vulnerabilities', 'scan'],
  properties: {
    version: { type: 'string', pattern: '^15\\.0\\.\\d+$' },
    scan: {
      type: 'object',
      required: ['analyzer', 'scanner', 'type', 'start_time', 'end_time', 'status'],
      properties: {
        analyzer: { $ref: '#/$defs/tool' },
        scanner: { $ref: '#/$defs/tool' },
        type: { const: 'container_scanning' },
        start_time: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$' },
        end_time: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$' },
        status: { enum: ['success', 'failure'] },
      },
    },
    vulnerabilities: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'identifiers', 'location'],
        properties: {
          id: { type: 'string', minLength: 1 },
          name: { type: 'string', maxLength: 255 },
          description: { type: 'string', maxLength: 1048576 },
          severity: { enum: ['Info', 'Unknown', 'Low', 'Medium', 'High', 'Critical'] },
          solution: { type: 'string', maxLength: 7000 },
          identifiers: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['type', 'name', 'value'],
              properties: {
                type: { type: 'string', minLength: 1 },
                name: { type: 'string', minLength: 1 },
                value: { type: 'string', minLength: 1 },
                url: { type: 'string', format: 'uri' },
              },
            },
          },
          links: {
            type: 'array',
            items: { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri' } } },
          },
          location: {
            type: 'object',
            required: ['dependency', 'operating_system', 'image'],
            properties: {
              dependency: {
                type: 'object',
                properties: { package: { type: 'object', properties: { name: { type: 'string' } } } },
              },
              operating_system: { type: 'string', minLength: 1 },
              image: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
    remediations: { type: 'array' },
  },
  $defs: {
    tool: {
      type: 'object',
      required: ['id', 'name', 'vendor', 'version'],
      properties: {
        id: { type: 'string', pattern: '^[a-z0-9-]+$' },
        name: { type: 'string', minLength: 1 },
        vendor: { type: 'object', required: ['name'] },
        version: { type: 'string', minLength: 1 },
      },
    },
  },
};
const gitlabAjv = new Ajv({ allErrors: true });
addFormats(gitlabAjv);
const validateGitlab = gitlabAjv.compile(GITLAB_REQUIRED);

const JSON_FIXTURES = [
  'alpine-310.json',
  'alpine-39-high-critical.json',
  'debian-buster.json',
  'debian-buster-ignore-unfixed.json',
  'npm.json',
  'dockerfile.json',
  'secrets.json',
];

function both(name: string): PlatformScan[] {
  return [
    scanOf(name, 'linux/amd64', `sha256:${'1'.repeat(64)}`),
    scanOf(name, 'linux/arm64', `sha256:${'2'.repeat(64)}`),
  ];
}

const EMPTY: PlatformScan = {
  platform: 'linux/amd64',
  digest: `sha256:${'3'.repeat(64)}`,
  artifactName: 'r/app',
  findings: [],
};

describe('SARIF against the SARIF 2.1.0 schema', () => {
  it("the schema and validator accept Trivy's own SARIF", () => {
    expect(validateSarif(JSON.parse(trivyFixture('alpine-310.sarif'))), JSON.stringify(validateSarif.errors)).toBe(
      true,
    );
  });

  it('and reject what is not SARIF', () => {
    expect(validateSarif({ version: '2.1.0', runs: [{ tool: {} }] })).toBe(false);
  });

  it.each(JSON_FIXTURES)('%s: one platform and two, passing and failing', (name) => {
    for (const scans of [[scanOf(name)], both(name)]) {
      for (const failOn of [[], ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']] as const) {
        const verdict = evaluatePolicy(scans, { ...REPORT_ALL, failOn: [...failOn] });
        const sarif = toSarif(scans, verdict, '0.74.0');
        expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
      }
    }
  });

  it('an image with no findings', () => {
    expect(validateSarif(toSarif([EMPTY], evaluatePolicy([EMPTY], REPORT_ALL), '0.74.0'))).toBe(true);
  });
});

describe("the GitLab report against the container-scanning schema's requirements", () => {
  const info = {
    trivyVersion: '0.74.0',
    start: new Date('2024-03-01T12:34:56Z'),
    end: new Date('2024-03-01T12:35:07Z'),
    imageName: 'registry.example.com/group/app',
  };

  it("the requirements accept Trivy's own GitLab report (schema 15.0.7)", () => {
    expect(validateGitlab(JSON.parse(trivyFixture('alpine-310.gitlab'))), JSON.stringify(validateGitlab.errors)).toBe(
      true,
    );
  });

  it.each(JSON_FIXTURES)('%s: one platform and two', (name) => {
    for (const scans of [[scanOf(name)], both(name)]) {
      const report = toGitlabReport(reportedScans(scans, evaluatePolicy(scans, REPORT_ALL)), info);
      expect(validateGitlab(report), JSON.stringify(validateGitlab.errors?.slice(0, 3))).toBe(true);
    }
  });

  it('an image with no findings', () => {
    const report = toGitlabReport(reportedScans([EMPTY], evaluatePolicy([EMPTY], REPORT_ALL)), info);
    expect(validateGitlab(report)).toBe(true);
    expect(report.vulnerabilities).toEqual([]);
  });
});
