/** Writing an HTTP response's body to a file as it arrives: a download of tens of MB is never held in memory. */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/**
 * `onChunk` sees every chunk on its way to the file (to hash it, say). `response`: a Response of Node's global fetch
 * or of undici's (src/exec/http.ts), whose bodies are both web streams.
 */
export async function writeBody(
  response: { readonly body: WebReadableStream | null },
  file: string,
  onChunk?: (chunk: Buffer) => void,
): Promise<void> {
  if (response.body === null) throw new Error('the response has no body');
  const stream = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  if (onChunk !== undefined) stream.on('data', onChunk);
  await pipeline(stream, createWriteStream(file));
}
