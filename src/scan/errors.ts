/**
 * Trivy's output for one platform could not be read: not JSON, or not a Trivy report. The scan gate cannot decide on
 * what it cannot read, so this fails the run (and nothing is tagged).
 */
export class ScanError extends Error {
  override readonly name = 'ScanError';

  constructor(
    readonly platform: string,
    readonly reason: string,
  ) {
    super(`Trivy's JSON for ${platform} could not be read: ${reason}`);
  }
}
