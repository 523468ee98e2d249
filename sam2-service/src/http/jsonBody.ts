import type Koa from 'koa';
import { ApiError, invalidField } from './apiError';
import { readBody } from './bodyStream';
import { type JsonShapeLimits, checkJsonShape } from './jsonShape';
import type { State } from './middleware';

export interface JsonBodyOptions extends JsonShapeLimits {
  /** SAM2_MAX_BODY: most bytes of the body, as sent and as decoded. */
  limitBytes: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a JSON body into `ctx.state.body`: Content-Type must be application/json (charset utf-8 or
 * none, RFC 8259 §8.1), the bytes valid UTF-8, the structure within `maxDepth`/`maxValues` (checked on the
 * bytes before JSON.parse builds anything), and the text valid JSON. Errors are 400 naming `body`,
 * 413 or 415 (see readBody).
 */
export function jsonBody(options: JsonBodyOptions): Koa.Middleware<State> {
  return async (ctx, next) => {
    if (!ctx.is('application/json')) {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json', {
        field: 'Content-Type',
      });
    }
    const charset = ctx.request.charset.toLowerCase();
    if (charset !== '' && charset !== 'utf-8' && charset !== 'utf8') {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type charset must be utf-8', {
        field: 'Content-Type',
      });
    }
    let bytes: Buffer;
    try {
      bytes = await readBody(ctx.req, ctx.res, options.limitBytes);
    } catch (error) {
      // Part of the body may still be buffered or on the wire: the answer must close the connection.
      ctx.state.bodyReadFailed = true;
      throw error;
    }
    const violation = checkJsonShape(bytes, options);
    if (violation) {
      const what =
        violation.limit === 'depth'
          ? `is nested deeper than ${options.maxDepth} levels`
          : `has more than ${options.maxValues} JSON values`;
      throw invalidField('body', `${what}, more than any valid request needs`, { offset: violation.offset });
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw invalidField('body', 'is not valid UTF-8');
    }
    try {
      ctx.state.body = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      throw invalidField('body', 'is not valid JSON');
    }
    await next();
  };
}
