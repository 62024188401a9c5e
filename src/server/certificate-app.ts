import Koa from 'koa';
import { adminRoutes, type AdminDependencies } from '../admin/index.js';
import type { Logger } from '../observability/logger.js';
import { respondWithErrorPage } from '../pages/respond.js';
import { certificateRoutes, type CertificateRouteDependencies } from './certificate-route.js';
import { ignoreForwardedCertificateElsewhere } from './client-certificate.js';
import { errorBoundary } from './error-boundary.js';
import { trustForwardedHeaders } from './trusted-proxies.js';
import { rateLimitCertificateRoute, type RateLimitSettings } from './rate-limit.js';
import { requestId } from './request-id.js';
import { securityHeaders } from './security-headers.js';

/**
 * The certificate origin: one route, reached only from the login page. Anything else here is
 * a 404 page; discovery, JWKS and tokens are never served on the origin that asks for a
 * certificate.
 */
export function createCertificateApp(
  deps: CertificateRouteDependencies & {
    logger: Logger;
    rateLimit?: RateLimitSettings;
    /** The admin surface at /admin; omitted (no way in configured), /admin is a 404. */
    admin?: AdminDependencies | undefined;
  },
): Koa {
  const app = new Koa();
  trustForwardedHeaders(app, deps.certificateProxy.trusted, deps.logger);
  app.use(ignoreForwardedCertificateElsewhere(deps.certificateProxy));
  app.use(requestId());
  app.use(securityHeaders({ assetOrigin: deps.issuer }));
  app.use(errorBoundary({ pages: deps.pages, logger: deps.logger }));
  // Before any validation work: every request here follows a client-certificate handshake.
  if (deps.rateLimit?.enabled) {
    app.use(
      rateLimitCertificateRoute({ settings: deps.rateLimit, pages: deps.pages, logger: deps.logger }),
    );
  }
  const routes = certificateRoutes(deps);
  app.use(routes.routes());
  if (deps.admin) app.use(adminRoutes(deps.admin).routes());
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
