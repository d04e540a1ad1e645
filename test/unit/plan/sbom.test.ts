// The SBOM: buildx's attestation with the generator named, the files the scan gate writes, and bad input.
import { describe, expect, it } from 'vitest';
import { branchPlan, parsedInputs } from '../helpers/plan.js';
import { sbomAttestation } from '../../../src/plan/sbom.js';
import { sbomFileName, trivySbomArgs } from '../../../src/scan/trivy-args.js';

const inputs = parsedInputs;
const planOf = (given: Record<string, string>) => branchPlan({ images: 'r.example/app', ...given });

describe('the SBOM attestation', () => {
  it('names the generator when one is given, and stays off without sbom', () => {
    expect(sbomAttestation('true', 'mirror.example/syft-scanner:1')).toBe('generator=mirror.example/syft-scanner:1');
    expect(sbomAttestation('scan-stage=true', 'g:1')).toBe('scan-stage=true,generator=g:1');
    expect(sbomAttestation('generator=own:1', 'g:1')).toBe('generator=own:1');
    expect(sbomAttestation('true', undefined)).toBe('true');
    expect(sbomAttestation(undefined, 'g:1')).toBeUndefined();
    expect(sbomAttestation('false', 'g:1')).toBe('false');
  });

  it('reaches buildx, and turns on the SBOM files of the scan gate in the chosen format', () => {
    const on = planOf({ sbom: 'true', 'sbom-generator': 'registry.lab.test:5443/lab/syft:1' });
    expect(on.build.sbom).toBe('generator=registry.lab.test:5443/lab/syft:1');
    expect(on.scan?.sbomFormat).toBe('cyclonedx');
    expect(planOf({ sbom: 'true', 'sbom-format': 'spdx-json' }).scan?.sbomFormat).toBe('spdx-json');
    expect(planOf({}).scan?.sbomFormat).toBeUndefined();
    expect(planOf({ sbom: 'false' }).scan?.sbomFormat).toBeUndefined();
  });

  it('refuses a format that does not exist and a generator that is no image reference, naming the input', () => {
    expect(() => inputs({ 'sbom-format': 'swid' })).toThrow(/sbom-format.*swid.*expected one of cyclonedx, spdx-json/);
    expect(() => inputs({ 'sbom-generator': 'img:1,push=true' })).toThrow(
      /sbom-generator.*expected an image reference/,
    );
    expect(() => inputs({ sbom: 'generator=' })).toThrow(/sbom.*names an empty generator/);
  });
});

describe('the SBOM files', () => {
  it('one per platform, named for GitLab’s cyclonedx report or as SPDX JSON', () => {
    expect(sbomFileName('linux/arm64', 'cyclonedx')).toBe('gl-sbom-linux-arm64.cdx.json');
    expect(sbomFileName('linux/arm/v7', 'spdx-json')).toBe('sbom-linux-arm-v7.spdx.json');
  });

  it('written by Trivy from the image by digest in the registry, or from the platform’s OCI archive', () => {
    expect(
      trivySbomArgs({ kind: 'registry', reference: 'r.example/app@sha256:ab' }, 'cyclonedx', '/r/x.cdx.json', '10m'),
    ).toEqual([
      'image',
      '--format=cyclonedx',
      '--output=/r/x.cdx.json',
      '--no-progress',
      '--image-src=remote',
      '--timeout=10m',
      '--skip-version-check',
      '--',
      'r.example/app@sha256:ab',
    ]);
    expect(trivySbomArgs({ kind: 'archive', path: '/w/amd64.tar' }, 'spdx-json', '/r/x.json', '5m')).toContain(
      '--input=/w/amd64.tar',
    );
  });
});
