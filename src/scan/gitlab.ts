/**
 * GitLab's container-scanning report (schema 15.0.7, as Trivy's own GitLab template writes it): vulnerabilities only,
 * since GitLab's container scanning has no place for secrets or misconfigurations. Every platform's findings are
 * listed with that platform's image (`image@digest`), so two platforms' findings stay distinct in the report.
 */
import { createHash } from 'node:crypto';
import { NAME, VERSION } from '../version.js';
import { splitTarget } from './present.js';
import type { Finding, PlatformScan, Severity } from './types.js';

export const GITLAB_SCHEMA_VERSION = '15.0.7';

export interface GitlabReportInfo {
  trivyVersion: string;
  start: Date;
  end: Date;
  /** the image's name, without a digest: `registry.example.com/group/app` */
  imageName: string;
}

export interface GitlabReport {
  version: string;
  scan: {
    analyzer: { id: string; name: string; vendor: { name: string }; version: string };
    scanner: { id: 'trivy'; name: 'Trivy'; url: string; vendor: { name: 'Aqua Security' }; version: string };
    type: 'container_scanning';
    start_time: string;
    end_time: string;
    status: 'success';
  };
  vulnerabilities: GitlabVulnerability[];
  remediations: [];
}

export type GitlabSeverity = 'Critical' | 'High' | 'Medium' | 'Low' | 'Unknown';

export interface GitlabVulnerability {
  id: string;
  name: string;
  description: string;
  severity: GitlabSeverity;
  solution?: string;
  location: {
    dependency: { package: { name: string }; version: string };
    operating_system: string;
    image: string;
  };
  identifiers: { type: 'cve' | 'trivy'; name: string; value: string; url?: string }[];
  links: { url: string }[];
}

const GITLAB_SEVERITY: Record<Severity, GitlabSeverity> = {
  CRITICAL: 'Critical',
  HIGH: 'High',
  MEDIUM: 'Medium',
  LOW: 'Low',
  UNKNOWN: 'Unknown',
};

/** The schema's limits on `name`, `description` and `solution`. */
const NAME_MAX = 255;
const DESCRIPTION_MAX = 1_048_576;
const SOLUTION_MAX = 7000;

/** The schema's pattern for every URL in a vulnerability (links and identifiers): what `URL.canParse` takes is wider. */
const SCHEMA_URL = /^(https?|ftp):\/\/.+/;

export function toGitlabReport(scans: readonly PlatformScan[], info: GitlabReportInfo): GitlabReport {
  const repository = info.imageName.replace(/@sha256:[0-9a-f]+$/i, '');
  return {
    version: GITLAB_SCHEMA_VERSION,
    scan: {
      analyzer: { id: NAME, name: NAME, vendor: { name: NAME }, version: VERSION },
      scanner: {
        id: 'trivy',
        name: 'Trivy',
        url: 'https://github.com/aquasecurity/trivy/',
        vendor: { name: 'Aqua Security' },
        version: info.trivyVersion,
      },
      type: 'container_scanning',
      start_time: gitlabTime(info.start),
      end_time: gitlabTime(info.end),
      status: 'success',
    },
    vulnerabilities: scans.flatMap((scan) =>
      scan.findings
        .filter((finding) => finding.kind === 'vulnerability')
        .map((finding) => toVulnerability(finding, scan, `${repository}@${scan.digest}`)),
    ),
    remediations: [],
  };
}

/** `YYYY-MM-DDTHH:MM:SS` in UTC, the schema's pattern: no zone, no milliseconds. */
export function gitlabTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}

function toVulnerability(finding: Finding, scan: PlatformScan, image: string): GitlabVulnerability {
  const pkgName = finding.pkgName ?? '';
  const version = finding.installedVersion ?? '';
  const identifier: GitlabVulnerability['identifiers'][number] = {
    type: finding.id.startsWith('CVE-') ? 'cve' : 'trivy',
    name: finding.id,
    value: finding.id,
  };
  if (finding.primaryUrl !== undefined && isSchemaUrl(finding.primaryUrl)) identifier.url = finding.primaryUrl;
  const vulnerability: GitlabVulnerability = {
    id: findingId(scan.platform, finding.target, pkgName, version, finding.id),
    name: truncate(finding.title, NAME_MAX),
    description: truncate(finding.description, DESCRIPTION_MAX),
    severity: GITLAB_SEVERITY[finding.severity],
    location: {
      dependency: { package: { name: pkgName }, version },
      // Language packages have no OS; the schema wants a non-empty string (Trivy's old template wrote "Unknown").
      operating_system: splitTarget(finding.target).os ?? 'Unknown',
      image,
    },
    identifiers: [identifier],
    links: links(finding.references),
  };
  const fixed = finding.fixedVersion ?? '';
  if (fixed !== '') vulnerability.solution = truncate(`Upgrade ${pkgName} to ${fixed}`, SOLUTION_MAX);
  return vulnerability;
}

/** Stable across runs and distinct across platforms: the same finding on the same platform keeps its id. */
export function findingId(platform: string, target: string, pkgName: string, version: string, id: string): string {
  return createHash('sha256').update([platform, target, pkgName, version, id].join('\0')).digest('hex');
}

/** Trivy's references are URLs, but not always clean ones: keep the web links the schema takes, once each. */
function links(references: readonly string[]): { url: string }[] {
  const urls = new Set(references.map((reference) => reference.trim()).filter(isSchemaUrl));
  return [...urls].map((url) => ({ url }));
}

function isSchemaUrl(value: string): boolean {
  return SCHEMA_URL.test(value) && URL.canParse(value);
}

function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
