/**
 * cosign's argument lists (v3): sign, attest and verify, key-based or keyless. Offline key-based signing takes no
 * signing config from Sigstore's TUF repository and uploads nothing to Rekor (`--use-signing-config=false
 * --tlog-upload=false`); verifying such a signature skips the log (`--insecure-ignore-tlog`). Passwords and tokens
 * reach cosign through its environment (COSIGN_PASSWORD, SIGSTORE_ID_TOKEN), never these lists.
 */

/** The predicate type of docker-build's attestation that the gates passed on a digest. */
export const GATES_PREDICATE_TYPE = 'https://docker-build.dev/attestation/gates/v1';

export interface CosignSigner {
  /** `--key`: a file or a KMS URI; undefined: keyless */
  key: string | undefined;
  tlog: boolean;
}

function signer({ key, tlog }: CosignSigner): string[] {
  return [
    '--yes',
    ...(key === undefined ? [] : [`--key=${key}`]),
    ...(key !== undefined && !tlog ? ['--use-signing-config=false', '--tlog-upload=false'] : []),
  ];
}

/** Signs the index and every platform manifest under it. */
export function signArgs(reference: string, who: CosignSigner): string[] {
  return ['sign', ...signer(who), '--recursive', '--', reference];
}

/** Attests `predicateFile` (docker-build's gates predicate) on the digest. */
export function attestArgs(reference: string, predicateFile: string, who: CosignSigner): string[] {
  return ['attest', ...signer(who), `--type=${GATES_PREDICATE_TYPE}`, `--predicate=${predicateFile}`, '--', reference];
}

export type CosignVerifier =
  { kind: 'key'; key: string; tlog: boolean } | { kind: 'identity'; identity: string; issuer: string };

function verifier(who: CosignVerifier): string[] {
  return who.kind === 'key'
    ? [`--key=${who.key}`, ...(who.tlog ? [] : ['--insecure-ignore-tlog'])]
    : [`--certificate-identity-regexp=${who.identity}`, `--certificate-oidc-issuer=${who.issuer}`];
}

export function verifyArgs(reference: string, who: CosignVerifier): string[] {
  return ['verify', ...verifier(who), '--output=json', '--', reference];
}

export function verifyAttestationArgs(reference: string, who: CosignVerifier): string[] {
  return ['verify-attestation', ...verifier(who), `--type=${GATES_PREDICATE_TYPE}`, '--output=json', '--', reference];
}

/** The command a user runs to check the signature, as the run's output `verify-command` says it. */
export function verifyCommand(
  reference: string,
  who: CosignSigner,
  identity?: { subject: string; issuer: string },
): string {
  if (who.key === undefined) {
    const subject = identity === undefined ? '<identity>' : identity.subject;
    const issuer = identity === undefined ? '<issuer>' : identity.issuer;
    return `cosign verify --certificate-identity=${subject} --certificate-oidc-issuer=${issuer} ${reference}`;
  }
  const key = who.key.includes('://') ? who.key : '<the public key of sign-key>';
  return `cosign verify --key=${key}${who.tlog ? '' : ' --insecure-ignore-tlog'} ${reference}`;
}
