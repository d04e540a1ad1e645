/**
 * SARIF 2.1.0 for GitHub code scanning: one run per platform, each with its own `automationDetails.id`, so GitHub
 * keeps the platforms' alerts apart instead of letting one platform's upload close the other's alerts.
 * Field shapes follow Trivy's own SARIF (`trivy image --format sarif`); the reported findings are the verdict's.
 */
import { bySeverity, gatingSet, lines, reportedOf, splitTarget } from './present.js';
import type { Finding, PlatformScan, Severity, Verdict } from './types.js';

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

export interface SarifRun {
  tool: { driver: { name: string; fullName: string; version: string; informationUri: string; rules: SarifRule[] } };
  automationDetails: { id: string };
  results: SarifResult[];
  columnKind: 'utf16CodeUnits';
  properties: { imageName: string; platform: string; digest: string };
}

export type SarifLevel = 'error' | 'warning' | 'note';

interface Message {
  text: string;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: Message;
  fullDescription: Message;
  defaultConfiguration: { level: SarifLevel };
  helpUri?: string;
  help: { text: string; markdown: string };
  properties: { tags: string[]; precision: 'very-high'; 'security-severity': string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: Message;
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId: 'ROOTPATH' };
      region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
    };
    message: Message;
  }[];
  properties: { platform: string; gating: boolean };
}

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const TRIVY_URI = 'https://github.com/aquasecurity/trivy';

/** What GitHub code scanning reads to rank an alert (a CVSS-like score, as a string). */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  CRITICAL: '9.5',
  HIGH: '8.0',
  MEDIUM: '5.5',
  LOW: '2.0',
  UNKNOWN: '0.0',
};

export function sarifLevel(severity: Severity): SarifLevel {
  if (severity === 'CRITICAL' || severity === 'HIGH') return 'error';
  return severity === 'MEDIUM' ? 'warning' : 'note';
}

export function toSarif(scans: readonly PlatformScan[], verdict: Verdict, trivyVersion: string): SarifLog {
  const gating = gatingSet(verdict);
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: scans.map((scan) => toRun(scan, reportedOf(verdict, scan.platform), gating, trivyVersion)),
  };
}

function toRun(
  scan: PlatformScan,
  findings: readonly Finding[],
  gating: ReadonlySet<Finding>,
  trivyVersion: string,
): SarifRun {
  // One rule per ID, described by its most severe finding: the same CVE can be rated differently per package source.
  const representative = new Map<string, Finding>();
  for (const finding of findings) {
    const seen = representative.get(finding.id);
    if (seen === undefined || bySeverity(finding.severity, seen.severity) < 0) representative.set(finding.id, finding);
  }
  const rules = [...representative.values()].map(toRule);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results = findings.map((finding): SarifResult => {
    const index = ruleIndex.get(finding.id) ?? 0;
    const uri = artifactUri(finding.target);
    const startLine = finding.startLine ?? 1;
    return {
      ruleId: finding.id,
      ruleIndex: index,
      level: sarifLevel(finding.severity),
      message: { text: resultMessage(finding, scan.platform) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri, uriBaseId: 'ROOTPATH' },
            region: {
              startLine,
              startColumn: 1,
              endLine: Math.max(finding.endLine ?? startLine, startLine),
              endColumn: 1,
            },
          },
          message: { text: locationMessage(finding, uri) },
        },
      ],
      properties: { platform: scan.platform, gating: gating.has(finding) },
    };
  });
  return {
    tool: {
      driver: {
        name: 'Trivy',
        fullName: 'Trivy Vulnerability Scanner',
        version: trivyVersion,
        informationUri: TRIVY_URI,
        rules,
      },
    },
    // The trailing slash is GitHub's convention for a category; one per platform keeps their alerts apart.
    automationDetails: { id: `docker-build/${scan.platform}/` },
    results,
    columnKind: 'utf16CodeUnits',
    properties: { imageName: scan.artifactName, platform: scan.platform, digest: scan.digest },
  };
}

/**
 * `alpine:3.10 (alpine 3.10.2)` → `alpine:3.10`; `/app/deploy.env` → `app/deploy.env` (relative to ROOTPATH);
 * `/app/my key.pem` → `app/my%20key.pem`: the schema wants a URI reference, which a raw space, `%`, non-ASCII letter or
 * `#` in a file name is not (or, for `#` and `?`, is one that means something else).
 */
export function artifactUri(target: string): string {
  const path = splitTarget(target).path.replace(/^\/+/, '');
  return path === '' ? '.' : encodeURI(path).replace(/[#?]/g, encodeURIComponent);
}

const RULE_NAMES: Record<Finding['kind'], string> = {
  vulnerability: 'Vulnerability',
  secret: 'Secret',
  misconfiguration: 'Misconfiguration',
  license: 'License',
};

function toRule(finding: Finding): SarifRule {
  const facts = ruleFacts(finding);
  const link = finding.primaryUrl === undefined ? undefined : `[${finding.id}](${finding.primaryUrl})`;
  const heading = `${RULE_NAMES[finding.kind]} ${finding.id}`;
  const text = [heading, ...facts.map(([name, value]) => `${name}: ${value}`)];
  if (link !== undefined) text.push(`Link: ${link}`);
  const table = [
    `| ${facts.map(([name]) => name).join(' | ')}${link === undefined ? '' : ' | Link'} |`,
    `|${' --- |'.repeat(facts.length + (link === undefined ? 0 : 1))}`,
    `| ${facts.map(([, value]) => cell(value)).join(' | ')}${link === undefined ? '' : ` | ${link}`} |`,
  ];
  const rule: SarifRule = {
    id: finding.id,
    name: RULE_NAMES[finding.kind],
    shortDescription: { text: finding.title },
    fullDescription: { text: finding.description === '' ? finding.title : finding.description },
    defaultConfiguration: { level: sarifLevel(finding.severity) },
    help: {
      text: [...text, finding.description].filter((part) => part !== '').join('\n'),
      markdown: [`**${heading}**`, '', ...table, '', finding.description].join('\n'),
    },
    properties: {
      tags: [finding.kind, 'security', finding.severity],
      precision: 'very-high',
      'security-severity': SECURITY_SEVERITY[finding.severity],
    },
  };
  if (finding.primaryUrl !== undefined) rule.helpUri = finding.primaryUrl;
  return rule;
}

/** The rule's facts, true of every result of the rule: no package, which differs between results of one CVE. */
function ruleFacts(finding: Finding): [string, string][] {
  return [
    ['Severity', finding.severity],
    ['Title', finding.title],
  ];
}

function resultMessage(finding: Finding, platform: string): string {
  const parts: string[] = [];
  if (finding.kind === 'vulnerability') {
    parts.push(`Package: ${finding.pkgName ?? ''}`, `Installed Version: ${finding.installedVersion ?? ''}`);
    parts.push(`Vulnerability ${finding.id}`, `Severity: ${finding.severity}`);
    parts.push(`Fixed Version: ${finding.fixedVersion === '' ? '(none)' : (finding.fixedVersion ?? '')}`);
  } else {
    parts.push(`${RULE_NAMES[finding.kind]} ${finding.id}`, `Severity: ${finding.severity}`, `Title: ${finding.title}`);
    const where = lines(finding);
    if (where !== '') parts.push(`Location: ${finding.target}, ${where}`);
  }
  if (finding.primaryUrl !== undefined) parts.push(`Link: [${finding.id}](${finding.primaryUrl})`);
  parts.push(`Platform: ${platform}`);
  return parts.join('\n');
}

function locationMessage(finding: Finding, uri: string): string {
  return finding.kind === 'vulnerability'
    ? `${uri}: ${finding.pkgName ?? ''}@${finding.installedVersion ?? ''}`
    : `${uri}: ${finding.title}`;
}

function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
