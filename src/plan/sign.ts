/**
 * Signing's part of the plan: what signs the image once the gates passed (a key, or the job's OIDC identity), and
 * what promote and merge ask of their sources. Key material itself is never in the plan: PEM text reaches the run as
 * a secret, written to its private directory.
 */
import { InputError } from '../errors.js';
import type { CosignKey, Inputs, VerifyChoice } from '../inputs/parse.js';
import type { KeyPlan, Operation, SignPlan, VerifyPlan } from './types.js';

function keyPlan(key: CosignKey): KeyPlan {
  return key.kind === 'pem' ? { kind: 'pem' } : key;
}

/**
 * Undefined when `sign` is false or the run pushes nothing by digest to sign (a merge request's build, `push:
 * digest`, which merge signs). `oidc`: the job has an OIDC token for Sigstore (GitHub's id-token permission,
 * GitLab's SIGSTORE_ID_TOKEN).
 */
export function planSign(inputs: Inputs, operation: Operation, oidc: boolean, pushes: boolean): SignPlan | undefined {
  if (!inputs.sign) {
    if (inputs.signKey !== undefined)
      throw new InputError('sign-key', undefined, 'is for sign: true, and sign is false');
    return undefined;
  }
  // A pull request from a fork (no token, nothing pushed) builds and scans with sign: true left on: nothing to sign.
  if (!pushes) return undefined;
  if (inputs.signKey === undefined) {
    if (!oidc) {
      throw new InputError(
        'sign',
        'true',
        "keyless signing needs the job's OIDC token (GitHub: permissions: id-token: write; GitLab: the component's " +
          'SIGSTORE_ID_TOKEN, or id_tokens with aud: sigstore), and there is none: give sign-key, or the token',
      );
    }
    if (!inputs.signTlog) {
      throw new InputError('sign-tlog', 'false', 'keyless signing records every signature in the transparency log');
    }
  }
  if (operation.kind === 'digest') return undefined;
  return { key: inputs.signKey === undefined ? undefined : keyPlan(inputs.signKey), tlog: inputs.signTlog };
}

/** What promote and merge check of their sources before anything else; a build has no source to check. */
export function planVerify(inputs: Inputs, operation: Operation): VerifyPlan {
  const choice: VerifyChoice = inputs.verify;
  if (choice.kind === 'none') return choice;
  if (operation.kind !== 'promote' && operation.kind !== 'merge') {
    throw new InputError('verify', choice.kind, 'is for promote and merge, which take images built before');
  }
  return choice.kind === 'key' ? { kind: 'key', key: keyPlan(choice.key), tlog: inputs.signTlog } : choice;
}
