/** A release file streamed to disk with its SHA-256 taken on the way: what a pinned download is checked with. */
import { createHash } from 'node:crypto';
import { writeBody } from './body.js';
import { httpFetch } from './http.js';

function get(url: string, signal: AbortSignal | undefined) {
  const timeout = AbortSignal.timeout(120_000);
  return httpFetch(url, { signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]) });
}

/** Streams `url` into `file` and returns its SHA-256: a release file (tens of MB) is never held in memory. */
export async function downloadFile(url: string, file: string, signal: AbortSignal | undefined): Promise<string> {
  const response = await get(url, signal);
  if (!response.ok || response.body === null) throw new Error(`downloading ${url} failed: HTTP ${response.status}`);
  const hash = createHash('sha256');
  await writeBody(response, file, (chunk) => hash.update(chunk));
  return hash.digest('hex');
}
