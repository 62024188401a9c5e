import Koa from 'koa';
import type { Logger } from '../observability/logger.js';
import { respondWithErrorPage } from '../pages/respond.js';
import { certificateRoutes, type CertificateRouteDependencies } from './certificate-route.js';
import { errorBoundary } from './error-boundary.js';
import { requestId } from './request-id.js';
import { securityHeaders } from './security-headers.js';

/**
 * The certificate origin: one route, reached only from the login page. Anything else here is
 * a 404 page; discovery, JWKS and tokens are never served on the origin that asks for a
 * certificate.
 */
export function createCertificateApp(deps: CertificateRouteDependencies & { logger: Logger }): Koa {
  const app = new Koa();
  app.use(requestId());
  app.use(securityHeaders({ assetOrigin: deps.issuer }));
  app.use(errorBoundary({ pages: deps.pages, logger: deps.logger }));
  const routes = certificateRoutes(deps);
  app.use(routes.routes());
  app.use(async (ctx) => {
    ctx.set('Connection', 'close');
    respondWithErrorPage(ctx, deps.pages, {
      code: 'INTERACTION_NOT_FOUND',
      status: 404,
      reference: String(ctx.state.requestId),
    });
  });
  return app;
}
