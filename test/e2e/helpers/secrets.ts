import { randomInt } from 'node:crypto';

/** An AWS-style access key id, made up at run time so that no key-shaped string is committed. */
export function fakeAwsKeyId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return 'AKIA' + Array.from({ length: 16 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** A Dockerfile whose arm64 variant alone carries deploy.env: a gate that scanned one platform would miss it. */
export const ARM64_ONLY_SECRET_DOCKERFILE = [
  'ARG BASE',
  'FROM ${BASE} AS final-amd64',
  'FROM ${BASE} AS final-arm64',
  'COPY deploy.env /app/deploy.env',
  'FROM final-${TARGETARCH}',
  '',
].join('\n');
