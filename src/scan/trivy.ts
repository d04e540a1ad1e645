/**
 * Reading `trivy image --format json` (SchemaVersion 2) into the scan gate's data model. This is the only place that
 * knows Trivy's field names; everything after it reads `PlatformScan` and `Finding`.
 *
 * A secret finding keeps the rule, its title and its location only: Trivy's `Match` and `Code` hold the matched text,
 * and even masked (`AKIA****************`) they are never copied, so no report can leak them.
 */
import { ScanError } from './errors.js';
import { SEVERITIES, type Finding, type PlatformScan, type Severity } from './types.js';

type JsonObject = Record<string, unknown>;

/** The only schema this parser knows; a future one fails loudly rather than being half-read by a gate. */
const SCHEMA_VERSION = 2;

export function parseTrivyReport(json: string, platform: string, digest: string): PlatformScan {
  const fail = (reason: string): never => {
    throw new ScanError(platform, reason);
  };
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (error) {
    return fail(`it is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(document)) return fail(`expected a Trivy report (a JSON object), got ${kindOf(document)}`);
  if (document.SchemaVersion === undefined) return fail('it has no SchemaVersion, so it is not a Trivy report');
  if (document.SchemaVersion !== SCHEMA_VERSION) {
    return fail(`SchemaVersion ${JSON.stringify(document.SchemaVersion)} is not supported: expected ${SCHEMA_VERSION}`);
  }
  // Trivy leaves Results out when there is nothing to report.
  const results = document.Results ?? [];
  if (!Array.isArray(results)) return fail(`Results is ${kindOf(results)}: expected an array`);

  const findings: Finding[] = [];
  results.forEach((result: unknown, index) => {
    const where = `Results[${index}]`;
    if (!isObject(result)) return fail(`${where} is ${kindOf(result)}: expected an object`);
    const target = result.Target;
    if (typeof target !== 'string') return fail(`${where}.Target is ${kindOf(target)}: expected a string`);
    const items = (key: string): JsonObject[] => objects(result[key], `${where}.${key}`, fail);
    for (const item of items('Vulnerabilities')) findings.push(vulnerability(item, target));
    for (const item of items('Secrets')) findings.push(secret(item, target));
    for (const item of items('Misconfigurations')) {
      if (item.Status === 'FAIL') findings.push(misconfiguration(item, target));
    }
    for (const item of items('Licenses')) findings.push(license(item, target));
  });
  return { platform, digest, artifactName: text(document.ArtifactName) ?? '', findings };
}

function vulnerability(item: JsonObject, target: string): Finding {
  const id = text(item.VulnerabilityID) ?? text(item.PkgID) ?? 'unknown-vulnerability';
  const finding: Finding = {
    kind: 'vulnerability',
    id,
    severity: severity(item.Severity),
    // Some advisories (alpine-39) have no title: the ID is the best short name left.
    title: text(item.Title) ?? id,
    description: text(item.Description) ?? '',
    target,
    pkgName: text(item.PkgName) ?? '',
    installedVersion: text(item.InstalledVersion) ?? '',
    fixedVersion: text(item.FixedVersion) ?? '',
    references: strings(item.References),
  };
  const status = text(item.Status);
  if (status !== undefined) finding.status = status;
  const primaryUrl = text(item.PrimaryURL);
  if (primaryUrl !== undefined) finding.primaryUrl = primaryUrl;
  return finding;
}

function secret(item: JsonObject, target: string): Finding {
  const id = text(item.RuleID) ?? 'secret';
  const title = text(item.Title) ?? id;
  const category = text(item.Category);
  const finding: Finding = {
    kind: 'secret',
    id,
    severity: severity(item.Severity),
    title,
    description:
      `Trivy's rule ${id} (${title}${category === undefined ? '' : `, category ${category}`}) matched a secret here. ` +
      'Its text is not repeated; rotate the secret and remove it from the image.',
    target,
    references: [],
  };
  setLines(finding, item.StartLine, item.EndLine);
  return finding;
}

function misconfiguration(item: JsonObject, target: string): Finding {
  const id = text(item.ID) ?? text(item.AVDID) ?? 'misconfiguration';
  const message = text(item.Message);
  const resolution = text(item.Resolution);
  const finding: Finding = {
    kind: 'misconfiguration',
    id,
    severity: severity(item.Severity),
    title: text(item.Title) ?? id,
    description: [
      text(item.Description),
      message === undefined ? undefined : `Cause: ${message}`,
      resolution === undefined ? undefined : `Resolution: ${resolution}`,
    ]
      .filter((part) => part !== undefined)
      .join('\n'),
    target,
    references: strings(item.References),
  };
  const primaryUrl = text(item.PrimaryURL);
  if (primaryUrl !== undefined) finding.primaryUrl = primaryUrl;
  const cause = isObject(item.CauseMetadata) ? item.CauseMetadata : {};
  setLines(finding, cause.StartLine, cause.EndLine);
  return finding;
}

/**
 * A license Trivy classified (`--scanners license`): of a package (`PkgName`, in the "OS Packages" or a language
 * result) or found in a file (`FilePath`, the "Loose File License(s)" result). Its severity is Trivy's, from the
 * license's category (forbidden CRITICAL, restricted HIGH, reciprocal MEDIUM, notice and others LOW, unknown UNKNOWN).
 */
function license(item: JsonObject, target: string): Finding {
  const name = text(item.Name) ?? 'unknown license';
  const category = text(item.Category) ?? 'unknown';
  const pkgName = text(item.PkgName);
  const file = text(item.FilePath);
  const of = pkgName !== undefined ? `package ${pkgName}` : file !== undefined ? `file ${file}` : target;
  const finding: Finding = {
    kind: 'license',
    id: name,
    severity: severity(item.Severity),
    title: `${category} license`,
    description: `The license ${name} of ${of} is classified ${category} by Trivy.`,
    target: file ?? target,
    references: strings([item.Link]),
  };
  if (pkgName !== undefined) finding.pkgName = pkgName;
  const link = text(item.Link);
  if (link !== undefined) finding.primaryUrl = link;
  return finding;
}

/** Trivy writes 0 for "no line"; only positive numbers are lines. */
function setLines(finding: Finding, start: unknown, end: unknown): void {
  if (typeof start === 'number' && Number.isInteger(start) && start > 0) finding.startLine = start;
  if (typeof end === 'number' && Number.isInteger(end) && end > 0) finding.endLine = end;
}

function severity(value: unknown): Severity {
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  return SEVERITIES.find((known) => known === upper) ?? 'UNKNOWN';
}

/** A list of objects; Trivy writes `null` (or nothing) for an empty one. */
function objects(value: unknown, where: string, fail: (reason: string) => never): JsonObject[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail(`${where} is ${kindOf(value)}: expected an array`);
  return value.map((item: unknown, index) =>
    isObject(item) ? item : fail(`${where}[${index}] is ${kindOf(item)}: expected an object`),
  );
}

/** A non-empty string, or undefined. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const shown = JSON.stringify(value);
  return `a ${typeof value} (${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown})`;
}
