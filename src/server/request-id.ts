import { randomBytes } from 'node:crypto';
import type { Middleware } from 'koa';

/**
 * A random id per request: in every log line of the request and on error pages as the
 * reference a citizen can quote to support. Incoming ids are not trusted.
 */
export function requestId(): Middleware {
  return async function assignRequestId(ctx, next) {
    ctx.state.requestId = randomBytes(9).toString('base64url');
    ctx.set('X-Request-Id', ctx.state.requestId as string);
    await next();
  };
}
