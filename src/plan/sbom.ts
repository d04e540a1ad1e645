/** The SBOM's part of the plan: buildx's attestation value, and whether SBOM files are written. */
/** Whether `sbom` turns the SBOM on: `true` or attestation options, not `false` or empty. */
export function sbomOn(sbom: string | undefined): boolean {
  return sbom !== undefined && sbom !== 'false';
}

/**
 * buildx's `--sbom` value: `sbom` as given, with `generator=<sbom-generator>` when one is named (`true` becomes the
 * generator alone, options get it added unless they name one). A generator without `sbom` changes nothing.
 */
export function sbomAttestation(sbom: string | undefined, generator: string | undefined): string | undefined {
  if (!sbomOn(sbom) || generator === undefined) return sbom;
  if (sbom === 'true') return `generator=${generator}`;
  return /(^|,)generator=/.test(sbom ?? '') ? sbom : `${sbom ?? ''},generator=${generator}`;
}
