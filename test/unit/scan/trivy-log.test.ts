// Trivy's own log lines, as Trivy 0.74 writes them on stderr (copied from runs in the lab), read for progress.
import { describe, expect, it } from 'vitest';
import {
  described,
  downloadedFrom,
  parseTrivyLogLine,
  problemLines,
  trivyActivity,
  type TrivyLogLine,
} from '../../../src/scan/trivy-log.js';

const line = (text: string): TrivyLogLine => {
  const parsed = parseTrivyLogLine(text);
  if (parsed === undefined) throw new Error(`not a Trivy log line: ${text}`);
  return parsed;
};

describe("Trivy's log lines", () => {
  it.each([
    [
      '2026-12-02T18:33:05Z\tINFO\t[vulndb] Downloading artifact...\trepo="registry.lab.test:5443/lab/trivy-db:2"',
      {
        level: 'INFO',
        message: '[vulndb] Downloading artifact...',
        fields: { repo: 'registry.lab.test:5443/lab/trivy-db:2' },
      },
    ],
    [
      '2026-12-02T18:36:27Z\tINFO\t[alpine] Detecting vulnerabilities...\tos_version="3.22" repository="" pkg_num=5',
      {
        level: 'INFO',
        message: '[alpine] Detecting vulnerabilities...',
        fields: { os_version: '3.22', repository: '', pkg_num: '5' },
      },
    ],
    [
      '2026-12-02T18:33:12Z\tDEBUG\t[image] Detected diff ID\tdiff_ids=[sha256:b7d1 sha256:c8e2]',
      { level: 'DEBUG', message: '[image] Detected diff ID', fields: { diff_ids: '[sha256:b7d1 sha256:c8e2]' } },
    ],
    [
      '2026-12-02T18:33:05Z\tINFO\t[vuln] Vulnerability scanning is enabled',
      { level: 'INFO', message: '[vuln] Vulnerability scanning is enabled', fields: {}, detail: '' },
    ],
    [
      '2026-12-02T18:36:20Z\tFATAL\tFatal error\trun error: image scan error: could not parse reference: x=y',
      {
        level: 'FATAL',
        message: 'Fatal error',
        fields: {},
        detail: 'run error: image scan error: could not parse reference: x=y',
      },
    ],
    ['2026-12-02T18:36:20Z\tWARN\tpath with "quote"\tfile="a \\"b\\""', { fields: { file: 'a "b"' } }],
  ])('%s', (text, expected) => {
    expect(parseTrivyLogLine(text)).toMatchObject(expected);
  });

  it.each([
    ['{"SchemaVersion": 2,'],
    ['panic: runtime error'],
    [''],
    ['2026-12-02T18:36:20Z only a time'],
    ['x\tINFO\ty'],
  ])('not a log line: %j', (text) => {
    expect(parseTrivyLogLine(text)).toBeUndefined();
  });
});

describe('what Trivy is doing, in words', () => {
  it.each([
    [undefined, 'Trivy is starting'],
    [
      '2026-01-01T00:00:00Z\tINFO\t[vuln] Vulnerability scanning is enabled',
      "pulling and analysing the image's layers",
    ],
    [
      "2026-01-01T00:00:00Z\tINFO\t[secret] If your scanning is slow, please try '--scanners vuln' to disable secret scanning",
      "pulling and analysing the image's layers",
    ],
    [
      '2026-01-01T00:00:00Z\tINFO\tDetected OS\tfamily="alpine" version="3.22.1"',
      'analysed the layers (alpine 3.22.1); reading its packages',
    ],
    [
      '2026-01-01T00:00:00Z\tINFO\t[alpine] Detecting vulnerabilities...\tos_version="3.22" repository="" pkg_num=5',
      'matching 5 alpine packages against the vulnerability database',
    ],
    [
      '2026-01-01T00:00:00Z\tINFO\tNumber of language-specific files\tnum=3',
      'matching 3 language-specific files against the vulnerability database',
    ],
    [
      '2026-01-01T00:00:00Z\tINFO\t[javadb] Downloading Java DB...\trepo="mirror.gcr.io/aquasec/trivy-java-db:1"',
      'Trivy: [javadb] Downloading Java DB... (repo=mirror.gcr.io/aquasec/trivy-java-db:1)',
    ],
  ])('%j', (text, expected) => {
    expect(trivyActivity(text === undefined ? undefined : line(text))).toBe(expected);
  });

  it('describes a line with its detail when it has no fields', () => {
    expect(described(line('2026-01-01T00:00:00Z\tWARN\tSomething odd\tbecause of x'))).toBe(
      'Something odd (because of x)',
    );
  });
});

describe('the problem in a failed Trivy’s stderr', () => {
  it('leaves out its INFO and DEBUG lines, keeps the rest', () => {
    const stderr = [
      '2026-01-01T00:00:00Z\tINFO\t[vulndb] Downloading vulnerability DB...',
      '2026-01-01T00:00:00Z\tDEBUG\tcache dir',
      '2026-01-01T00:00:00Z\tERROR\tsomething failed',
      'panic: runtime error',
      '2026-01-01T00:00:00Z\tFATAL\tFatal error\tinit error: DB error: failed to download',
    ].join('\n');
    expect(problemLines(stderr)).toBe(
      [
        '2026-01-01T00:00:00Z\tERROR\tsomething failed',
        'panic: runtime error',
        '2026-01-01T00:00:00Z\tFATAL\tFatal error\tinit error: DB error: failed to download',
      ].join('\n'),
    );
  });

  it('keeps everything when nothing but chatter is left', () => {
    const stderr = '2026-01-01T00:00:00Z\tINFO\t[vuln] Vulnerability scanning is enabled';
    expect(problemLines(stderr)).toBe(stderr);
  });
});

describe('where the database came from', () => {
  it("is the repository of Trivy's last successful download", () => {
    const lines = [
      '2026-01-01T00:00:00Z\tINFO\t[vulndb] Downloading artifact...\trepo="a.example/db:2"',
      '2026-01-01T00:00:00Z\tWARN\t[vulndb] Failed to download artifact\trepo="a.example/db:2" err="denied"',
      '2026-01-01T00:00:00Z\tINFO\t[vulndb] Downloading artifact...\trepo="b.example/db:2"',
      '2026-01-01T00:00:00Z\tINFO\t[vulndb] Artifact successfully downloaded\trepo="b.example/db:2"',
    ].map(line);
    expect(downloadedFrom(lines)).toBe('b.example/db:2');
    expect(downloadedFrom(lines.slice(0, 3))).toBeUndefined();
  });
});
