/**
 * GitLab's container-scanning report schema 15.0.7 (security-report-schemas, dist/container-scanning-report-format.json),
 * as far as it concerns the fields our report writes. The published file is in no package registry this project can
 * install from (see test/fixtures/schemas/README.md), so it is not stored; these are its constraints, written down and
 * checked against it.
 *
 * The published schema allows additional properties everywhere, and left out here are only the fields our report never
 * writes (`cvss_vectors`, `details`, `tracking`, `flags`, `scan.options`, `scan.primary_identifiers`): for our report,
 * valid here means valid there. A field added to the report needs its constraints added here.
 */
export const GITLAB_SCHEMA_CHECKED = '15.0.7';

const text = { type: 'string' };
const nonEmpty = { type: 'string', minLength: 1 };
const time = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$' };
const url = { type: 'string', pattern: '^(https?|ftp)://.+' };

function tool(urlSchema: object): object {
  return {
    type: 'object',
    required: ['id', 'name', 'version', 'vendor'],
    properties: {
      id: nonEmpty,
      name: nonEmpty,
      url: urlSchema,
      vendor: { type: 'object', required: ['name'], properties: { name: nonEmpty } },
      version: nonEmpty,
    },
  };
}

export const GITLAB_CONTAINER_SCANNING = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['scan', 'version', 'vulnerabilities'],
  properties: {
    scan: {
      type: 'object',
      required: ['analyzer', 'end_time', 'scanner', 'start_time', 'status', 'type'],
      properties: {
        analyzer: tool({ type: 'string', pattern: '^https?://.+' }),
        scanner: tool(text),
        start_time: time,
        end_time: time,
        status: { type: 'string', enum: ['success', 'failure'] },
        type: { type: 'string', enum: ['container_scanning'] },
        messages: {
          type: 'array',
          items: {
            type: 'object',
            required: ['level', 'value'],
            properties: { level: { type: 'string', enum: ['info', 'warn', 'fatal'] }, value: nonEmpty },
          },
        },
      },
    },
    schema: { type: 'string', pattern: '^https?://.+' },
    version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' },
    vulnerabilities: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'identifiers', 'location'],
        properties: {
          id: nonEmpty,
          name: { type: 'string', maxLength: 255 },
          description: { type: 'string', maxLength: 1_048_576 },
          severity: { type: 'string', enum: ['Info', 'Unknown', 'Low', 'Medium', 'High', 'Critical'] },
          solution: { type: 'string', maxLength: 7000 },
          identifiers: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['type', 'name', 'value'],
              properties: { type: nonEmpty, name: nonEmpty, url, value: nonEmpty },
            },
          },
          links: {
            type: 'array',
            items: { type: 'object', required: ['url'], properties: { name: text, url } },
          },
          location: {
            type: 'object',
            required: ['dependency', 'operating_system', 'image'],
            properties: {
              dependency: {
                type: 'object',
                required: ['package', 'version'],
                properties: {
                  package: { type: 'object', required: ['name'], properties: { name: text } },
                  version: text,
                },
              },
              operating_system: nonEmpty,
              image: nonEmpty,
              default_branch_image: { type: 'string', maxLength: 255 },
            },
          },
        },
      },
    },
    remediations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['fixes', 'summary', 'diff'],
        properties: {
          fixes: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: nonEmpty } } },
          summary: nonEmpty,
          diff: nonEmpty,
        },
      },
    },
  },
};
