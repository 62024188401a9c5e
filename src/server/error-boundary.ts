import type { Middleware } from 'koa';
import { EidError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { PageRenderer } from '../pages/render.js';
import { respondWithErrorPage } from '../pages/respond.js';

/**
 * The one place where errors become pages. An EidError shows its own page (its code picks the
 * words); anything else is logged with its stack and shown as a generic page with the
 * request reference, never with its message.
 */
export function errorBoundary(options: { pages: PageRenderer; logger: Logger }): Middleware {
  return async function renderErrors(ctx, next) {
    try {
      await next();
    } catch (error) {
      const reference = String(ctx.state.requestId ?? 'unknown');
      if (error instanceof EidError) {
        options.logger.warn(
          { event: 'request.refused', reference, code: error.code, detail: error.detail },
          error.message,
        );
        respondWithErrorPage(ctx, options.pages, {
          code: error.code,
          status: error.status,
          reference,
        });
        return;
      }
      options.logger.error({ event: 'request.failed', reference, err: error }, 'unexpected error');
      respondWithErrorPage(ctx, options.pages, { code: 'INTERNAL', status: 500, reference });
    }
  };
}
