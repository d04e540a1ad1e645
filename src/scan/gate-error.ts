/**
 * The scan gate could not judge the image: Trivy missing, of another version, crashing, timing out, without a
 * vulnerability database, or a Trivy release that failed its checksum. The gate fails closed: the run fails and
 * nothing is tagged.
 */
export class GateError extends Error {
  override readonly name = 'GateError';

  /** `no-db`: Trivy could not get its vulnerability database (the one case `scan-fail-open` lets pass). */
  constructor(
    message: string,
    readonly kind: 'no-db' | 'other' = 'other',
  ) {
    super(message);
  }
}
