/**
 * The Dockerfile checks as SARIF 2.1.0, for GitHub code scanning: one rule per BuildKit rule (its description and
 * documentation link), one result per finding on its line of the Dockerfile. Its own `automationDetails.id` keeps
 * these alerts apart from the image scan's. Written as src/scan/sarif.ts writes Trivy's.
 */
import { SARIF_SCHEMA, type SarifLevel } from '../scan/sarif.js';
import type { CheckReport } from './report.js';
import { violationsAreErrors, type CheckVerdict } from './verdict.js';

export interface CheckSarifLog {
  $schema: string;
  version: '2.1.0';
  runs: CheckSarifRun[];
}

interface Message {
  text: string;
}

export interface CheckSarifRule {
  id: string;
  name: string;
  shortDescription: Message;
  fullDescription: Message;
  defaultConfiguration: { level: SarifLevel };
  helpUri?: string;
  help: { text: string; markdown: string };
  properties: { tags: string[] };
}

export interface CheckSarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: Message;
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId: 'ROOTPATH' };
      region: { startLine: number; endLine: number };
    };
  }[];
  properties: { gating: boolean };
}

export interface CheckSarifRun {
  tool: { driver: { name: string; fullName: string; informationUri: string; rules: CheckSarifRule[] } };
  automationDetails: { id: string };
  results: CheckSarifResult[];
  columnKind: 'utf16CodeUnits';
}

const CHECKS_URI = 'https://docs.docker.com/reference/build-checks/';
/** The rule of an error that stopped the checks (a parse error), which names no BuildKit rule. */
const PARSE_RULE = 'parse';

/**
 * `dockerfile`: the path relative to the repository's root. A finding is an `error` when BuildKit made it one
 * (`# check=error=true`), else a `warning`; `gating` when the verdict fails on it.
 */
export function toCheckSarif(report: CheckReport, dockerfile: string, verdict: CheckVerdict): CheckSarifLog {
  const level: SarifLevel = violationsAreErrors(report) ? 'error' : 'warning';
  const rules: CheckSarifRule[] = [];
  const indexOf = (rule: CheckSarifRule): number => {
    const at = rules.findIndex((known) => known.id === rule.id);
    if (at >= 0) return at;
    rules.push(rule);
    return rules.length - 1;
  };
  const uri = encodeURI(dockerfile).replace(/[#?]/g, encodeURIComponent);
  const result = (
    ruleId: string,
    index: number,
    text: string,
    at: { line: number | undefined; end: number | undefined; level: SarifLevel; gating: boolean },
  ): CheckSarifResult => ({
    ruleId,
    ruleIndex: index,
    level: at.level,
    message: { text },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri, uriBaseId: 'ROOTPATH' as const },
          region: { startLine: at.line ?? 1, endLine: Math.max(at.end ?? at.line ?? 1, at.line ?? 1) },
        },
      },
    ],
    properties: { gating: at.gating },
  });
  const results: CheckSarifResult[] = report.findings.map((finding) => {
    const index = indexOf(toRule(finding.rule, finding.description, finding.url, level));
    const gating = verdict.failing.includes(finding);
    return result(finding.rule, index, finding.detail, { line: finding.line, end: finding.endLine, level, gating });
  });
  // BuildKit's own error, unless it only sums up the findings (`# check=error=true`): a parse error, a missing image.
  if (report.error !== undefined && !violationsAreErrors(report)) {
    const index = indexOf(toRule(PARSE_RULE, 'The Dockerfile could not be checked', undefined, 'error'));
    const { line } = report.error;
    results.push(
      result(PARSE_RULE, index, report.error.message, { line, end: line, level: 'error', gating: !verdict.passed }),
    );
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'BuildKit Dockerfile checks',
            fullName: "BuildKit's Dockerfile checks (docker buildx build --call=check)",
            informationUri: CHECKS_URI,
            rules,
          },
        },
        automationDetails: { id: 'docker-build/dockerfile-checks/' },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

function toRule(id: string, description: string, url: string | undefined, level: SarifLevel): CheckSarifRule {
  const link = url === undefined ? '' : `\n\n[${id}](${url})`;
  const rule: CheckSarifRule = {
    id,
    name: id,
    shortDescription: { text: description },
    fullDescription: { text: description },
    defaultConfiguration: { level },
    help: {
      text: url === undefined ? description : `${description}\n${url}`,
      markdown: `**${id}**: ${description}${link}`,
    },
    properties: { tags: ['dockerfile', 'buildkit-check'] },
  };
  if (url !== undefined) rule.helpUri = url;
  return rule;
}
