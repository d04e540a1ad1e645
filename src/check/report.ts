/**
 * BuildKit's Dockerfile checks as buildx reports them (`docker buildx build --call=check,format=json`), read into the
 * check gate's data. The only place that knows buildx's field names.
 *
 * What buildx prints (seen with buildx v0.36.1 and BuildKit v0.32.2; test/fixtures/check/): `warnings`, a list of rule
 * violations (`ruleName`, `description`, `url`, `detail`, `location.ranges[].start.line`) or `null`; and `buildError`
 * when the checks themselves fail the build: a Dockerfile that does not parse (with its line), or violations under the
 * Dockerfile's own `# check=error=true` directive ("lint violation found for rules: ..."). Its exit code says nothing
 * more (1 for any warning), so the JSON decides.
 */

export interface CheckFinding {
  /** BuildKit's rule: `JSONArgsRecommended` */
  rule: string;
  /** what the rule wants: "JSON arguments recommended for ENTRYPOINT/CMD ..." */
  description: string;
  /** what is wrong here: "JSON arguments recommended for ENTRYPOINT to prevent ..." */
  detail: string;
  /** the rule's documentation */
  url: string | undefined;
  /** 1-based lines of the Dockerfile, when BuildKit says */
  line: number | undefined;
  endLine: number | undefined;
}

export interface CheckReport {
  findings: CheckFinding[];
  /** the checks failed the build: a parse error, or violations under `check=error=true` */
  error: { message: string; line: number | undefined } | undefined;
}

export class CheckReportError extends Error {
  override readonly name = 'CheckReportError';
}

type JsonObject = Record<string, unknown>;

export function parseCheckReport(json: string): CheckReport {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (error) {
    throw new CheckReportError(
      `buildx's check report is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!isObject(document)) throw new CheckReportError("buildx's check report is not a JSON object");
  const warnings = document.warnings ?? [];
  if (!Array.isArray(warnings)) throw new CheckReportError("buildx's check report has warnings that are not a list");
  const findings = warnings.map((item: unknown, index): CheckFinding => {
    if (!isObject(item)) throw new CheckReportError(`buildx's check report: warnings[${index}] is not an object`);
    const { line, endLine } = lines(item.location);
    return {
      rule: text(item.ruleName) ?? 'unknown-rule',
      description: text(item.description) ?? '',
      detail: text(item.detail) ?? text(item.description) ?? '',
      url: text(item.url),
      line,
      endLine,
    };
  });
  const build = document.buildError;
  const error = isObject(build)
    ? { message: text(build.message) ?? 'the Dockerfile checks failed', line: lines(build.location).line }
    : undefined;
  return { findings, error };
}

/** The first range's lines of a `location`; BuildKit's lines are 1-based. */
function lines(location: unknown): { line: number | undefined; endLine: number | undefined } {
  const ranges = isObject(location) && Array.isArray(location.ranges) ? (location.ranges as unknown[]) : [];
  const [first] = ranges;
  if (!isObject(first)) return { line: undefined, endLine: undefined };
  const at = (point: unknown) => (isObject(point) && isLine(point.line) ? point.line : undefined);
  const line = at(first.start);
  return { line, endLine: at(first.end) ?? line };
}

function isLine(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
