import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { ApiError, invalidField } from './apiError';

/** Content codings (RFC 9110 §8.4.1) the service decodes; names are case-insensitive. */
const decoders: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};
export const supportedCodings = Object.keys(decoders);

/**
 * The request body as bytes, decoded from its Content-Encoding, at most `limitBytes` both as sent and
 * as decoded. Every failure is the client's and becomes an ApiError:
 * - 413 PAYLOAD_TOO_LARGE (field `body`) when Content-Length says more than the limit (before any byte is
 *   read and before `100 Continue` is sent) or the (decoded) body grows past it;
 * - 415 UNSUPPORTED_MEDIA_TYPE (field `Content-Encoding`) for a coding other than gzip, deflate, br, identity;
 * - 400 INVALID_REQUEST (field `body`) when the bytes do not match their coding (plain or truncated data
 *   labelled gzip/deflate/br) or the client closes the connection before the body is complete.
 * The body may not be fully read after a failure: the error handler then closes the connection.
 */
export async function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limitBytes: number,
): Promise<Buffer> {
  const coding = contentCoding(req.headers['content-encoding']);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) throw tooLarge(limitBytes);
  // Node leaves `Expect: 100-continue` to the app (server 'checkContinue'): invite the body only now.
  if (/^100-continue$/i.test(req.headers.expect ?? '') && req.httpVersion === '1.1' && !res.headersSent) {
    res.writeContinue();
  }
  const decoder = coding === 'identity' ? undefined : decoders[coding]();
  const source: Readable = decoder ? req.pipe(decoder) : req;
  try {
    return await collect(req, source, limitBytes, coding);
  } finally {
    if (decoder) {
      req.unpipe(decoder);
      decoder.destroy();
    }
  }
}

/** The one coding of a Content-Encoding header, lower-cased; `identity` when there is none. */
function contentCoding(header: string | undefined): string {
  const codings = (header ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return 'identity';
  if (codings.length > 1 || !(codings[0] in decoders)) {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding "${String(header).slice(0, 40)}" is not supported; use one of ${supportedCodings.join(', ')} or none`,
      { field: 'Content-Encoding', supported: supportedCodings },
    );
  }
  return codings[0];
}

function tooLarge(limitBytes: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `request body is larger than ${limitBytes} bytes`, {
    field: 'body',
    limit_bytes: limitBytes,
  });
}

/** Reads `source` (the request, or its decoder) to the end; rejects on the first client-caused problem. */
function collect(
  req: IncomingMessage,
  source: Readable,
  limitBytes: number,
  coding: string,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (error?: ApiError) => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onDecodeError);
      req.off('error', onAbort);
      req.off('close', onClose);
      if (error) {
        source.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks, received));
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) finish(tooLarge(limitBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onDecodeError = (error: Error & { code?: string }) =>
      finish(
        source === req
          ? aborted()
          : invalidField('body', `does not match its Content-Encoding ${coding} (${decodeProblem(error)})`, {
              content_encoding: coding,
            }),
      );
    const onAbort = () => finish(aborted());
    const onClose = () => {
      if (!req.complete) finish(aborted());
    };
    source.on('data', onData);
    source.once('end', onEnd);
    source.on('error', onDecodeError);
    if (source !== req) req.once('error', onAbort);
    req.once('close', onClose);
  });
}

function aborted(): ApiError {
  return invalidField('body', 'the connection closed before the whole body was received');
}

/** zlib's own words without internals: "incorrect header check", "unexpected end of file", … */
function decodeProblem(error: Error & { code?: string }): string {
  return /^[\w .,'-]{1,80}$/.test(error.message) ? error.message : (error.code ?? 'corrupt data');
}
